import { randomInt } from 'node:crypto';
import type { Channel } from '../../../shared/delivery.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { AuditEntry, AuditParty } from '../audit/audit-log.js';
import { DAY, HOUR, MINUTE, SECOND } from '../clock.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { newId } from '../crypto/random.js';
import { maskEmail } from './smtp-transport.js';
import { maskPhone } from './sms-transport.js';
import { type MessageContent, renderEmail, renderSms } from './templates.js';
import type { Attempt, Outgoing } from './transport.js';

/** A message a change sends: queued in the change's transaction, so it exists exactly when its cause does. */
export interface NewMessage {
  readonly channel: Channel;
  /** An e-mail address, or an E.164 number for SMS. */
  readonly to: string;
  /** The account the message concerns; null for a test message. */
  readonly account: { readonly id: string; readonly username: string } | null;
  readonly content: MessageContent;
  /** A message with a code or a link expires with it; anything else after MESSAGE_LIFETIME. */
  readonly expiresAt?: number;
}

/** A notice or a test message is worth delivering late, but not days late. */
export const MESSAGE_LIFETIME = DAY;
/** Attempts before a message is abandoned; with the backoff below they span about three hours. */
export const MAX_ATTEMPTS = 10;
/** Longer than any attempt's time limit: a claim that runs out means its process stopped mid-attempt. */
export const LEASE = 2 * MINUTE;
const BACKOFF_BASE = 30 * SECOND;
const BACKOFF_CAP = HOUR;

/**
 * The wait before attempt `attempts + 1`: doubling from 30 s up to an hour, with "equal jitter"
 * (half fixed, half random) so that messages that failed together do not all come back together.
 */
export function backoff(attempts: number, random: (below: number) => number = randomInt): number {
  const ceiling = Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + random(Math.floor(ceiling / 2) + 1);
}

const PAYLOAD = (id: string): { table: string; column: string; rowId: string } => ({ table: 'outbox', column: 'payload', rowId: id });

/** Puts messages in the outbox and reads them back for the wire; the write path's `tx.outbox` is `enqueue`. */
export class Outbox {
  readonly #cipher: FieldCipher;

  constructor(cipher: FieldCipher) {
    this.#cipher = cipher;
  }

  /** The row for a new message and its audit event: the write path stores both in the change's transaction. */
  enqueue(message: NewMessage, now: number): { row: OutboxRow; event: AuditEntry } {
    const id = newId('msg');
    const rendered =
      message.channel === 'email' ? renderEmail(message.content) : { subject: '', text: smsText(message.content), html: null };
    const outgoing: Outgoing = { id, to: message.to, ...rendered };
    const masked = message.channel === 'email' ? maskEmail(message.to) : maskPhone(message.to);
    const row: OutboxRow = {
      id,
      channel: message.channel,
      kind: message.content.kind,
      account_id: message.account?.id ?? null,
      recipient_masked: masked,
      payload_enc: this.#cipher.encrypt(JSON.stringify(outgoing), PAYLOAD(id)),
      state: 'queued',
      attempts: 0,
      max_attempts: MAX_ATTEMPTS,
      last_error: null,
      provider_id: null,
      next_attempt_at: now,
      lease_until: null,
      expires_at: message.expiresAt ?? now + MESSAGE_LIFETIME,
      sent_at: null,
      created_at: now,
      updated_at: now,
    };
    const event: AuditEntry = {
      type: 'message.queued',
      outcome: 'success',
      target: message.account === null ? null : { id: message.account.id, name: message.account.username },
      details: messageFacts(row),
    };
    return { row, event };
  }

  /** The message as the transport sends it; only ever in memory. */
  outgoing(row: OutboxRow): Outgoing | null {
    if (row.payload_enc === null) return null;
    return JSON.parse(this.#cipher.decrypt(row.payload_enc, PAYLOAD(row.id))) as Outgoing;
  }
}

function smsText(content: MessageContent): string {
  if (content.kind === 'code' || content.kind === 'test') return renderSms(content);
  throw new Error(`a ${content.kind} message goes by e-mail only`);
}

/** What became of one claimed message, for the row and the audit log. */
export interface Outcome {
  readonly row: OutboxRow;
  readonly event: AuditEntry;
}

/**
 * The row after an attempt: sent (body erased), failed with its next attempt, or abandoned (a
 * refusal for good, or the last attempt used; the body stays until the message expires, so an
 * admin can still retry it).
 */
export function afterAttempt(
  row: OutboxRow,
  attempt: Attempt,
  now: number,
  target: AuditParty | null,
  random?: (below: number) => number,
): Outcome {
  const facts = messageFacts(row);
  if (attempt.outcome === 'sent') {
    return {
      row: {
        ...row,
        state: 'sent',
        payload_enc: null,
        lease_until: null,
        last_error: null,
        provider_id: attempt.providerId,
        sent_at: now,
        updated_at: now,
      },
      event: { type: 'message.sent', outcome: 'success', target, details: facts },
    };
  }
  const lastTry = attempt.outcome === 'refused' || row.attempts >= row.max_attempts;
  if (lastTry) {
    const reason =
      attempt.outcome === 'refused' ? `refused for good: ${attempt.error}` : `${row.attempts} attempts used; the last: ${attempt.error}`;
    return abandoned(row, now, reason, target);
  }
  const wait = Math.max(backoff(row.attempts, random), attempt.retryAfterMs ?? 0);
  const next = now + wait;
  if (next >= row.expires_at) return abandoned(row, now, `expired before the next attempt; the last: ${attempt.error}`, target);
  return {
    row: { ...row, state: 'failed', lease_until: null, last_error: attempt.error, next_attempt_at: next, updated_at: now },
    event: { type: 'message.failed', outcome: 'failure', target, reason: attempt.error, details: { ...facts, nextAttemptAt: next } },
  };
}

/** The message given up on; an expired one loses its body at once (its code or link no longer works). */
export function abandoned(row: OutboxRow, now: number, reason: string, target: AuditParty | null): Outcome {
  const expired = row.expires_at <= now;
  return {
    row: {
      ...row,
      state: 'abandoned',
      payload_enc: expired ? null : row.payload_enc,
      lease_until: null,
      last_error: reason,
      updated_at: now,
    },
    event: {
      type: 'message.abandoned',
      outcome: 'failure',
      target,
      reason,
      details: messageFacts(row),
    },
  };
}

/** What every event about a message records: never its body, its recipient only masked. */
export function messageFacts(row: OutboxRow): NonNullable<AuditEntry['details']> {
  return { message: row.id, channel: row.channel, kind: row.kind, to: row.recipient_masked, attempt: row.attempts };
}
