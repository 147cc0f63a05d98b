import { ACCOUNT_NOTICES, type AccountNotice } from '../../shared/notices.js';
import { ACCOUNT_STATUSES, MFA_STATES, ROLES, type AccountStatus, type MfaState, type Role } from '../../shared/views.js';
import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { closedColumns } from './row-values.js';

export interface AccountRow {
  readonly id: string;
  readonly username: string;
  readonly display_name: string;
  readonly role: Role;
  readonly status: AccountStatus;
  readonly email_enc: string | null;
  readonly password_hash: string;
  readonly password_changed_at: number;
  readonly created_at: number;
  readonly updated_at: number;
  readonly mfa_state: MfaState;
  /** Told to the account holder at their next sign-in, then cleared. */
  readonly notice: AccountNotice | null;
  /** When the owner of the address proved it through a verification link; null until then. */
  readonly email_verified_at: number | null;
}

/**
 * Every column but the e-mail address is sealed: who the account is, its role and status, its
 * password hash and second-factor state decide who signs in and what they may do.
 */
export const ACCOUNTS: SealedTable<AccountRow> = {
  name: 'accounts',
  key: ['id'],
  sealed: [
    'id',
    'username',
    'display_name',
    'role',
    'status',
    'password_hash',
    'password_changed_at',
    'created_at',
    'updated_at',
    'mfa_state',
    'notice',
    'email_verified_at',
  ],
  unsealed: {
    // AES-256-GCM with the table, column and row id as associated data already: it cannot be forged
    // or moved to another row. The verification link binds itself to this very ciphertext.
    email_enc: 'sealed by its own cipher, bound to its row',
  },
  closed: closedColumns<AccountRow>({ role: ROLES, status: ACCOUNT_STATUSES, mfa_state: MFA_STATES, notice: [...ACCOUNT_NOTICES, null] }),
  rowId: (row) => row.id,
  accountId: (row) => row.id,
};

export class AccountRepository {
  readonly #seal: RowSeal;
  readonly #writes: SealedWrites<AccountRow>;
  readonly #byId;
  readonly #byUsername;
  readonly #all;
  readonly #count;
  readonly #activeAdmins;
  readonly #delete;

  constructor(db: Db, seal: RowSeal) {
    this.#seal = seal;
    this.#writes = new SealedWrites(db, seal, ACCOUNTS);
    this.#byId = db.prepare<[string], Stored<AccountRow>>('SELECT * FROM accounts WHERE id = ?');
    this.#byUsername = db.prepare<[string], Stored<AccountRow>>('SELECT * FROM accounts WHERE username = ?');
    this.#all = db.prepare<[], Stored<AccountRow>>('SELECT * FROM accounts ORDER BY username');
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts');
    this.#activeAdmins = db.prepare<[], Stored<AccountRow>>("SELECT * FROM accounts WHERE role = 'admin' AND status = 'active'");
    this.#delete = db.prepare<[string]>('DELETE FROM accounts WHERE id = ?');
  }

  byId(id: string): AccountRow | undefined {
    return this.#seal.openMaybe(ACCOUNTS, this.#byId.get(id));
  }

  byUsername(username: string): AccountRow | undefined {
    return this.#seal.openMaybe(ACCOUNTS, this.#byUsername.get(username));
  }

  all(): AccountRow[] {
    return this.#seal.openAll(ACCOUNTS, this.#all.all());
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }

  /** Each one checked: a row made an admin in the file must not stand in for a real one. */
  countActiveAdmins(): number {
    return this.#seal.openAll(ACCOUNTS, this.#activeAdmins.all()).length;
  }

  insert(row: AccountRow): void {
    this.#writes.insert(row);
  }

  setStatus(id: string, status: AccountRow['status'], at: number): void {
    this.#update(id, (row) => ({ ...row, status, updated_at: at }));
  }

  setRole(id: string, role: AccountRow['role'], at: number): void {
    this.#update(id, (row) => ({ ...row, role, updated_at: at }));
  }

  /** `changed` is false for a rehash: same password, stronger hash. */
  setPasswordHash(id: string, hash: string, at: number, changed: boolean): void {
    this.#update(id, (row) => ({
      ...row,
      password_hash: hash,
      updated_at: at,
      password_changed_at: changed ? at : row.password_changed_at,
    }));
  }

  setMfaState(id: string, state: AccountRow['mfa_state'], at: number): void {
    this.#update(id, (row) => ({ ...row, mfa_state: state, updated_at: at }));
  }

  setNotice(id: string, notice: AccountNotice | null): void {
    this.#update(id, (row) => ({ ...row, notice }));
  }

  /** A new address (or none) is not verified, whatever the old one was. */
  setEmail(id: string, emailEnc: string | null, at: number): void {
    this.#update(id, (row) => ({ ...row, email_enc: emailEnc, email_verified_at: null, updated_at: at }));
  }

  setEmailVerified(id: string, at: number): void {
    this.#update(id, (row) => ({ ...row, email_verified_at: at, updated_at: at }));
  }

  delete(id: string): void {
    this.#delete.run(id);
  }

  /** The row as it stands (checked), changed and sealed again; nothing when there is no such row. */
  #update(id: string, change: (row: AccountRow) => AccountRow): void {
    const row = this.byId(id);
    if (row !== undefined) this.#writes.rewrite(change(row));
  }
}

/** The reads of accounts: what a rule may call outside a change (writes go through the write path). */
export const ACCOUNT_READS = [
  'byId',
  'byUsername',
  'all',
  'count',
  'countActiveAdmins',
] as const satisfies readonly (keyof AccountRepository)[];
export type AccountReads = Pick<AccountRepository, (typeof ACCOUNT_READS)[number]>;
