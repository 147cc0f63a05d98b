import type { Channel, DeliveryStatusView, OutboxMessageView, OutboxState } from '../../../shared/delivery.js';
import { LatchkeyError } from '../../../shared/errors.js';
import type { OutboxRow } from '../../store/outbox.js';
import { accountParty, type AuditParty } from '../audit/audit-log.js';
import { type Caller, partyOf, requireAdmin } from '../caller.js';
import type { EngineContext } from '../context.js';
import { requireValidEmail } from '../accounts/usernames.js';
import type { Change } from '../write-path.js';
import type { DeliverySettings } from './delivery-settings.js';
import { LEASE, abandoned, afterAttempt, messageFacts } from './outbox.js';
import { normalisePhone } from './phone.js';
import { smsTransport } from './sms-transport.js';
import { smtpTransport } from './smtp-transport.js';
import type { Attempt, Transport } from './transport.js';
import type { CountryCode } from 'libphonenumber-js/max';

export interface SendOptions {
  /** How long one attempt may take before it counts as a timeout (and is retried later). */
  readonly timeoutMs?: number;
  /** At most this many messages in one run. */
  readonly limit?: number;
  /** Only these messages (those a CLI command just queued). */
  readonly only?: ReadonlySet<string>;
}

export interface DeliveryReport {
  readonly sent: number;
  readonly failed: number;
  readonly abandoned: number;
  /** Due, but their channel is not configured: they stay queued. */
  readonly waiting: number;
}

/** Long enough for a slow server far away; a background run tries again later anyway. */
export const ATTEMPT_TIMEOUT = 20_000;
/** What a CLI command waits for the message it queued before it leaves it to `outbox send` or the app. */
export const PROMPT_ATTEMPT_TIMEOUT = 5_000;
const RUN_LIMIT = 20;
const LIST_MAX = 500;

const LEASE_LOST = 'the attempt did not finish: the process sending it stopped before it could say';

/**
 * The outbox's sender and its administration. A run claims due messages in one change (state
 * `sending`, a lease, the attempt counted), sends each outside any transaction, and records each
 * outcome in a change of its own; a process that dies mid-attempt leaves a lease that runs out,
 * and the message is tried again: delivery is at least once, and the message's id tells a receiver
 * a repeat.
 */
export class Delivery {
  readonly #ctx: EngineContext;
  readonly #settings: DeliverySettings;
  /** One run at a time in this process: a timer's run and a command's must not claim in turns and race. */
  #running: Promise<DeliveryReport> | null = null;

  constructor(ctx: EngineContext, settings: DeliverySettings) {
    this.#ctx = ctx;
    this.#settings = settings;
  }

  get settings(): DeliverySettings {
    return this.#settings;
  }

  list(caller: Caller, filter: { state?: OutboxState; limit?: number } = {}): OutboxMessageView[] {
    requireAdmin(caller);
    const limit = Math.min(Math.max(1, filter.limit ?? 100), LIST_MAX);
    return this.#ctx.repos.outbox
      .list({ limit, ...(filter.state === undefined ? {} : { state: filter.state }) })
      .map((row) => this.#view(row));
  }

  async status(caller: Caller): Promise<DeliveryStatusView> {
    requireAdmin(caller);
    const [email, sms] = [await this.#settings.smtp(), await this.#settings.sms()];
    return {
      channels: [email.status, sms.status],
      settings: await this.#settings.describe(caller),
      counts: this.#ctx.repos.outbox.counts(),
    };
  }

  /** Queues a failed or abandoned message again, with its attempts counted afresh, and tries it at once. */
  async retry(caller: Caller, id: string): Promise<OutboxMessageView> {
    this.#steer(caller, id, 'message.retried', (current, now) => {
      if (current.state === 'queued') return null;
      const refusal = retryRefusal(current, now);
      if (refusal !== null) throw new LatchkeyError('CONFLICT', refusal);
      return { ...current, state: 'queued', attempts: 0, next_attempt_at: now, lease_until: null, updated_at: now };
    });
    await this.sendNow(id);
    return this.#view(this.#find(id));
  }

  /** Stops a message that is not sent yet; its body is erased at once. */
  cancel(caller: Caller, id: string): OutboxMessageView {
    const row = this.#steer(caller, id, 'message.cancelled', (current, now) => {
      const refusal = cancelRefusal(current);
      if (refusal !== null) throw new LatchkeyError('CONFLICT', refusal);
      const reason = `cancelled by ${caller.username}`;
      return { ...current, state: 'abandoned', payload_enc: null, lease_until: null, last_error: reason, updated_at: now };
    });
    return this.#view(row);
  }

  /** An administrator's change to one message, decided on the row as this change reads it (null: nothing to do), and audited. */
  #steer(
    caller: Caller,
    id: string,
    type: 'message.retried' | 'message.cancelled',
    decide: (current: OutboxRow, now: number) => OutboxRow | null,
  ): OutboxRow {
    requireAdmin(caller);
    return this.#ctx.change((tx) => {
      const current = this.#find(id);
      const next = decide(current, this.#ctx.clock.now());
      if (next === null) return current;
      tx.repos.outbox.rewrite(next);
      tx.audit({
        type,
        outcome: 'success',
        actor: partyOf(caller),
        target: this.#party(next),
        sessionId: caller.sessionId,
        details: messageFacts(next),
      });
      return next;
    });
  }

  /** Queues a test message to `to` and tries it at once; the view says what became of it. */
  async sendTest(caller: Caller, channel: Channel, to: string): Promise<OutboxMessageView> {
    requireAdmin(caller);
    const recipient = channel === 'email' ? requireValidEmail(to) : normalisePhone(to, this.#settings.region() as CountryCode);
    const id = this.#ctx.change((tx) =>
      tx.outbox({ channel, to: recipient, account: null, content: { kind: 'test', sentBy: caller.username, at: this.#ctx.clock.now() } }),
    );
    await this.sendNow(id);
    return this.#view(this.#find(id));
  }

  /** Sends what is due; never throws for the network, whose failures are the messages' states. */
  async sendDue(options: SendOptions = {}): Promise<DeliveryReport> {
    while (this.#running !== null) await this.#running.catch(() => undefined);
    const run = this.#run(options);
    this.#running = run;
    try {
      return await run;
    } finally {
      this.#running = null;
    }
  }

  /** Tries one message now, with a short time limit (a code someone waits for at the screen); true once it has left. */
  async sendNow(id: string): Promise<boolean> {
    await this.sendDue({ only: new Set([id]), timeoutMs: PROMPT_ATTEMPT_TIMEOUT });
    return this.#ctx.repos.outbox.byId(id)?.state === 'sent';
  }

  /** `sendDue` because an administrator asked (`latchkey outbox send`). */
  sendDueAs(caller: Caller): Promise<DeliveryReport> {
    requireAdmin(caller);
    return this.sendDue();
  }

  /** What this process queued, tried now with a short time limit; whatever fails waits for the next run. */
  sendQueuedHere(): Promise<DeliveryReport> {
    if (this.#ctx.queuedHere.size === 0) return Promise.resolve({ sent: 0, failed: 0, abandoned: 0, waiting: 0 });
    return this.sendDue({ only: new Set(this.#ctx.queuedHere), timeoutMs: PROMPT_ATTEMPT_TIMEOUT });
  }

  async #run(options: SendOptions): Promise<DeliveryReport> {
    // The keychain is read before the claim: nothing is awaited while a message is reserved but not yet on its way.
    const [email, sms] = [await this.#settings.smtp(), await this.#settings.sms()];
    const configured: Record<Channel, boolean> = { email: email.settings !== null, sms: sms.settings !== null };
    const report = { sent: 0, failed: 0, abandoned: 0, waiting: 0 };
    const claimed = this.#ctx.change((tx) => this.#claim(tx, configured, options, report));
    if (claimed.length === 0) return report;
    // No connection is made until a message is sent; each run opens its own and closes it after.
    const transports: Partial<Record<Channel, Transport>> = {
      ...(email.settings === null ? {} : { email: smtpTransport(email.settings) }),
      ...(sms.settings === null ? {} : { sms: smsTransport(sms.settings) }),
    };
    try {
      for (const row of claimed) {
        const outgoing = this.#ctx.outbox.outgoing(row);
        const transport = transports[row.channel];
        const attempt: Attempt =
          outgoing === null || transport === undefined
            ? { outcome: 'refused', error: outgoing === null ? 'its body was erased' : `${row.channel} is not configured` }
            : await transport.send(outgoing, AbortSignal.timeout(options.timeoutMs ?? ATTEMPT_TIMEOUT));
        const state = this.#ctx.change((tx) => this.#record(tx, row, attempt));
        if (state === 'sent') report.sent += 1;
        else if (state === 'failed') report.failed += 1;
        else if (state === 'abandoned') report.abandoned += 1;
      }
    } finally {
      for (const open of Object.values(transports)) open.close();
    }
    return report;
  }

  /** Inside a change: reserves due messages (or gives up on expired ones) in the transaction that reads them. */
  #claim(
    tx: Change,
    configured: Record<Channel, boolean>,
    options: SendOptions,
    report: { abandoned: number; waiting: number },
  ): OutboxRow[] {
    const now = this.#ctx.clock.now();
    const limit = options.limit ?? RUN_LIMIT;
    const candidates =
      options.only === undefined
        ? this.#ctx.repos.outbox.due(now, limit * 5)
        : [...options.only].flatMap((id) => {
            const row = this.#ctx.repos.outbox.byId(id);
            return row !== undefined && isDue(row, now) ? [row] : [];
          });
    const claimed: OutboxRow[] = [];
    for (const candidate of candidates) {
      if (claimed.length >= limit) break;
      let row = candidate;
      if (row.state === 'sending') {
        // Its lease ran out: the attempt counts as failed, and it is tried again now if attempts remain.
        const outcome = afterAttempt(row, { outcome: 'retry', error: LEASE_LOST, retryAfterMs: null }, now, this.#party(row));
        tx.audit(outcome.event);
        row = outcome.row.state === 'failed' ? { ...outcome.row, next_attempt_at: now } : outcome.row;
        tx.repos.outbox.rewrite(row);
        if (row.state !== 'failed') {
          report.abandoned += 1;
          continue;
        }
      }
      if (row.expires_at <= now) {
        const outcome = abandoned(row, now, 'expired before it could be sent', this.#party(row));
        tx.repos.outbox.rewrite(outcome.row);
        tx.audit(outcome.event);
        report.abandoned += 1;
        continue;
      }
      if (!configured[row.channel]) {
        report.waiting += 1;
        continue;
      }
      const sending: OutboxRow = { ...row, state: 'sending', attempts: row.attempts + 1, lease_until: now + LEASE, updated_at: now };
      tx.repos.outbox.rewrite(sending);
      claimed.push(sending);
    }
    return claimed;
  }

  /** Inside a change: what one attempt came to. A message taken over or cancelled meanwhile keeps its newer state. */
  #record(tx: Change, claimed: OutboxRow, attempt: Attempt): OutboxState | null {
    const current = this.#ctx.repos.outbox.byId(claimed.id);
    if (current === undefined || current.state === 'sent') return null;
    // A message that did leave is recorded as sent whoever holds it now: that is what happened.
    const ours = current.state === 'sending' && current.attempts === claimed.attempts;
    if (attempt.outcome !== 'sent' && !ours) return null;
    const outcome = afterAttempt(
      { ...current, attempts: Math.max(current.attempts, claimed.attempts) },
      attempt,
      this.#ctx.clock.now(),
      this.#party(current),
    );
    tx.repos.outbox.rewrite(outcome.row);
    tx.audit(outcome.event);
    return outcome.row.state;
  }

  #find(id: string): OutboxRow {
    const row = id.length <= 64 ? this.#ctx.repos.outbox.byId(id) : undefined;
    if (row === undefined) throw new LatchkeyError('NOT_FOUND', `There is no message ${id.slice(0, 64)} in the outbox.`);
    return row;
  }

  #party(row: OutboxRow): AuditParty | null {
    if (row.account_id === null) return null;
    const account = this.#ctx.repos.accounts.byId(row.account_id);
    return account === undefined ? { id: row.account_id, name: '(deleted)' } : accountParty(account);
  }

  #view(row: OutboxRow): OutboxMessageView {
    const account = row.account_id === null ? undefined : this.#ctx.repos.accounts.byId(row.account_id);
    const waiting = row.state === 'queued' || row.state === 'failed';
    const now = this.#ctx.clock.now();
    return {
      id: row.id,
      channel: row.channel,
      kind: row.kind,
      username: account?.username ?? null,
      recipient: row.recipient_masked,
      state: row.state,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      lastError: row.state === 'sent' ? null : row.last_error,
      nextAttemptAt: waiting ? row.next_attempt_at : null,
      expiresAt: row.expires_at,
      sentAt: row.sent_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      canRetry: row.state !== 'queued' && retryRefusal(row, now) === null,
      canCancel: cancelRefusal(row) === null,
    };
  }
}

/** Why an administrator's retry cannot be taken, or null: the screens offer it only where it can. */
function retryRefusal(row: OutboxRow, now: number): string | null {
  if (row.state === 'sending') return `Message ${row.id} is being sent right now.`;
  if (row.state === 'sent') return `Message ${row.id} was sent already.`;
  if (row.payload_enc === null || row.expires_at <= now) {
    return `Message ${row.id} has expired and its body is erased; ask for a new one (for example, send the verification again).`;
  }
  return null;
}

function cancelRefusal(row: OutboxRow): string | null {
  return row.state === 'sent' || row.state === 'abandoned' ? `Message ${row.id} is ${row.state} already.` : null;
}

function isDue(row: OutboxRow, now: number): boolean {
  if (row.state === 'queued' || row.state === 'failed') return row.next_attempt_at <= now;
  return row.state === 'sending' && (row.lease_until ?? 0) <= now;
}
