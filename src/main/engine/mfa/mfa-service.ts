import { LatchkeyError } from '../../../shared/errors.js';
import { BACKUP_CODES_LOW } from '../../../shared/notices.js';
import type { MfaStatusView, SecondFactor, TotpSetupView } from '../../../shared/views.js';
import type { AccountRow } from '../../store/accounts.js';
import type { TotpRow } from '../../store/mfa.js';
import { accountParty } from '../audit/audit-log.js';
import { type Caller, partyOf, requireAdmin } from '../caller.js';
import { MINUTE } from '../clock.js';
import type { EngineContext } from '../context.js';
import type { FieldLocation } from '../crypto/field-cipher.js';
import type { Lockout, Reservation } from '../lockout/lockout.js';
import type { Policy } from '../policy/policy-keys.js';
import type { SessionService } from '../sessions/sessions.js';
import type { Change } from '../write-path.js';
import type { Channel, CodeChannelProblem, CodeChannelView } from '../../../shared/delivery.js';
import { maskEmail } from '../delivery/smtp-transport.js';
import type { SentCodes } from './sent-codes.js';
import { canonicalBackupCode } from '../../../shared/fields.js';
import { backupCodeDigest, newBackupCodes } from './backup-codes.js';
import { DEFAULT_TOTP, matchTotp, newTotpSecret, totpStep, totpUri, type TotpParameters } from './totp.js';
import { trustEndsAt } from './trusted-devices.js';
import { secondFactorRequired } from './second-factor-rule.js';

export const ISSUER = 'Latchkey';
/** A pending secret lives only this long unconfirmed. */
export const SETUP_LIFETIME = 15 * MINUTE;

export type CodeCheck = 'ok' | 'invalid' | 'replayed';

const secretAt = (accountId: string): FieldLocation => ({ table: 'totp_credentials', column: 'secret', rowId: accountId });
const pendingAt = (accountId: string): FieldLocation => ({ table: 'totp_credentials', column: 'pending_secret', rowId: accountId });

/**
 * TOTP in three states (DISABLED → SETUP_IN_PROGRESS → ENABLED) and the backup codes that come with it.
 * Checking a code is here too, with the replay guard, so every path that accepts a code shares it.
 */
export class MfaService {
  readonly #ctx: EngineContext;
  readonly #policy: () => Policy;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;
  readonly #sentCodes: SentCodes;
  readonly #sendProblem: (channel: Channel) => CodeChannelProblem | null;

  constructor(
    ctx: EngineContext,
    policy: () => Policy,
    sessions: SessionService,
    lockout: Lockout,
    sentCodes: SentCodes,
    sendProblem: (channel: Channel) => CodeChannelProblem | null,
  ) {
    this.#ctx = ctx;
    this.#policy = policy;
    this.#sessions = sessions;
    this.#lockout = lockout;
    this.#sentCodes = sentCodes;
    this.#sendProblem = sendProblem;
  }

  status(caller: Caller): MfaStatusView {
    return this.statusOf(this.#account(caller.accountId));
  }

  statusOf(account: AccountRow): MfaStatusView {
    const totp = this.#ctx.repos.mfa.totp(account.id);
    const now = this.#ctx.clock.now();
    const policy = this.#policy();
    return {
      state: account.mfa_state,
      enabledAt: account.mfa_state === 'ENABLED' ? (totp?.enabled_at ?? null) : null,
      setupExpiresAt: account.mfa_state === 'SETUP_IN_PROGRESS' ? (totp?.pending_expires_at ?? null) : null,
      backupCodesLeft: this.#ctx.repos.mfa.backupCodesLeft(account.id),
      trustedDevices: this.#ctx.repos.mfa.trustedDevices(account.id, now).filter((row) => trustEndsAt(row, policy) > now).length,
      required: this.isRequired(account),
    };
  }

  /** Policy `mfa.required`: must this account have a second factor? */
  isRequired(account: AccountRow): boolean {
    return secondFactorRequired(this.#policy(), account);
  }

  /**
   * The factors a sign-in challenge may offer this account: only those that can work now. A code
   * by SMS or e-mail only next to TOTP, to a verified phone or address, on a channel that is set
   * up and whose last attempt got through; the e-mailed one only while policy allows it.
   */
  factorsOf(account: AccountRow): SecondFactor[] {
    const factors: SecondFactor[] = ['totp'];
    if (this.#ctx.repos.mfa.backupCodesLeft(account.id) > 0) factors.push('backup_code');
    for (const offer of this.codeChannels(account)) {
      if (offer.problem === null) factors.push(offer.channel === 'sms' ? 'sms_code' : 'email_code');
    }
    return factors;
  }

  /**
   * Codes by SMS and e-mail for a sign-in: each offered with its masked destination, or the first
   * reason it is not. Told only to someone past the password step, who owns the account.
   */
  codeChannels(account: AccountRow): CodeChannelView[] {
    const sms = (): CodeChannelView => {
      const phone = this.#ctx.repos.sentCodes.phone(account.id);
      if (phone?.verified_at == null) return { channel: 'sms', to: null, problem: 'no_destination' };
      const problem = account.mfa_state === 'ENABLED' ? this.#sendProblem('sms') : 'totp_off';
      return { channel: 'sms', to: problem === null ? phone.masked : null, problem };
    };
    const email = (): CodeChannelView => {
      if (account.email_enc === null || account.email_verified_at === null)
        return { channel: 'email', to: null, problem: 'no_destination' };
      if (this.#policy()['mfa.emailFallback'] !== 'on') return { channel: 'email', to: null, problem: 'policy_off' };
      const problem = account.mfa_state === 'ENABLED' ? this.#sendProblem('email') : 'totp_off';
      if (problem !== null) return { channel: 'email', to: null, problem };
      const address = this.#ctx.vault.cipher.decrypt(account.email_enc, { table: 'accounts', column: 'email', rowId: account.id });
      return { channel: 'email', to: maskEmail(address), problem: null };
    };
    return [sms(), email()];
  }

  beginTotp(caller: Caller): Promise<TotpSetupView> {
    return this.beginFor(this.#account(caller.accountId), caller);
  }

  /** DISABLED or SETUP_IN_PROGRESS → SETUP_IN_PROGRESS with a fresh pending secret; beginning again replaces it. */
  async beginFor(account: AccountRow, caller: Caller | null): Promise<TotpSetupView> {
    if (account.mfa_state === 'ENABLED') {
      throw new LatchkeyError('MFA_STATE_INVALID', 'Two-step sign-in is already on. Turn it off first to set up a new authenticator.', {
        state: account.mfa_state,
      });
    }
    const secret = newTotpSecret();
    const expiresAt = this.#ctx.clock.now() + SETUP_LIFETIME;
    const uri = totpUri({ issuer: ISSUER, accountName: account.username, secret, params: DEFAULT_TOTP });
    // Loaded here, not with the engine: only a TOTP setup draws a QR code.
    const { default: QRCode } = await import('qrcode');
    const qrDataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    this.#ctx.change((tx) => {
      const current = this.#account(account.id);
      if (current.mfa_state === 'ENABLED')
        throw new LatchkeyError('MFA_STATE_INVALID', 'Two-step sign-in is already on.', { state: 'ENABLED' });
      tx.repos.mfa.putTotp({
        account_id: account.id,
        secret_enc: null,
        pending_secret_enc: this.#ctx.vault.cipher.encrypt(secret, pendingAt(account.id)),
        pending_expires_at: expiresAt,
        algorithm: DEFAULT_TOTP.algorithm,
        digits: DEFAULT_TOTP.digits,
        period: DEFAULT_TOTP.period,
        last_step: null,
        enabled_at: null,
      });
      tx.repos.accounts.setMfaState(account.id, 'SETUP_IN_PROGRESS', this.#ctx.clock.now());
      this.#audit(tx, 'mfa.totp_setup_started', account, caller);
    });
    return { secret, uri, qrDataUrl, expiresAt };
  }

  confirmTotp(caller: Caller, code: string): { backupCodes: string[] } {
    return this.confirmFor(this.#account(caller.accountId), code, caller);
  }

  /** SETUP_IN_PROGRESS → ENABLED with a valid code; returns the backup codes, shown this once. */
  confirmFor(account: AccountRow, code: string, caller: Caller | null): { backupCodes: string[] } {
    const totp = this.#ctx.repos.mfa.totp(account.id);
    if (account.mfa_state !== 'SETUP_IN_PROGRESS' || totp?.pending_secret_enc == null) {
      throw new LatchkeyError('MFA_STATE_INVALID', 'There is no authenticator setup to confirm. Begin the setup first.', {
        state: account.mfa_state,
      });
    }
    const now = this.#ctx.clock.now();
    if ((totp.pending_expires_at ?? 0) <= now) {
      this.#ctx.change((tx) => this.dropSetup(tx, account.id, 'expired'));
      throw new LatchkeyError('MFA_STATE_INVALID', 'The setup expired (it lasts 15 minutes). Begin again and scan the new QR code.', {
        state: 'DISABLED',
      });
    }
    const secret = this.#ctx.vault.cipher.decrypt(totp.pending_secret_enc, pendingAt(account.id));
    const step = this.#match(secret, code, paramsOf(totp));
    if (step === null)
      throw new LatchkeyError('CODE_INVALID', 'That code is not right. Check the authenticator shows Latchkey and try the current code.');
    const codes = newBackupCodes();
    this.#ctx.change((tx) => {
      tx.repos.mfa.putTotp({
        ...totp,
        secret_enc: this.#ctx.vault.cipher.encrypt(secret, secretAt(account.id)),
        pending_secret_enc: null,
        pending_expires_at: null,
        last_step: step,
        enabled_at: now,
      });
      this.#storeBackupCodes(tx, account.id, codes);
      tx.repos.accounts.setMfaState(account.id, 'ENABLED', now);
      this.#audit(tx, 'mfa.totp_enabled', account, caller, { backupCodes: codes.length });
    });
    return { backupCodes: codes };
  }

  /**
   * DISABLED → ENABLED with an authenticator the holder already uses (an account import). No
   * backup codes are made: nobody could be shown them; the holder regenerates them.
   */
  enableImported(tx: Change, accountId: string, secret: string, params: TotpParameters): void {
    const now = this.#ctx.clock.now();
    tx.repos.mfa.putTotp({
      account_id: accountId,
      secret_enc: this.#ctx.vault.cipher.encrypt(secret, secretAt(accountId)),
      pending_secret_enc: null,
      pending_expires_at: null,
      algorithm: params.algorithm,
      digits: params.digits,
      period: params.period,
      // The old system may have accepted the code showing now; counting the current step as used
      // means no code seen before the import is accepted again (the holder waits one step at most).
      last_step: totpStep(now, params.period),
      enabled_at: now,
    });
    tx.repos.accounts.setMfaState(accountId, 'ENABLED', now);
  }

  /** ENABLED → DISABLED: needs the password and a current code or a backup code. Voids backup codes and trusted devices. */
  async disableTotp(caller: Caller, password: string, proof: { factor: SecondFactor; code: string }): Promise<void> {
    const account = this.#account(caller.accountId);
    if (account.mfa_state !== 'ENABLED') {
      throw new LatchkeyError('MFA_STATE_INVALID', 'Two-step sign-in is not on.', { state: account.mfa_state });
    }
    await this.#requirePassword(account, password, caller);
    // A refused code is thrown only after the transaction commits, so its audit event is kept.
    const check = this.#ctx.change((tx): CodeCheck | LatchkeyError => {
      const refusal = this.#lockout.refusal(tx, account.username);
      if (refusal !== null) {
        this.#auditRefusedProof(tx, account, caller, refusal.reason);
        return refusal.error;
      }
      const result = this.checkFactor(tx, account, proof.factor, proof.code);
      if (result !== 'ok') {
        // Counted like a wrong code at sign-in: else a held session that knows the password could
        // guess the code here without limit, turn the second factor off, and sign in anywhere.
        this.#refusedProof(
          tx,
          account,
          caller,
          result === 'replayed' ? 'code_replayed_for_mfa_change' : `wrong_${proof.factor}_for_mfa_change`,
        );
        return result;
      }
      this.#clearFactors(tx, account, 'mfa_disabled');
      this.#sessions.endAllForAccount(tx, account.id, 'revoked', caller, caller.sessionId);
      this.#audit(tx, 'mfa.totp_disabled', account, caller);
      return result;
    });
    if (check instanceof LatchkeyError) throw check;
    if (check !== 'ok') throwForCheck(check);
  }

  async regenerateBackupCodes(caller: Caller, password: string): Promise<{ backupCodes: string[] }> {
    const account = this.#account(caller.accountId);
    if (account.mfa_state !== 'ENABLED') {
      throw new LatchkeyError('MFA_STATE_INVALID', 'Backup codes come with two-step sign-in; turn it on first.', {
        state: account.mfa_state,
      });
    }
    await this.#requirePassword(account, password, caller);
    const codes = newBackupCodes();
    this.#ctx.change((tx) => {
      this.#storeBackupCodes(tx, account.id, codes);
      this.#audit(tx, 'mfa.backup_codes_regenerated', account, caller, { backupCodes: codes.length });
    });
    return { backupCodes: codes };
  }

  backupCodesLeft(caller: Caller): number {
    return this.#ctx.repos.mfa.backupCodesLeft(caller.accountId);
  }

  /** An admin clears an account's second factor (a lost phone); the holder is told at their next sign-in. */
  reset(caller: Caller, username: string): void {
    requireAdmin(caller);
    const account = this.#byName(username);
    this.#ctx.change((tx) => {
      this.#clearFactors(tx, account, 'mfa_reset');
      this.#sessions.endAllForAccount(
        tx,
        account.id,
        account.id === caller.accountId ? 'revoked' : 'revoked_by_admin',
        caller,
        caller.sessionId,
      );
      if (account.id !== caller.accountId) tx.repos.accounts.setNotice(account.id, 'mfa_reset_by_admin');
      this.#audit(tx, 'mfa.reset', account, caller);
    });
  }

  /**
   * Checks a second factor and, when it passes, spends it (the TOTP step
   * becomes the last accepted one; the backup code is marked used). Audits a replay as a possible bypass.
   */
  checkFactor(tx: Change, account: AccountRow, factor: SecondFactor, code: string, challengeId: string | null = null): CodeCheck {
    switch (factor) {
      case 'totp':
        return this.#checkTotp(tx, account, code);
      case 'backup_code':
        return this.#spendBackupCode(tx, account, code);
      // A sent code answers only the sign-in step it was sent for: never a proof to turn a factor off.
      case 'sms_code':
        return challengeId === null ? 'invalid' : this.#sentCodes.checkIn(tx, account, 'sms', 'signin', challengeId, code);
      case 'email_code':
        return challengeId === null ? 'invalid' : this.#sentCodes.checkIn(tx, account, 'email', 'signin', challengeId, code);
      default:
        // A factor added to SecondFactor must be checked here, never fall into another's check.
        return unknownFactor(factor);
    }
  }

  /** An abandoned or expired setup returns the account to DISABLED. */
  dropSetup(tx: Change, accountId: string, reason: 'signed_out' | 'expired'): void {
    const account = this.#ctx.repos.accounts.byId(accountId);
    if (account?.mfa_state !== 'SETUP_IN_PROGRESS') return;
    tx.repos.mfa.deleteTotp(accountId);
    tx.repos.accounts.setMfaState(accountId, 'DISABLED', this.#ctx.clock.now());
    this.#audit(tx, 'mfa.totp_setup_abandoned', account, null, undefined, reason);
  }

  /** Cleanup: drops setups whose 15 minutes have passed, at most `limit`. */
  dropExpiredSetups(tx: Change, limit: number): number {
    const due = this.#ctx.repos.mfa.expiredSetups(this.#ctx.clock.now(), limit);
    for (const accountId of due) this.dropSetup(tx, accountId, 'expired');
    return due.length;
  }

  #checkTotp(tx: Change, account: AccountRow, code: string): CodeCheck {
    const totp = this.#ctx.repos.mfa.totp(account.id);
    if (account.mfa_state !== 'ENABLED' || totp?.secret_enc == null) return 'invalid';
    const secret = this.#ctx.vault.cipher.decrypt(totp.secret_enc, secretAt(account.id));
    const step = this.#match(secret, code.trim(), paramsOf(totp));
    if (step === null) {
      this.#auditCodeAhead(tx, account, secret, code.trim(), paramsOf(totp));
      return 'invalid';
    }
    // RFC 6238 §5.2: a code is accepted once; any step at or before the last accepted one is refused.
    if (!tx.repos.mfa.advanceLastStep(account.id, step)) {
      tx.audit({
        type: 'mfa.code_replayed',
        outcome: 'denied',
        target: accountParty(account),
        reason: 'a TOTP code for an already-used time step was offered: a possible bypass attempt',
        details: { step, lastStep: totp.last_step },
      });
      return 'replayed';
    }
    return 'ok';
  }

  #spendBackupCode(tx: Change, account: AccountRow, typed: string): CodeCheck {
    const canonical = canonicalBackupCode(typed);
    if (canonical === null) return 'invalid';
    const spent = tx.repos.mfa.spendBackupCode(
      account.id,
      backupCodeDigest(this.#ctx.vault.keys.lookupSecrets, canonical),
      this.#ctx.clock.now(),
    );
    if (!spent) return 'invalid';
    const left = this.#ctx.repos.mfa.backupCodesLeft(account.id);
    this.#audit(tx, 'mfa.backup_code_used', account, null, { backupCodesLeft: left, low: left <= BACKUP_CODES_LOW });
    return 'ok';
  }

  /**
   * A code that is right only by a clock running ahead of the vault's time is refused, never
   * recorded as used: spent, its step would make every honest code a replay until that time came.
   * It is audited, since either the clock or the code's source is not to be trusted.
   */
  #auditCodeAhead(tx: Change, account: AccountRow, secret: string, code: string, params: TotpParameters): void {
    const skew = this.#ctx.clock.skew();
    if (skew?.direction !== 'ahead' || this.#match(secret, code, params, this.#ctx.clock.wallClock()) === null) return;
    tx.audit({
      type: 'mfa.code_ahead',
      outcome: 'denied',
      target: accountParty(account),
      reason: "a TOTP code that matches only this machine's clock, which runs ahead of the vault's time; refused and not recorded as used",
      details: { byMs: skew.byMs },
    });
  }

  #match(secret: string, code: string, params: TotpParameters, atMs: number = this.#ctx.clock.codeTime()): number | null {
    const policy = this.#policy();
    return matchTotp({
      secret,
      code,
      atMs,
      params,
      stepsBack: policy['mfa.totpStepsBack'],
      stepsAhead: policy['mfa.totpStepsAhead'],
    });
  }

  #storeBackupCodes(tx: Change, accountId: string, codes: readonly string[]): void {
    const key = this.#ctx.vault.keys.lookupSecrets;
    const digests = codes.map((code) => backupCodeDigest(key, canonicalBackupCode(code) ?? code));
    tx.repos.mfa.replaceBackupCodes(accountId, digests, this.#ctx.clock.now());
  }

  #clearFactors(tx: Change, account: AccountRow, reason: string): void {
    const now = this.#ctx.clock.now();
    tx.repos.mfa.deleteTotp(account.id);
    tx.repos.mfa.deleteBackupCodes(account.id);
    tx.repos.mfa.revokeTrustedDevices(account.id, now, reason);
    tx.repos.accounts.setMfaState(account.id, 'DISABLED', now);
  }

  async #requirePassword(account: AccountRow, password: string, caller: Caller): Promise<void> {
    await this.#lockout.guard(
      account.username,
      (tx, reason) => this.#auditRefusedProof(tx, account, caller, reason),
      async (reservation) => {
        const check = await this.#ctx.hasher.verify(account.password_hash, password);
        if (check.valid) return;
        this.#ctx.change((tx) => this.#refusedProof(tx, account, caller, 'wrong_password_for_mfa_change', reservation));
        throw new LatchkeyError('INVALID_CREDENTIALS', 'The password is not correct.');
      },
    );
  }

  /** A wrong password or code offered to change MFA counts toward lockout, like one at sign-in. */
  #refusedProof(tx: Change, account: AccountRow, caller: Caller, reason: string, reservation?: Reservation): void {
    this.#lockout.recordFailure(tx, account.username, account, reservation);
    this.#auditRefusedProof(tx, account, caller, reason);
  }

  #auditRefusedProof(tx: Change, account: AccountRow, caller: Caller, reason: string): void {
    tx.audit({
      type: 'signin.failed',
      outcome: 'failure',
      actor: partyOf(caller),
      target: accountParty(account),
      sessionId: caller.sessionId,
      reason,
    });
  }

  #account(id: string): AccountRow {
    const row = this.#ctx.repos.accounts.byId(id);
    if (row === undefined) throw new LatchkeyError('SESSION_EXPIRED', 'Your account no longer exists.');
    return row;
  }

  #byName(username: string): AccountRow {
    const row = this.#ctx.repos.accounts.byUsername(username.normalize('NFKC').trim().toLowerCase());
    if (row === undefined) throw new LatchkeyError('NOT_FOUND', `There is no account named "${username}".`);
    return row;
  }

  #audit(
    tx: Change,
    type:
      | 'mfa.totp_setup_started'
      | 'mfa.totp_setup_abandoned'
      | 'mfa.totp_enabled'
      | 'mfa.totp_disabled'
      | 'mfa.reset'
      | 'mfa.backup_code_used'
      | 'mfa.backup_codes_regenerated',
    account: AccountRow,
    caller: Caller | null,
    details?: Record<string, string | number | boolean | null>,
    reason?: string,
  ): void {
    tx.audit({
      type,
      outcome: 'success',
      actor: caller === null ? accountParty(account) : partyOf(caller),
      target: accountParty(account),
      sessionId: caller?.sessionId ?? null,
      ...(details === undefined ? {} : { details }),
      ...(reason === undefined ? {} : { reason }),
    });
  }
}

/** The error for a refused second factor; extra details (attempts left) may be added by the caller. */
export function throwForCheck(check: Exclude<CodeCheck, 'ok'>, details?: { readonly attemptsLeft: number }): never {
  if (check === 'replayed') {
    throw new LatchkeyError('CODE_REPLAYED', 'That code was already used. Wait for the authenticator to show a new one.', details);
  }
  throw new LatchkeyError('CODE_INVALID', 'That code is not right.', details);
}

function paramsOf(row: TotpRow): TotpParameters {
  return { algorithm: row.algorithm, digits: row.digits, period: row.period };
}

function unknownFactor(factor: never): never {
  throw new LatchkeyError('INVALID_INPUT', `Unknown second factor ${String(factor)}.`);
}
