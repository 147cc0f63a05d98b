import type { AccountNotice } from '../../shared/notices.js';
import type { Db } from './database.js';

export interface AccountRow {
  readonly id: string;
  readonly username: string;
  readonly display_name: string;
  readonly role: 'admin' | 'user';
  readonly status: 'active' | 'disabled';
  readonly email_enc: string | null;
  readonly password_hash: string;
  readonly password_changed_at: number;
  readonly created_at: number;
  readonly updated_at: number;
  readonly mfa_state: 'DISABLED' | 'SETUP_IN_PROGRESS' | 'ENABLED';
  readonly notice: string | null;
  /** When the owner of the address proved it through a verification link; null until then. */
  readonly email_verified_at: number | null;
}

export class AccountRepository {
  readonly #byId;
  readonly #byUsername;
  readonly #all;
  readonly #count;
  readonly #countActiveAdmins;
  readonly #insert;
  readonly #setStatus;
  readonly #setPassword;
  readonly #delete;
  readonly #setMfaState;
  readonly #setNotice;
  readonly #setEmailVerified;

  constructor(db: Db) {
    this.#byId = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?');
    this.#byUsername = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username = ?');
    this.#all = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY username');
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts');
    this.#countActiveAdmins = db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM accounts WHERE role = 'admin' AND status = 'active'",
    );
    this.#insert = db.prepare<AccountRow>(
      `INSERT INTO accounts (id, username, display_name, role, status, email_enc, password_hash, password_changed_at,
         created_at, updated_at, mfa_state, notice, email_verified_at)
       VALUES (@id, @username, @display_name, @role, @status, @email_enc, @password_hash, @password_changed_at,
         @created_at, @updated_at, @mfa_state, @notice, @email_verified_at)`,
    );
    this.#setMfaState = db.prepare<[string, number, string]>('UPDATE accounts SET mfa_state = ?, updated_at = ? WHERE id = ?');
    this.#setNotice = db.prepare<[string | null, string]>('UPDATE accounts SET notice = ? WHERE id = ?');
    this.#setEmailVerified = db.prepare<[number, number, string]>('UPDATE accounts SET email_verified_at = ?, updated_at = ? WHERE id = ?');
    this.#setStatus = db.prepare<[string, number, string]>('UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?');
    this.#setPassword = db.prepare<{ id: string; hash: string; at: number; changed: number }>(
      `UPDATE accounts SET password_hash = @hash, updated_at = @at,
         password_changed_at = CASE WHEN @changed = 1 THEN @at ELSE password_changed_at END
       WHERE id = @id`,
    );
    this.#delete = db.prepare<[string]>('DELETE FROM accounts WHERE id = ?');
  }

  byId(id: string): AccountRow | undefined {
    return this.#byId.get(id);
  }

  byUsername(username: string): AccountRow | undefined {
    return this.#byUsername.get(username);
  }

  all(): AccountRow[] {
    return this.#all.all();
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }

  countActiveAdmins(): number {
    return this.#countActiveAdmins.get()?.n ?? 0;
  }

  insert(row: AccountRow): void {
    this.#insert.run(row);
  }

  setStatus(id: string, status: AccountRow['status'], at: number): void {
    this.#setStatus.run(status, at, id);
  }

  /** `changed` is false for a rehash: same password, stronger hash. */
  setPasswordHash(id: string, hash: string, at: number, changed: boolean): void {
    this.#setPassword.run({ id, hash, at, changed: changed ? 1 : 0 });
  }

  setMfaState(id: string, state: AccountRow['mfa_state'], at: number): void {
    this.#setMfaState.run(state, at, id);
  }

  setNotice(id: string, notice: AccountNotice | null): void {
    this.#setNotice.run(notice, id);
  }

  setEmailVerified(id: string, at: number): void {
    this.#setEmailVerified.run(at, at, id);
  }

  delete(id: string): void {
    this.#delete.run(id);
  }
}

/** The reads of accounts: what a rule may call outside a change (writes go through the write path). */
export const ACCOUNT_READS = ['byId', 'byUsername', 'all', 'count', 'countActiveAdmins'] as const satisfies readonly (keyof AccountRepository)[];
export type AccountReads = Pick<AccountRepository, (typeof ACCOUNT_READS)[number]>;
