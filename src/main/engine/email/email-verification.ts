import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import { type Caller, partyOf, requireSelfOrAdmin } from '../caller.js';
import { HOUR } from '../clock.js';
import { accountParty } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { hashToken, newToken } from '../crypto/random.js';
import { requireValidUsername } from '../accounts/usernames.js';
import { reserveSend, SENDS_PER_HOUR } from '../mfa/sent-codes.js';
import type { Change } from '../write-path.js';
import { verificationLink } from './verification-link.js';

/** Long enough for a message that waits in an inbox overnight; short enough that an old mail is useless. */
export const VERIFICATION_LINK_LIFETIME = 24 * HOUR;

export interface IssuedVerification {
  /** Carries the secret: it goes to the address being verified and nowhere else (never a log or the renderer). */
  readonly link: string;
  readonly email: string;
  readonly expiresAt: number;
}

/** A link on its way: the mail that carries it is in the outbox. */
export interface SentVerification {
  readonly messageId: string;
  readonly expiresAt: number;
}

export interface VerifiedEmail {
  readonly username: string;
  readonly email: string;
}

const LINK_INVALID = (why: string): LatchkeyError =>
  new LatchkeyError('LINK_INVALID', `This verification link ${why}. Ask for a new one from Latchkey.`);

/**
 * Proves that an account's e-mail address reaches its owner: the engine makes a single-use link
 * (256-bit token, only its hash stored) and whoever opens it confirms the address.
 */
export class EmailVerification {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  /**
   * A new link for the account's current address, handed back rather than mailed: for the browser
   * host's test channel, which stands where the mailbox would be. Any earlier link stops working.
   */
  issue(caller: Caller, username: string): IssuedVerification {
    const account = this.#unverified(caller, username);
    return this.#ctx.change((tx) => this.#issueIn(tx, account, caller).issued);
  }

  /** Mails a new link to the account's current address (through the outbox); any earlier link stops working. */
  send(caller: Caller, username: string): SentVerification {
    const account = this.#unverified(caller, username);
    return this.#ctx.change((tx) => {
      // Asked for again and again, it would flood the address: the limits of sent codes apply, counted apart.
      reserveSend(this.#ctx, tx, account, 'verification', {
        many: `${SENDS_PER_HOUR} verification e-mails were sent to this address in the last hour`,
        recent: 'A verification e-mail was sent less than a minute ago',
        otherwise: 'or use the link in the last one',
      });
      return this.sendIn(tx, account, caller);
    });
  }

  /**
   * Inside a change: a link for `account`'s address, and the mail that carries it, commit together.
   * `caller` is null when the account is the vault's first, made before anyone could sign in.
   */
  sendIn(tx: Change, account: AccountRow, caller: Caller | null): SentVerification {
    const { issued, token } = this.#issueIn(tx, account, caller);
    const messageId = tx.outbox({
      channel: 'email',
      to: issued.email,
      account,
      content: { kind: 'verification', username: account.username, link: issued.link, token, expiresAt: issued.expiresAt },
      expiresAt: issued.expiresAt,
    });
    return { messageId, expiresAt: issued.expiresAt };
  }

  #unverified(caller: Caller, username: string): AccountRow & { email_enc: string } {
    const account = this.#find(username);
    requireSelfOrAdmin(caller, account.id);
    const sealedEmail = account.email_enc;
    if (sealedEmail === null) throw new LatchkeyError('CONFLICT', `The account "${account.username}" has no e-mail address to verify.`);
    if (account.email_verified_at !== null)
      throw new LatchkeyError('CONFLICT', `The e-mail address of "${account.username}" is already verified.`);
    return { ...account, email_enc: sealedEmail };
  }

  #issueIn(tx: Change, account: AccountRow, caller: Caller | null): { issued: IssuedVerification; token: string } {
    const sealedEmail = account.email_enc;
    if (sealedEmail === null) throw new Error('an address to verify is needed');
    const token = newToken();
    const now = this.#ctx.clock.now();
    const issued: IssuedVerification = {
      link: verificationLink(token),
      email: this.#email(account.id, sealedEmail),
      expiresAt: now + VERIFICATION_LINK_LIFETIME,
    };
    tx.repos.emailVerifications.put({
      account_id: account.id,
      token_hash: hashToken(token),
      email_enc: sealedEmail,
      created_at: now,
      expires_at: issued.expiresAt,
    });
    tx.audit({
      type: 'email.verification_issued',
      outcome: 'success',
      actor: caller === null ? accountParty(account) : partyOf(caller),
      target: accountParty(account),
      sessionId: caller?.sessionId ?? null,
      device: caller?.deviceName ?? null,
    });
    return { issued, token };
  }

  /** Opens a link's token: the address it was made for is now verified, and the link is spent. */
  confirm(token: string): VerifiedEmail {
    // A refusal must persist (the spent link, its audit event), so the transaction returns it and the throw comes after.
    const outcome = this.#ctx.change((tx): VerifiedEmail | LatchkeyError => {
      const pending = this.#ctx.repos.emailVerifications.byTokenHash(hashToken(token));
      // An unknown token is not audited: any web page can open a latchkey:// link, and junk must not fill the log.
      if (pending === undefined) return LINK_INVALID('is not valid: it may have been used already or replaced by a newer one');
      const account = this.#ctx.repos.accounts.byId(pending.account_id);
      if (account === undefined) return LINK_INVALID('is not valid');
      tx.repos.emailVerifications.delete(account.id);
      const target = accountParty(account);
      const refusal =
        pending.expires_at <= this.#ctx.clock.now()
          ? { reason: 'expired', why: 'has expired' }
          : pending.email_enc !== account.email_enc
            ? { reason: 'address_changed', why: 'was made for an address the account no longer has' }
            : null;
      if (refusal !== null) {
        tx.audit({ type: 'email.verification_failed', outcome: 'failure', target, reason: refusal.reason });
        return LINK_INVALID(refusal.why);
      }
      tx.repos.accounts.setEmailVerified(account.id, this.#ctx.clock.now());
      tx.audit({ type: 'email.verified', outcome: 'success', actor: target, target });
      return { username: account.username, email: this.#email(account.id, pending.email_enc) };
    });
    if (outcome instanceof LatchkeyError) throw outcome;
    return outcome;
  }

  #find(username: string): AccountRow {
    const row = this.#ctx.repos.accounts.byUsername(requireValidUsername(username));
    if (row === undefined) throw new LatchkeyError('NOT_FOUND', `There is no account named "${username}".`);
    return row;
  }

  #email(accountId: string, sealed: string): string {
    return this.#ctx.vault.cipher.decrypt(sealed, { table: 'accounts', column: 'email', rowId: accountId });
  }
}
