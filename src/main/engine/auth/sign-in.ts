import type { ClientInfo } from '../../../shared/client.js';
import { LatchkeyError, isLatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import { canonicalBackupCode, isValidUsername, normaliseUsername } from '../../../shared/fields.js';
import type { EngineContext } from '../context.js';
import type { Lockout, Reservation } from '../lockout/lockout.js';
import type { SessionService, StartedSession } from '../sessions/sessions.js';
import type { SecondFactor, TotpSetupView } from '../../../shared/views.js';
import type { ChallengeRow } from '../../store/mfa.js';
import type { Caller } from '../caller.js';
import { MINUTE } from '../clock.js';
import { newId } from '../crypto/random.js';
import { type CodeCheck, type MfaService, SETUP_LIFETIME, throwForCheck } from '../mfa/mfa-service.js';
import type { TrustedDevices } from '../mfa/trusted-devices.js';
import { hasSecondFactor } from '../mfa/second-factor-rule.js';
import type { Change } from '../write-path.js';
import { accountParty } from '../audit/audit-log.js';
import { BACKUP_CODE_REUSED, STALE_CHALLENGE } from '../../../shared/monitoring.js';
import { backupCodeDigest } from '../mfa/backup-codes.js';
import { CODE_CHANNEL_PROBLEM_TEXT, type Channel, type SentCodeView } from '../../../shared/delivery.js';
import type { Assurance } from '../../../shared/views.js';
import type { Delivery } from '../delivery/delivery.js';
import { maskEmail } from '../delivery/smtp-transport.js';
import type { Phones } from '../mfa/phones.js';
import type { SentCodes } from '../mfa/sent-codes.js';

export interface SignInRequest {
  readonly username: string;
  readonly password: string;
  readonly client: ClientInfo;
  readonly staySignedIn?: boolean;
  /** The token a host keeps in its keychain for a device the account trusts. */
  readonly deviceToken?: string | null;
}

export interface ChallengeAnswer {
  readonly challengeId: string;
  readonly factor: SecondFactor;
  readonly code: string;
  /** "Trust this device": the started session carries a device token for the host to keep. */
  readonly trustDevice?: boolean;
  /** When given, the challenge must belong to this account. */
  readonly username?: string;
}

/** A session won with a second factor, and what the host must keep or show. */
export interface SignedIn extends StartedSession {
  readonly deviceToken: string | null;
  readonly backupCodesLeft: number | null;
  /** Backup codes issued by a forced enrollment, shown this once. */
  readonly backupCodes: readonly string[] | null;
}

export const CHALLENGE_LIFETIME = 5 * MINUTE;
export const CHALLENGE_ATTEMPTS = 5;

/** One answer for "no such account" and "wrong password", so a name cannot be probed. */
const BAD_CREDENTIALS = 'The account name or password is not correct.';

const CHALLENGE_GONE = 'This sign-in step has expired or was already used. Sign in again with your password.';

/**
 * Sign-in, step by step: the password; then, when the account has a second factor (or policy
 * demands one), a challenge that must be answered before any session exists.
 */
export class SignIn {
  readonly #ctx: EngineContext;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;
  readonly #mfa: MfaService;
  readonly #devices: TrustedDevices;
  readonly #codes: SentCodes;
  readonly #phones: Phones;
  readonly #delivery: Delivery;

  constructor(
    ctx: EngineContext,
    sessions: SessionService,
    lockout: Lockout,
    mfa: MfaService,
    devices: TrustedDevices,
    sent: { codes: SentCodes; phones: Phones; delivery: Delivery },
  ) {
    this.#ctx = ctx;
    this.#sessions = sessions;
    this.#lockout = lockout;
    this.#mfa = mfa;
    this.#devices = devices;
    this.#codes = sent.codes;
    this.#phones = sent.phones;
    this.#delivery = sent.delivery;
  }

  async withPassword(request: SignInRequest): Promise<StartedSession> {
    const name = normaliseUsername(request.username);
    const device = request.client.deviceName;
    // A right password with a second step to come, or an error, ends the check uncounted.
    return this.#lockout.guard(
      name,
      (tx, reason) => this.#failed(tx, name, this.#ctx.repos.accounts.byUsername(name), device, reason),
      (reservation) => this.#checkPassword(name, request, reservation),
    );
  }

  async #checkPassword(name: string, request: SignInRequest, reservation: Reservation): Promise<StartedSession> {
    const device = request.client.deviceName;
    const account = isValidUsername(name) ? this.#ctx.repos.accounts.byUsername(name) : undefined;
    // Unknown names cost the same argon2id work as known ones.
    const check =
      account === undefined
        ? { valid: await this.#ctx.hasher.verifyNothing(request.password), needsRehash: false }
        : await this.#ctx.hasher.verify(account.password_hash, request.password);

    if (account === undefined || !check.valid) {
      this.#ctx.change((tx) => {
        this.#lockout.recordFailure(tx, name, account, reservation);
        this.#failed(tx, name, account, device, account === undefined ? 'unknown_account' : 'wrong_password');
      });
      throw new LatchkeyError('INVALID_CREDENTIALS', BAD_CREDENTIALS);
    }
    if (account.status !== 'active') {
      this.#ctx.change((tx) => this.#failed(tx, name, account, device, 'account_disabled'));
      throw new LatchkeyError('ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator to enable it.');
    }
    const upgraded = check.needsRehash ? await this.#ctx.hasher.hash(request.password) : null;
    const trusted = hasSecondFactor(account) && request.deviceToken != null ? this.#devices.recognise(account, request.deviceToken) : null;
    const needs: ChallengeRow['purpose'] | null = hasSecondFactor(account)
      ? trusted === null
        ? 'verify'
        : null
      : this.#mfa.isRequired(account)
        ? 'enroll'
        : null;
    if (needs !== null) {
      // The password was right, but no session exists until the second step passes; the failure
      // count stays until then, so wrong codes keep adding to it.
      this.#ctx.change((tx) => {
        if (upgraded !== null) this.#rehash(tx, account, upgraded);
      });
      this.#challenge(account, needs, request);
    }
    return this.#refusedAtLimit(account, device, () =>
      this.#ctx.change((tx) => {
        this.#lockout.recordSuccess(tx, name, reservation);
        if (trusted !== null) tx.repos.mfa.touchTrustedDevice(trusted.id, this.#ctx.clock.now());
        if (upgraded !== null) this.#rehash(tx, account, upgraded);
        const started = this.#sessions.start(tx, {
          account,
          client: request.client,
          assurance: trusted === null ? 'password' : 'trusted_device',
          staySignedIn: request.staySignedIn === true,
        });
        tx.audit({
          type: 'signin.succeeded',
          outcome: 'success',
          actor: accountParty(account),
          target: accountParty(account),
          sessionId: started.session.id,
          device,
          details: { factors: trusted === null ? 'password' : 'password+trusted_device', host: request.client.host },
        });
        return started;
      }),
    );
  }

  /** The second step: a TOTP code or a backup code for the challenge the password step issued. */
  answer(answer: ChallengeAnswer): SignedIn {
    type Outcome =
      SignedIn | { refused: LatchkeyError } | { check: Exclude<CodeCheck, 'ok'>; attemptsLeft: number; codeAttemptsLeft: number | null };
    const channel = answer.factor === 'sms_code' ? 'sms' : answer.factor === 'email_code' ? 'email' : null;
    // One transaction from reading the challenge and the counter to recording the result, so
    // answers from several processes at once are counted like answers one after another.
    const attempt = (): Outcome =>
      this.#ctx.change((tx): Outcome => {
        const { challenge, account } = this.#liveChallenge(answer.challengeId, 'verify', answer.username);
        const client = JSON.parse(challenge.client) as ClientInfo;
        const refusal = this.#lockout.refusal(tx, account.username);
        if (refusal !== null) {
          this.#challengeFailed(tx, account, challenge, client, refusal.reason);
          return { refused: refusal.error };
        }
        const check = this.#mfa.checkFactor(tx, account, answer.factor, answer.code, challenge.id);
        if (check !== 'ok') {
          tx.repos.mfa.countChallengeAttempt(challenge.id);
          this.#lockout.recordFailure(tx, account.username, account);
          this.#challengeFailed(tx, account, challenge, client, this.#refusedCodeReason(account, answer, check));
          return {
            check,
            attemptsLeft: Math.max(0, CHALLENGE_ATTEMPTS - challenge.attempts - 1),
            codeAttemptsLeft: channel === null ? null : this.#codes.attemptsLeft(account, channel, 'signin'),
          };
        }
        if (!tx.repos.mfa.useChallenge(challenge.id, this.#ctx.clock.now())) throw new LatchkeyError('CHALLENGE_INVALID', CHALLENGE_GONE);
        this.#lockout.recordSuccess(tx, account.username);
        const started = this.#startTwoFactor(tx, account, challenge, client, `password+${answer.factor}`, assuranceOf(answer.factor));
        // A device is trusted on the strength of two factors; an e-mailed code is a fallback, not that.
        const deviceToken =
          answer.trustDevice === true && answer.factor !== 'email_code' ? this.#devices.trust(tx, account, client.deviceName) : null;
        const backupCodesLeft = answer.factor === 'backup_code' ? this.#ctx.repos.mfa.backupCodesLeft(account.id) : null;
        return { ...started, deviceToken, backupCodesLeft, backupCodes: null };
      });
    const { challenge, account } = this.#liveOrAudited(answer.challengeId, 'verify', answer.username);
    const outcome = this.#refusedAtLimit(account, (JSON.parse(challenge.client) as ClientInfo).deviceName, attempt);
    if ('refused' in outcome) throw outcome.refused;
    if ('check' in outcome) {
      const { check, attemptsLeft, codeAttemptsLeft } = outcome;
      if (codeAttemptsLeft === null) throwForCheck(check, { attemptsLeft });
      // A sent code allows fewer wrong tries than the step: once it is void, a new one can be asked for.
      throw new LatchkeyError(
        'CODE_INVALID',
        codeAttemptsLeft > 0 ? 'That code is not right.' : 'That code is not right, and it is void now. Ask for a new one.',
        { attemptsLeft, codeAttemptsLeft },
      );
    }
    return outcome;
  }

  /**
   * Sends a one-time code for the sign-in step by SMS or e-mail, within the sending limits, and
   * tries to deliver it at once. Offered only where it can work (MfaService.factorsOf); the code
   * answers this step only.
   */
  async sendCode(challengeId: string, channel: Channel, username?: string): Promise<SentCodeView> {
    const factor: SecondFactor = channel === 'sms' ? 'sms_code' : 'email_code';
    const sent = this.#ctx.change((tx) => {
      const { challenge, account } = this.#liveChallenge(challengeId, 'verify', username);
      const offer = this.#mfa.codeChannels(account).find((candidate) => candidate.channel === channel);
      if (offer?.problem != null || !this.#mfa.factorsOf(account).includes(factor)) {
        throw new LatchkeyError(
          'CONFLICT',
          `${CODE_CHANNEL_PROBLEM_TEXT[channel][offer?.problem ?? 'not_configured']} Use your authenticator app or a backup code.`,
        );
      }
      const to = channel === 'sms' ? this.#phones.provedNumber(account) : this.#addressOf(account);
      if (to === null) throw new LatchkeyError('CONFLICT', 'There is nowhere to send a code for this account.');
      return this.#codes.sendIn(tx, { account, channel, to: to.phone, masked: to.masked }, 'signin', challenge.id);
    });
    const { messageId, ...view } = sent;
    return { ...view, sent: await this.#delivery.sendNow(messageId) };
  }

  #addressOf(account: AccountRow): { phone: string; masked: string } | null {
    if (account.email_enc === null || account.email_verified_at === null) return null;
    const address = this.#ctx.vault.cipher.decrypt(account.email_enc, { table: 'accounts', column: 'email', rowId: account.id });
    return { phone: address, masked: maskEmail(address) };
  }

  /** Forced enrollment, first half: the authenticator secret for an account that policy says must have one. */
  beginEnrollment(challengeId: string): Promise<TotpSetupView> {
    const { account } = this.#liveOrAudited(challengeId, 'enroll');
    return this.#mfa.beginFor(account, null);
  }

  /** Forced enrollment, second half: a valid code turns TOTP on and starts the session. */
  confirmEnrollment(challengeId: string, code: string, options: { trustDevice?: boolean } = {}): SignedIn {
    const { challenge, account } = this.#liveOrAudited(challengeId, 'enroll');
    const client = JSON.parse(challenge.client) as ClientInfo;
    let backupCodes: string[];
    try {
      backupCodes = this.#mfa.confirmFor(account, code, null).backupCodes;
    } catch (error) {
      this.#ctx.change((tx) => tx.repos.mfa.countChallengeAttempt(challenge.id));
      throw error;
    }
    return this.#refusedAtLimit(account, client.deviceName, () =>
      this.#ctx.change((tx) => {
        if (!tx.repos.mfa.useChallenge(challenge.id, this.#ctx.clock.now())) throw new LatchkeyError('CHALLENGE_INVALID', CHALLENGE_GONE);
        this.#lockout.recordSuccess(tx, account.username);
        const enrolled = this.#account(account.id);
        const started = this.#startTwoFactor(tx, enrolled, challenge, client, 'password+totp');
        const deviceToken = options.trustDevice === true ? this.#devices.trust(tx, enrolled, client.deviceName) : null;
        return { ...started, deviceToken, backupCodesLeft: backupCodes.length, backupCodes };
      }),
    );
  }

  /** Ends the caller's session; a TOTP setup left half-done goes with it. */
  signOut(caller: Caller): void {
    this.#sessions.signOut(caller);
    this.#ctx.change((tx) => this.#mfa.dropSetup(tx, caller.accountId, 'signed_out'));
  }

  #challenge(account: AccountRow, purpose: ChallengeRow['purpose'], request: SignInRequest): never {
    const now = this.#ctx.clock.now();
    const id = newId('chal');
    const expiresAt = now + (purpose === 'enroll' ? SETUP_LIFETIME : CHALLENGE_LIFETIME);
    const factors = purpose === 'enroll' ? [] : this.#mfa.factorsOf(account);
    const codeChannels = purpose === 'enroll' ? [] : this.#mfa.codeChannels(account);
    this.#ctx.change((tx) => {
      tx.repos.mfa.insertChallenge({
        id,
        account_id: account.id,
        purpose,
        created_at: now,
        expires_at: expiresAt,
        attempts: 0,
        used_at: null,
        stay_signed_in: request.staySignedIn === true ? 1 : 0,
        client: JSON.stringify(request.client),
      });
      tx.audit({
        type: 'mfa.challenge_issued',
        outcome: 'success',
        target: accountParty(account),
        device: request.client.deviceName,
        reason: purpose === 'enroll' ? 'policy requires a second factor; enrollment first' : null,
        details: { challengeId: id, purpose },
      });
    });
    const details = { challengeId: id, factors, expiresAt, attemptsLeft: CHALLENGE_ATTEMPTS, codeChannels };
    if (purpose === 'enroll') {
      throw new LatchkeyError(
        'MFA_ENROLLMENT_REQUIRED',
        'This account must set up two-step sign-in before it can be used. Scan the QR code with an authenticator app and enter the code it shows.',
        details,
      );
    }
    throw new LatchkeyError('MFA_REQUIRED', 'Enter the code from your authenticator app, or a backup code.', details);
  }

  #liveChallenge(id: string, purpose: ChallengeRow['purpose'], username?: string): { challenge: ChallengeRow; account: AccountRow } {
    const challenge = this.#ctx.repos.mfa.challenge(id);
    const now = this.#ctx.clock.now();
    if (
      challenge === undefined ||
      challenge.purpose !== purpose ||
      challenge.used_at !== null ||
      challenge.expires_at <= now ||
      challenge.attempts >= CHALLENGE_ATTEMPTS
    ) {
      throw new LatchkeyError('CHALLENGE_INVALID', CHALLENGE_GONE);
    }
    const account = this.#ctx.repos.accounts.byId(challenge.account_id);
    if (account === undefined || (username !== undefined && normaliseUsername(username) !== account.username)) {
      throw new LatchkeyError('CHALLENGE_INVALID', CHALLENGE_GONE);
    }
    if (account.status !== 'active')
      throw new LatchkeyError('ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator to enable it.');
    return { challenge, account };
  }

  /** Why a code was refused, as audited: a backup code already spent is told apart, being a bypass attempt or a code list gone astray. */
  #refusedCodeReason(account: AccountRow, answer: ChallengeAnswer, check: Exclude<CodeCheck, 'ok'>): string {
    if (check === 'replayed') return 'code_replayed';
    if (answer.factor !== 'backup_code') return `wrong_${answer.factor}`;
    const canonical = canonicalBackupCode(answer.code);
    const digest = canonical === null ? null : backupCodeDigest(this.#ctx.vault.keys.lookupSecrets, canonical);
    return digest !== null && this.#ctx.repos.mfa.backupCodeSpent(account.id, digest) ? BACKUP_CODE_REUSED : 'wrong_backup_code';
  }

  /**
   * The challenge an answer is for. One answered after it expired or was used is refused like any
   * gone challenge, and audited: a second step sent again from a captured exchange is a way around it.
   */
  #liveOrAudited(id: string, purpose: ChallengeRow['purpose'], username?: string): { challenge: ChallengeRow; account: AccountRow } {
    try {
      return this.#liveChallenge(id, purpose, username);
    } catch (error) {
      const stale = this.#ctx.repos.mfa.challenge(id);
      const owner = stale === undefined ? undefined : this.#ctx.repos.accounts.byId(stale.account_id);
      const reason =
        stale === undefined
          ? null
          : stale.used_at !== null
            ? STALE_CHALLENGE.spent
            : stale.expires_at <= this.#ctx.clock.now()
              ? STALE_CHALLENGE.expired
              : null;
      if (isLatchkeyError(error) && error.code === 'CHALLENGE_INVALID' && owner !== undefined && reason !== null) {
        this.#ctx.change((tx) =>
          tx.audit({ type: 'mfa.challenge_failed', outcome: 'denied', target: accountParty(owner), reason, details: { challengeId: id } }),
        );
      }
      throw error;
    }
  }

  #startTwoFactor(
    tx: Change,
    account: AccountRow,
    challenge: ChallengeRow,
    client: ClientInfo,
    factors: string,
    assurance: Assurance = 'two_factor',
  ): StartedSession {
    const started = this.#sessions.start(tx, { account, client, assurance, staySignedIn: challenge.stay_signed_in === 1 });
    tx.audit({
      type: 'signin.succeeded',
      outcome: 'success',
      actor: accountParty(account),
      target: accountParty(account),
      sessionId: started.session.id,
      device: client.deviceName,
      details: { factors, host: client.host },
    });
    return started;
  }

  #challengeFailed(tx: Change, account: AccountRow, challenge: ChallengeRow, client: ClientInfo, reason: string): void {
    tx.audit({
      type: 'mfa.challenge_failed',
      outcome: 'failure',
      target: accountParty(account),
      device: client.deviceName,
      reason,
      details: { challengeId: challenge.id, attempt: challenge.attempts + 1 },
    });
  }

  #account(id: string): AccountRow {
    const row = this.#ctx.repos.accounts.byId(id);
    if (row === undefined) throw new LatchkeyError('CHALLENGE_INVALID', CHALLENGE_GONE);
    return row;
  }

  /** Runs a session start; when the per-account limit refuses it, the refusal is audited after the rollback. */
  #refusedAtLimit<T>(account: AccountRow, device: string, start: () => T): T {
    try {
      return start();
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_LIMIT_REACHED') {
        this.#ctx.change((tx) =>
          tx.audit({
            type: 'session.limit_denied',
            outcome: 'denied',
            target: accountParty(account),
            device,
            reason: 'session limit reached',
          }),
        );
      }
      throw error;
    }
  }

  #rehash(tx: Change, account: AccountRow, upgraded: string): void {
    tx.repos.accounts.setPasswordHash(account.id, upgraded, this.#ctx.clock.now(), false);
    tx.audit({
      type: 'password.rehashed',
      outcome: 'success',
      target: accountParty(account),
      reason: 'stored hash weaker than current parameters',
    });
  }

  #failed(tx: Change, name: string, account: AccountRow | undefined, device: string, reason: string): void {
    tx.audit({
      type: 'signin.failed',
      outcome: 'failure',
      // An unknown name may be a password typed into the wrong field: only its digest is kept,
      // enough to see that one name is tried again and again.
      target:
        account === undefined ? { id: null, name: `unknown name #${this.#lockout.nameKey(name).slice(0, 12)}` } : accountParty(account),
      device,
      reason,
    });
  }
}

/** A session won with an e-mailed code is marked lower than two factors: a mailbox is often how a password is reset. */
function assuranceOf(factor: SecondFactor): Assurance {
  return factor === 'email_code' ? 'email_code' : 'two_factor';
}
