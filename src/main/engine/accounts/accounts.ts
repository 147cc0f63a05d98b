import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountView, Role } from '../../../shared/views.js';
import type { AccountRow } from '../../store/accounts.js';
import { type Caller, partyOf, requireAdmin, requireSelfOrAdmin } from '../caller.js';
import { accountParty } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { newId } from '../crypto/random.js';
import type { Lockout } from '../lockout/lockout.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { hasSecondFactor } from '../mfa/second-factor-rule.js';
import type { SessionService } from '../sessions/sessions.js';
import type { Change } from '../write-path.js';
import type { EmailVerification } from '../email/email-verification.js';
import { requireValidEmail, requireValidUsername } from './usernames.js';

export interface NewAccount {
  readonly username: string;
  readonly password: string;
  readonly role?: Role;
  readonly email?: string | null;
  readonly displayName?: string;
}

const NOT_FOUND = (name: string): LatchkeyError => new LatchkeyError('NOT_FOUND', `There is no account named "${name}".`);

export class AccountService {
  readonly #ctx: EngineContext;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;
  readonly #verification: EmailVerification;

  constructor(ctx: EngineContext, sessions: SessionService, lockout: Lockout, verification: EmailVerification) {
    this.#ctx = ctx;
    this.#sessions = sessions;
    this.#lockout = lockout;
    this.#verification = verification;
  }

  isInitialised(): boolean {
    return this.#ctx.repos.accounts.count() > 0;
  }

  /** First run: creates the first admin. There is never a default account or password. */
  async initialise(input: NewAccount): Promise<AccountView> {
    if (this.isInitialised()) {
      throw new LatchkeyError('ALREADY_INITIALISED', 'This vault already has accounts; ask an administrator to add yours.');
    }
    const row = await this.#prepare({ ...input, role: 'admin' });
    this.#ctx.change((tx) => {
      if (this.#ctx.repos.accounts.count() > 0) {
        throw new LatchkeyError('ALREADY_INITIALISED', 'This vault already has accounts; ask an administrator to add yours.');
      }
      tx.repos.accounts.insert(row);
      const party = accountParty(row);
      tx.audit({ type: 'vault.initialised', outcome: 'success', actor: party, details: { vaultId: this.#ctx.vault.id } });
      tx.audit({ type: 'account.created', outcome: 'success', actor: party, target: party, details: { role: 'admin' } });
      // Waits in the outbox until mail is set up: the first admin proves the address then.
      if (row.email_enc !== null) this.#verification.sendIn(tx, row, null);
    });
    return this.view(row);
  }

  async add(caller: Caller, input: NewAccount): Promise<AccountView> {
    requireAdmin(caller);
    const row = await this.#prepare(input);
    this.#ctx.change((tx) => {
      if (this.#ctx.repos.accounts.byUsername(row.username) !== undefined) {
        throw new LatchkeyError('CONFLICT', `An account named "${row.username}" already exists.`);
      }
      tx.repos.accounts.insert(row);
      tx.audit({
        type: 'account.created',
        outcome: 'success',
        actor: partyOf(caller),
        target: accountParty(row),
        sessionId: caller.sessionId,
        details: { role: row.role, hasEmail: row.email_enc !== null },
      });
      if (row.email_enc !== null) this.#verification.sendIn(tx, row, caller);
    });
    return this.view(row);
  }

  list(caller: Caller): AccountView[] {
    requireAdmin(caller);
    return this.#ctx.repos.accounts.all().map((row) => this.view(row));
  }

  show(caller: Caller, username: string): AccountView {
    const row = this.find(username);
    requireSelfOrAdmin(caller, row.id);
    return this.view(row);
  }

  disable(caller: Caller, username: string): AccountView {
    requireAdmin(caller);
    const row = this.find(username);
    if (row.status === 'disabled') return this.view(row);
    this.#ctx.change((tx) => {
      this.#keepAnAdmin(row, 'disable');
      tx.repos.accounts.setStatus(row.id, 'disabled', this.#ctx.clock.now());
      this.#sessions.endAllForAccount(tx, row.id, 'account_disabled', caller);
      this.#audit(tx, caller, 'account.disabled', row);
    });
    return this.view(this.find(username));
  }

  enable(caller: Caller, username: string): AccountView {
    requireAdmin(caller);
    const row = this.find(username);
    if (row.status === 'active') return this.view(row);
    this.#ctx.change((tx) => {
      tx.repos.accounts.setStatus(row.id, 'active', this.#ctx.clock.now());
      this.#audit(tx, caller, 'account.enabled', row);
    });
    return this.view(this.find(username));
  }

  /**
   * An administrator makes an account an administrator or a user. The vault always keeps one
   * active administrator; a demoted one loses the rights at its next call, as roles are read then.
   */
  setRole(caller: Caller, username: string, role: AccountRow['role']): AccountView {
    requireAdmin(caller);
    const row = this.find(username);
    if (row.role === role) return this.view(row);
    this.#ctx.change((tx) => {
      if (role === 'user') this.#keepAnAdmin(row, 'make a user of');
      tx.repos.accounts.setRole(row.id, role, this.#ctx.clock.now());
      this.#audit(tx, caller, 'account.role_changed', row, { role, previousRole: row.role });
    });
    return this.view(this.find(username));
  }

  unlock(caller: Caller, username: string): AccountView {
    requireAdmin(caller);
    const row = this.find(username);
    this.#ctx.change((tx) => {
      const state = this.#lockout.state(row.username);
      if (this.#lockout.clear(tx, row.username)) {
        this.#audit(tx, caller, 'account.unlocked', row, { failures: state.failures, wasLocked: state.locked });
      }
    });
    return this.view(row);
  }

  /**
   * What deleting an account would do, refused exactly as the deletion would be: what a host shows
   * a person before they confirm.
   */
  deletionImpact(caller: Caller, username: string): { readonly username: string; readonly activeSessions: number } {
    const row = this.#deletable(caller, username);
    this.#keepAnAdmin(row, 'delete');
    return { username: row.username, activeSessions: this.#ctx.repos.sessions.activeForAccount(row.id).length };
  }

  delete(caller: Caller, username: string): void {
    const row = this.#deletable(caller, username);
    this.#ctx.change((tx) => {
      this.#keepAnAdmin(row, 'delete');
      this.#sessions.endAllForAccount(tx, row.id, 'account_disabled', caller);
      this.#lockout.clear(tx, row.username);
      tx.repos.accounts.delete(row.id);
      this.#audit(tx, caller, 'account.deleted', row, { role: row.role });
    });
  }

  /** A user changes their own password: the current one is needed, and every other session ends. */
  async changeOwnPassword(caller: Caller, currentPassword: string, newPassword: string): Promise<void> {
    const row = this.#byId(caller.accountId);
    await this.#requireCurrentPassword(caller, row, currentPassword, 'password.changed');
    // Compared only once the current one is proved, so the answer tells nothing a guesser did not know.
    if (currentPassword.normalize('NFKC') === newPassword.normalize('NFKC')) {
      throw new LatchkeyError('PASSWORD_REJECTED', 'The new password is the current one. Choose a different one.', {
        rule: 'same_as_current',
      });
    }
    const hash = await this.#hashNew(row, newPassword);
    this.#ctx.change((tx) => {
      tx.repos.accounts.setPasswordHash(row.id, hash, this.#ctx.clock.now(), true);
      this.#sessions.endAllForAccount(tx, row.id, 'password_changed', caller, caller.sessionId);
      const devices = tx.repos.mfa.revokeTrustedDevices(row.id, this.#ctx.clock.now(), 'password_changed');
      this.#audit(tx, caller, 'password.changed', row, { trustedDevicesRevoked: devices });
    });
  }

  /**
   * A new e-mail address (or none) for an account: your own with your current password, anyone's
   * as an administrator. The new address is unverified and is mailed a link; the old one, if it was
   * verified, is told of the change, so a stolen session cannot move the account's mail unseen.
   */
  async setEmail(caller: Caller, username: string, email: string | null, currentPassword?: string): Promise<AccountView> {
    const row = this.find(username);
    requireSelfOrAdmin(caller, row.id);
    const address = email === null || email === '' ? null : requireValidEmail(email);
    if (row.id === caller.accountId) {
      if (currentPassword === undefined)
        throw new LatchkeyError('INVALID_INPUT', 'To change your own address, give your current password too.');
      await this.#requireCurrentPassword(caller, row, currentPassword, 'account.email_changed');
    }
    this.#ctx.change((tx) => {
      const current = this.#byId(row.id);
      const previous = current.email_verified_at === null ? null : this.#email(current);
      const now = this.#ctx.clock.now();
      const sealed =
        address === null ? null : this.#ctx.vault.cipher.encrypt(address, { table: 'accounts', column: 'email', rowId: row.id });
      tx.repos.accounts.setEmail(row.id, sealed, now);
      tx.repos.emailVerifications.delete(row.id);
      this.#audit(tx, caller, 'account.email_changed', current, { hasEmail: address !== null });
      if (previous !== null && previous !== address) {
        tx.outbox({
          channel: 'email',
          to: previous,
          account: current,
          content: {
            kind: 'notice',
            notice: 'email_changed',
            username: current.username,
            at: now,
            device: caller.deviceName,
            remaining: null,
          },
        });
      }
      if (address !== null) this.#verification.sendIn(tx, this.#byId(row.id), caller);
    });
    return this.view(this.#byId(row.id));
  }

  /** The current password, checked like a sign-in's (throttled and counted), so a stolen session cannot guess it. */
  async #requireCurrentPassword(
    caller: Caller,
    row: AccountRow,
    password: string,
    type: 'password.changed' | 'account.email_changed' | 'phone.added',
  ): Promise<void> {
    await this.#lockout.guard(
      row.username,
      (tx, reason) => this.#audit(tx, caller, type, row, undefined, 'failure', reason),
      async (reservation) => {
        const check = await this.#ctx.hasher.verify(row.password_hash, password);
        if (check.valid) return;
        this.#ctx.change((tx) => {
          this.#lockout.recordFailure(tx, row.username, row, reservation);
          this.#audit(tx, caller, type, row, undefined, 'failure', 'wrong_current_password');
        });
        throw new LatchkeyError('INVALID_CREDENTIALS', 'The current password is not correct.');
      },
    );
  }

  /**
   * The caller's own password, before a change a stolen session must not make alone: a new way to
   * pass the second step (a phone) would outlive the session it was added from.
   */
  confirmOwnPassword(caller: Caller, password: string, type: 'phone.added'): Promise<void> {
    return this.#requireCurrentPassword(caller, this.#byId(caller.accountId), password, type);
  }

  /** An admin sets another account's password: all of that account's sessions end. */
  async resetPassword(caller: Caller, username: string, newPassword: string): Promise<void> {
    requireAdmin(caller);
    const row = this.find(username);
    if (row.id === caller.accountId) {
      throw new LatchkeyError('INVALID_INPUT', 'To change your own password, give the current one too (latchkey account passwd).');
    }
    const hash = await this.#hashNew(row, newPassword);
    this.#ctx.change((tx) => {
      tx.repos.accounts.setPasswordHash(row.id, hash, this.#ctx.clock.now(), true);
      this.#sessions.endAllForAccount(tx, row.id, 'password_changed', caller);
      this.#lockout.clear(tx, row.username);
      const devices = tx.repos.mfa.revokeTrustedDevices(row.id, this.#ctx.clock.now(), 'password_changed');
      this.#audit(tx, caller, 'password.reset', row, { trustedDevicesRevoked: devices });
    });
  }

  find(username: string): AccountRow {
    const row = this.#ctx.repos.accounts.byUsername(requireValidUsername(username));
    if (row === undefined) throw NOT_FOUND(username);
    return row;
  }

  view(row: AccountRow): AccountView {
    const lock = this.#lockout.state(row.username);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      status: row.status,
      email: this.#email(row),
      emailVerifiedAt: row.email_verified_at,
      createdAt: row.created_at,
      passwordChangedAt: row.password_changed_at,
      lockedUntil: lock.retryAt,
      failedSignIns: lock.failures,
      mfaState: row.mfa_state,
    };
  }

  #byId(id: string): AccountRow {
    const row = this.#ctx.repos.accounts.byId(id);
    if (row === undefined) throw new LatchkeyError('SESSION_EXPIRED', 'Your account no longer exists.');
    return row;
  }

  async #prepare(input: NewAccount): Promise<AccountRow> {
    const username = requireValidUsername(input.username);
    const email = input.email == null || input.email === '' ? null : requireValidEmail(input.email);
    checkPasswordPolicy(input.password, { username, email, hasSecondFactor: false });
    const id = newId('acc');
    const now = this.#ctx.clock.now();
    const displayName = (input.displayName ?? input.username).normalize('NFKC').trim().slice(0, 128) || username;
    return {
      id,
      username,
      display_name: displayName,
      role: input.role ?? 'user',
      status: 'active',
      email_enc: email === null ? null : this.#ctx.vault.cipher.encrypt(email, { table: 'accounts', column: 'email', rowId: id }),
      password_hash: await this.#ctx.hasher.hash(input.password),
      password_changed_at: now,
      created_at: now,
      updated_at: now,
      mfa_state: 'DISABLED',
      notice: null,
      email_verified_at: null,
    };
  }

  async #hashNew(row: AccountRow, password: string): Promise<string> {
    checkPasswordPolicy(password, { username: row.username, email: this.#email(row), hasSecondFactor: hasSecondFactor(row) });
    return this.#ctx.hasher.hash(password);
  }

  #email(row: AccountRow): string | null {
    return row.email_enc === null
      ? null
      : this.#ctx.vault.cipher.decrypt(row.email_enc, { table: 'accounts', column: 'email', rowId: row.id });
  }

  /** Inside a transaction: the vault must always keep one active admin. */
  #deletable(caller: Caller, username: string): AccountRow {
    requireAdmin(caller);
    const row = this.find(username);
    if (row.id === caller.accountId) {
      throw new LatchkeyError('CONFLICT', 'You cannot delete the account you are signed in with.');
    }
    return row;
  }

  #keepAnAdmin(row: AccountRow, action: string): void {
    if (row.role === 'admin' && row.status === 'active' && this.#ctx.repos.accounts.countActiveAdmins() <= 1) {
      throw new LatchkeyError('CONFLICT', `Cannot ${action} the last active administrator.`);
    }
  }

  #audit(
    tx: Change,
    caller: Caller,
    type:
      | 'account.disabled'
      | 'account.enabled'
      | 'account.unlocked'
      | 'account.deleted'
      | 'account.email_changed'
      | 'account.role_changed'
      | 'password.changed'
      | 'password.reset'
      | 'phone.added',
    row: AccountRow,
    details?: Record<string, string | number | boolean | null>,
    outcome: 'success' | 'failure' = 'success',
    reason?: string,
  ): void {
    tx.audit({
      type,
      outcome,
      actor: partyOf(caller),
      target: accountParty(row),
      sessionId: caller.sessionId,
      device: caller.deviceName,
      ...(details === undefined ? {} : { details }),
      ...(reason === undefined ? {} : { reason }),
    });
  }
}
