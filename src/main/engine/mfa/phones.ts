import type { PhoneView, SentCodeView } from '../../../shared/delivery.js';
import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import { accountParty } from '../audit/audit-log.js';
import { type Caller, partyOf } from '../caller.js';
import type { EngineContext } from '../context.js';
import type { Delivery } from '../delivery/delivery.js';
import { normalisePhone } from '../delivery/phone.js';
import { maskPhone } from '../delivery/sms-transport.js';
import type { CountryCode } from 'libphonenumber-js/max';
import { SENT_CODE_ATTEMPTS, type SentCodes } from './sent-codes.js';

type ConfirmPassword = (caller: Caller, password: string, type: 'phone.added') => Promise<void>;

const PHONE_AT = (accountId: string): { table: string; column: string; rowId: string } => ({
  table: 'phones',
  column: 'phone',
  rowId: accountId,
});

/**
 * A person's phone for SMS codes: added, then proved by a code sent to it, before any sign-in code
 * goes there. Stored sealed by the field cipher; only its masked form is ever shown.
 */
export class Phones {
  readonly #ctx: EngineContext;
  readonly #codes: SentCodes;
  readonly #delivery: Delivery;
  readonly #confirmPassword: ConfirmPassword;

  constructor(ctx: EngineContext, codes: SentCodes, delivery: Delivery, confirmPassword: ConfirmPassword) {
    this.#ctx = ctx;
    this.#codes = codes;
    this.#delivery = delivery;
    this.#confirmPassword = confirmPassword;
  }

  view(caller: Caller): PhoneView | null {
    const row = this.#ctx.repos.sentCodes.phone(caller.accountId);
    return row === undefined ? null : { masked: row.masked, verifiedAt: row.verified_at };
  }

  /**
   * Sets (or replaces) the caller's phone, unproved, and sends it a code to prove it. The current
   * password comes first: a phone is a way past the second step, and a stolen session must not
   * be able to add one of its own.
   */
  async add(caller: Caller, typed: string, currentPassword: string): Promise<SentCodeView> {
    const settings = this.#delivery.settings;
    if (!(await settings.sms()).status.configured) {
      throw new LatchkeyError(
        'CONFLICT',
        'SMS is not set up on this vault, so no code can reach a phone. Ask an administrator to set it up.',
      );
    }
    const phone = normalisePhone(typed, settings.region() as CountryCode);
    await this.#confirmPassword(caller, currentPassword, 'phone.added');
    const masked = maskPhone(phone);
    const sent = this.#ctx.change((tx) => {
      const account = this.#account(caller.accountId);
      tx.repos.sentCodes.putPhone({
        account_id: account.id,
        phone_enc: this.#ctx.vault.cipher.encrypt(phone, PHONE_AT(account.id)),
        masked,
        verified_at: null,
        created_at: this.#ctx.clock.now(),
      });
      tx.audit({
        type: 'phone.added',
        outcome: 'success',
        actor: partyOf(caller),
        target: accountParty(account),
        sessionId: caller.sessionId,
        details: { phone: masked },
      });
      return this.#codes.sendIn(tx, { account, channel: 'sms', to: phone, masked }, 'phone', null);
    });
    return this.#deliverNow(sent);
  }

  /** Sends a new code to the unproved phone (within the sending limits). */
  async resend(caller: Caller): Promise<SentCodeView> {
    const sent = this.#ctx.change((tx) => {
      const account = this.#account(caller.accountId);
      const row = this.#unproved(account);
      const phone = this.#ctx.vault.cipher.decrypt(row.phone_enc, PHONE_AT(account.id));
      return this.#codes.sendIn(tx, { account, channel: 'sms', to: phone, masked: row.masked }, 'phone', null);
    });
    return this.#deliverNow(sent);
  }

  /** The code from the SMS proves the phone: from now on it can receive sign-in codes. */
  verify(caller: Caller, code: string): PhoneView {
    const outcome = this.#ctx.change((tx): PhoneView | LatchkeyError => {
      const account = this.#account(caller.accountId);
      const row = this.#unproved(account);
      if (this.#codes.checkIn(tx, account, 'sms', 'phone', null, code) !== 'ok') {
        const attemptsLeft = this.#codes.attemptsLeft(account, 'sms', 'phone');
        return new LatchkeyError(
          'CODE_INVALID',
          attemptsLeft > 0
            ? 'That code is not right. Check the last SMS from Latchkey.'
            : `That code is not right, and the code is void now (it takes ${SENT_CODE_ATTEMPTS} tries at most, for 10 minutes). Ask for a new one.`,
          { attemptsLeft },
        );
      }
      const verifiedAt = this.#ctx.clock.now();
      tx.repos.sentCodes.putPhone({ ...row, verified_at: verifiedAt });
      tx.audit({
        type: 'phone.verified',
        outcome: 'success',
        actor: partyOf(caller),
        target: accountParty(account),
        sessionId: caller.sessionId,
        details: { phone: row.masked },
      });
      return { masked: row.masked, verifiedAt };
    });
    if (outcome instanceof LatchkeyError) throw outcome;
    return outcome;
  }

  /** Removes the caller's phone: no SMS code is offered any more. */
  remove(caller: Caller): void {
    this.#ctx.change((tx) => {
      const account = this.#account(caller.accountId);
      const row = this.#ctx.repos.sentCodes.phone(account.id);
      if (row === undefined) throw new LatchkeyError('NOT_FOUND', 'There is no phone on this account.');
      tx.repos.sentCodes.deletePhone(account.id);
      tx.repos.sentCodes.deleteCode(account.id, 'sms', 'phone');
      tx.repos.sentCodes.deleteCode(account.id, 'sms', 'signin');
      tx.audit({
        type: 'phone.removed',
        outcome: 'success',
        actor: partyOf(caller),
        target: accountParty(account),
        sessionId: caller.sessionId,
        details: { phone: row.masked },
      });
    });
  }

  /** The proved phone of an account, in clear, for a sign-in code; null when there is none. */
  provedNumber(account: AccountRow): { phone: string; masked: string } | null {
    const row = this.#ctx.repos.sentCodes.phone(account.id);
    if (row?.verified_at == null) return null;
    return { phone: this.#ctx.vault.cipher.decrypt(row.phone_enc, PHONE_AT(account.id)), masked: row.masked };
  }

  async #deliverNow(sent: SentCodeView & { messageId: string }): Promise<SentCodeView> {
    const { messageId, ...view } = sent;
    return { ...view, sent: await this.#delivery.sendNow(messageId) };
  }

  #unproved(account: AccountRow): NonNullable<ReturnType<EngineContext['repos']['sentCodes']['phone']>> {
    const row = this.#ctx.repos.sentCodes.phone(account.id);
    if (row === undefined) throw new LatchkeyError('NOT_FOUND', 'There is no phone on this account: add one first.');
    if (row.verified_at !== null) throw new LatchkeyError('CONFLICT', `The phone ${row.masked} is verified already.`);
    return row;
  }

  #account(id: string): AccountRow {
    const row = this.#ctx.repos.accounts.byId(id);
    if (row === undefined) throw new LatchkeyError('SESSION_EXPIRED', 'Your account no longer exists.', { reason: 'ended' });
    return row;
  }
}
