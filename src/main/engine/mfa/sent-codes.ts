import { createHmac, randomInt } from 'node:crypto';
import type { Channel, CodePurpose, SentCodeView } from '../../../shared/delivery.js';
import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import type { SendLimitKey } from '../../store/sent-codes.js';
import { HOUR, MINUTE, SECOND } from '../clock.js';
import type { EngineContext } from '../context.js';
import { constantTimeEqual } from '../crypto/random.js';
import { SENT_CODE_LIFETIME } from '../delivery/templates.js';
import type { Change } from '../write-path.js';

/** Wrong codes after which a sent code is void (security-parameters.md). */
export const SENT_CODE_ATTEMPTS = 3;
/** At most one send a minute and five an hour, per account and channel; a resend resets neither. */
export const SEND_INTERVAL = MINUTE;
export const SENDS_PER_HOUR = 5;

/** Where a code goes, in clear only in memory, and who it is for. */
export interface CodeRecipient {
  readonly account: AccountRow;
  readonly channel: Channel;
  readonly to: string;
  readonly masked: string;
}

/**
 * One-time codes sent by SMS or e-mail: 6 digits from the CSPRNG, 10 minutes, single use, void
 * after 3 wrong tries or a newer code. Only a keyed hash is stored (HMAC under a key from the
 * keychain), so a copy of the vault file cannot be searched for the code.
 */
export class SentCodes {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  /**
   * Inside a change: reserves a send against the limits (read and recorded in the same
   * transaction), stores the new code's hash, and queues the message that carries it.
   */
  sendIn(tx: Change, recipient: CodeRecipient, purpose: CodePurpose, challengeId: string | null): SentCodeView & { messageId: string } {
    const { account, channel } = recipient;
    const now = this.#ctx.clock.now();
    const by = channel === 'sms' ? 'by SMS' : 'by e-mail';
    const sends = reserveSend(this.#ctx, tx, account, channel, {
      many: `${SENDS_PER_HOUR} codes were sent ${by} in the last hour`,
      recent: `A code was sent ${by} less than a minute ago`,
      otherwise: 'or use another way to sign in',
    });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = now + SENT_CODE_LIFETIME;
    tx.repos.sentCodes.putCode({
      account_id: account.id,
      channel,
      purpose,
      challenge_id: challengeId,
      code_hash: this.#digest(account.id, channel, purpose, code),
      created_at: now,
      expires_at: expiresAt,
      attempts: 0,
    });
    const messageId = tx.outbox({
      channel,
      to: recipient.to,
      account,
      content: { kind: 'code', purpose, username: account.username, code, expiresAt },
      // The message is useless once its code is: it expires with it, and its body is erased then.
      expiresAt,
    });
    tx.audit({
      type: 'mfa.code_sent',
      outcome: 'success',
      target: { id: account.id, name: account.username },
      details: { channel, purpose, to: recipient.masked, message: messageId },
    });
    return {
      channel,
      to: recipient.masked,
      sentAt: now,
      expiresAt,
      resendAt: nextSendAt([...sends, now], now),
      sent: false,
      attemptsLeft: SENT_CODE_ATTEMPTS,
      messageId,
    };
  }

  /**
   * Inside a change: whether `code` is the live code for this account, channel, purpose (and
   * sign-in step). A right code is spent; a wrong one counts, and the third voids the code.
   */
  checkIn(
    tx: Change,
    account: AccountRow,
    channel: Channel,
    purpose: CodePurpose,
    challengeId: string | null,
    code: string,
  ): 'ok' | 'invalid' {
    const row = this.#ctx.repos.sentCodes.code(account.id, channel, purpose);
    if (row === undefined || row.challenge_id !== challengeId) return 'invalid';
    if (row.expires_at <= this.#ctx.clock.now() || row.attempts >= SENT_CODE_ATTEMPTS) {
      tx.repos.sentCodes.deleteCode(account.id, channel, purpose);
      return 'invalid';
    }
    if (constantTimeEqual(row.code_hash, this.#digest(account.id, channel, purpose, code))) {
      tx.repos.sentCodes.deleteCode(account.id, channel, purpose);
      return 'ok';
    }
    const attempts = row.attempts + 1;
    if (attempts >= SENT_CODE_ATTEMPTS) tx.repos.sentCodes.deleteCode(account.id, channel, purpose);
    else tx.repos.sentCodes.putCode({ ...row, attempts });
    return 'invalid';
  }

  /** Wrong tries the live code has left, or 0 when there is none. */
  attemptsLeft(account: AccountRow, channel: Channel, purpose: CodePurpose): number {
    const row = this.#ctx.repos.sentCodes.code(account.id, channel, purpose);
    if (row === undefined || row.expires_at <= this.#ctx.clock.now()) return 0;
    return Math.max(0, SENT_CODE_ATTEMPTS - row.attempts);
  }

  #digest(accountId: string, channel: Channel, purpose: CodePurpose, code: string): Buffer {
    // Bound to the account, channel and purpose: a code sent to prove a phone cannot finish a sign-in.
    return createHmac('sha256', this.#ctx.vault.keys.lookupSecrets).update(`sent-code:${accountId}:${channel}:${purpose}:${code}`).digest();
  }
}

/**
 * Inside a change: reserves one send of `key` for the account against the limits (one a minute,
 * five an hour), read and recorded in the same transaction, or refuses with RATE_LIMITED in the
 * words given. Answers the sends of the hour before this one.
 */
export function reserveSend(
  ctx: EngineContext,
  tx: Change,
  account: AccountRow,
  key: SendLimitKey,
  words: { readonly many: string; readonly recent: string; readonly otherwise: string },
): number[] {
  const now = ctx.clock.now();
  const sends = ctx.repos.sentCodes.sendsSince(account.id, key, now - HOUR);
  const resendAt = nextSendAt(sends, now);
  if (resendAt > now) {
    const retryAfterSeconds = Math.ceil((resendAt - now) / SECOND);
    throw new LatchkeyError(
      'RATE_LIMITED',
      sends.length >= SENDS_PER_HOUR
        ? `${words.many}. Ask again in ${Math.ceil(retryAfterSeconds / 60)} min, ${words.otherwise}.`
        : `${words.recent}. Ask again in ${retryAfterSeconds} s.`,
      { retryAt: resendAt, retryAfterSeconds },
    );
  }
  tx.repos.sentCodes.recordSend(account.id, key, now);
  return sends;
}

/** When the next send is allowed, given the sends of the last hour (oldest first). */
export function nextSendAt(sends: readonly number[], now: number): number {
  const last = sends.at(-1);
  const afterLast = last === undefined ? now : last + SEND_INTERVAL;
  const inHour = sends.filter((at) => at > now - HOUR);
  const afterHour = inHour.length >= SENDS_PER_HOUR ? (inHour[inHour.length - SENDS_PER_HOUR] ?? now) + HOUR : now;
  return Math.max(afterLast, afterHour, now);
}
