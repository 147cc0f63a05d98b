import {
  ASSURANCES,
  SESSION_END_REASONS,
  SESSION_HOSTS,
  type Assurance,
  type SessionEndReason,
  type SessionHost,
} from '../../shared/views.js';
import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { FLAGS, type Flag, closedColumns } from './row-values.js';

export interface SessionRow {
  readonly id: string;
  readonly account_id: string;
  readonly token_hash: Buffer;
  readonly family_id: string | null;
  readonly assurance: Assurance;
  readonly host: SessionHost;
  readonly device_name: string;
  readonly os_user: string | null;
  readonly ip: string | null;
  readonly user_agent: string;
  readonly created_at: number;
  readonly last_active_at: number;
  readonly expires_at: number;
  readonly active: Flag;
  readonly ended_at: number | null;
  readonly end_reason: SessionEndReason | null;
}

export interface SessionFamilyRow {
  readonly id: string;
  readonly account_id: string;
  readonly assurance: Assurance;
  readonly created_at: number;
  readonly expires_at: number;
  readonly revoked_at: number | null;
  /** Revoking a family ends its sessions, for the same reason. */
  readonly revoke_reason: SessionEndReason | null;
}

export interface RefreshTokenRow {
  readonly token_hash: Buffer;
  readonly family_id: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly used_at: number | null;
}

/**
 * Every column of a session is sealed, its last activity too: pushed later in the file, it would
 * stretch the idle timeout. Sealing it costs one more HMAC when a session is touched, at most once a
 * minute (TOUCH_INTERVAL), on a write that happens anyway.
 */
export const SESSIONS: SealedTable<SessionRow> = {
  name: 'sessions',
  key: ['id'],
  sealed: [
    'id',
    'account_id',
    'token_hash',
    'family_id',
    'assurance',
    'host',
    'device_name',
    'os_user',
    'ip',
    'user_agent',
    'created_at',
    'last_active_at',
    'expires_at',
    'active',
    'ended_at',
    'end_reason',
  ],
  unsealed: {},
  closed: closedColumns<SessionRow>({
    assurance: ASSURANCES,
    host: SESSION_HOSTS,
    active: FLAGS,
    end_reason: [...SESSION_END_REASONS, null],
  }),
  rowId: (row) => row.id,
  accountId: (row) => row.account_id,
};

export const SESSION_FAMILIES: SealedTable<SessionFamilyRow> = {
  name: 'session_families',
  key: ['id'],
  sealed: ['id', 'account_id', 'assurance', 'created_at', 'expires_at', 'revoked_at', 'revoke_reason'],
  unsealed: {},
  closed: closedColumns<SessionFamilyRow>({ assurance: ASSURANCES, revoke_reason: [...SESSION_END_REASONS, null] }),
  rowId: (row) => row.id,
  accountId: (row) => row.account_id,
};

/** Keyed by the token's hash, which no message shows; the family names the row. */
export const REFRESH_TOKENS: SealedTable<RefreshTokenRow> = {
  name: 'refresh_tokens',
  key: ['token_hash'],
  sealed: ['token_hash', 'family_id', 'created_at', 'expires_at', 'used_at'],
  unsealed: {},
  closed: closedColumns<RefreshTokenRow>({}),
  rowId: () => null,
  accountId: () => null,
};

/** Sessions, their "stay signed in" families and the families' refresh tokens. */
export class SessionRepository {
  readonly #seal: RowSeal;
  readonly #sessions: SealedWrites<SessionRow>;
  readonly #families: SealedWrites<SessionFamilyRow>;
  readonly #refreshTokens: SealedWrites<RefreshTokenRow>;
  readonly #byId;
  readonly #byTokenHash;
  readonly #activeForAccount;
  readonly #forAccount;
  readonly #activeAll;
  readonly #all;
  readonly #timedOut;
  readonly #deleteEnded;
  readonly #family;
  readonly #activeInFamily;
  readonly #refresh;
  readonly #deleteDeadFamilies;

  constructor(db: Db, seal: RowSeal) {
    this.#seal = seal;
    this.#sessions = new SealedWrites(db, seal, SESSIONS);
    this.#families = new SealedWrites(db, seal, SESSION_FAMILIES);
    this.#refreshTokens = new SealedWrites(db, seal, REFRESH_TOKENS);
    this.#byId = db.prepare<[string], Stored<SessionRow>>('SELECT * FROM sessions WHERE id = ?');
    this.#byTokenHash = db.prepare<[Buffer], Stored<SessionRow>>('SELECT * FROM sessions WHERE token_hash = ?');
    // rowid breaks ties in insertion order: ids are random, so "created_at, id" could evict a newer
    // session begun in the same millisecond instead of the oldest.
    this.#activeForAccount = db.prepare<[string], Stored<SessionRow>>(
      'SELECT * FROM sessions WHERE account_id = ? AND active = 1 ORDER BY created_at, rowid',
    );
    this.#forAccount = db.prepare<[string], Stored<SessionRow>>('SELECT * FROM sessions WHERE account_id = ? ORDER BY created_at DESC, id');
    this.#activeAll = db.prepare<[], Stored<SessionRow>>('SELECT * FROM sessions WHERE active = 1 ORDER BY created_at DESC, id');
    this.#all = db.prepare<[], Stored<SessionRow>>('SELECT * FROM sessions ORDER BY created_at DESC, id');
    // One range per deadline, each on its own partial index, so a batch reads the rows it ends and
    // no more; an OR of the three would read every active session.
    this.#timedOut = db.prepare<{ now: number; idleMs: number; absoluteMs: number; limit: number }, Stored<SessionRow>>(
      `SELECT * FROM sessions WHERE rowid IN (
         SELECT rowid FROM (SELECT rowid FROM sessions WHERE active = 1 AND expires_at <= @now LIMIT @limit)
         UNION ALL SELECT rowid FROM (SELECT rowid FROM sessions WHERE active = 1 AND last_active_at <= @now - @idleMs LIMIT @limit)
         UNION ALL SELECT rowid FROM (SELECT rowid FROM sessions WHERE active = 1 AND created_at <= @now - @absoluteMs LIMIT @limit))
       LIMIT @limit`,
    );
    this.#deleteEnded = db.prepare<{ before: number; limit: number }>(
      `DELETE FROM sessions WHERE rowid IN (
         SELECT rowid FROM sessions WHERE active = 0 AND ended_at < @before LIMIT @limit)`,
    );
    this.#family = db.prepare<[string], Stored<SessionFamilyRow>>('SELECT * FROM session_families WHERE id = ?');
    this.#activeInFamily = db.prepare<[string], Stored<SessionRow>>('SELECT * FROM sessions WHERE family_id = ? AND active = 1');
    this.#refresh = db.prepare<[Buffer], Stored<RefreshTokenRow>>('SELECT * FROM refresh_tokens WHERE token_hash = ?');
    // Revoked and expired families through their own indexes, as for timed-out sessions.
    this.#deleteDeadFamilies = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM session_families WHERE id IN (
         SELECT f.id FROM (
           SELECT id FROM session_families WHERE revoked_at IS NOT NULL
           UNION ALL SELECT id FROM session_families WHERE expires_at <= @now) AS f
         WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.family_id = f.id AND s.active = 1)
         LIMIT @limit)`,
    );
  }

  insert(row: SessionRow): void {
    this.#sessions.insert(row);
  }

  byId(id: string): SessionRow | undefined {
    return this.#seal.openMaybe(SESSIONS, this.#byId.get(id));
  }

  byTokenHash(hash: Buffer): SessionRow | undefined {
    return this.#seal.openMaybe(SESSIONS, this.#byTokenHash.get(hash));
  }

  /** Oldest first. */
  activeForAccount(accountId: string): SessionRow[] {
    return this.#seal.openAll(SESSIONS, this.#activeForAccount.all(accountId));
  }

  /** Newest first. */
  list(options: { accountId?: string; includeEnded: boolean }): SessionRow[] {
    const rows =
      options.accountId === undefined
        ? options.includeEnded
          ? this.#all.all()
          : this.#activeAll.all()
        : this.#forAccount.all(options.accountId);
    return this.#seal.openAll(SESSIONS, options.includeEnded ? rows : rows.filter((row) => row.active === 1));
  }

  touch(id: string, at: number): void {
    const row = this.byId(id);
    if (row?.active === 1) this.#sessions.rewrite({ ...row, last_active_at: at });
  }

  /** Returns false when the session had already ended. */
  end(id: string, at: number, reason: SessionEndReason): boolean {
    const row = this.byId(id);
    if (row?.active !== 1) return false;
    this.#sessions.rewrite({ ...row, active: 0, ended_at: at, end_reason: reason });
    return true;
  }

  timedOut(now: number, idleMs: number, absoluteMs: number, limit: number): SessionRow[] {
    return this.#seal.openAll(SESSIONS, this.#timedOut.all({ now, idleMs, absoluteMs, limit }));
  }

  deleteEnded(before: number, limit: number): number {
    return this.#deleteEnded.run({ before, limit }).changes;
  }

  insertFamily(row: SessionFamilyRow): void {
    this.#families.insert(row);
  }

  family(id: string): SessionFamilyRow | undefined {
    return this.#seal.openMaybe(SESSION_FAMILIES, this.#family.get(id));
  }

  revokeFamily(id: string, at: number, reason: SessionEndReason): void {
    const row = this.family(id);
    if (row !== undefined && row.revoked_at === null) this.#families.rewrite({ ...row, revoked_at: at, revoke_reason: reason });
  }

  activeInFamily(familyId: string): SessionRow[] {
    return this.#seal.openAll(SESSIONS, this.#activeInFamily.all(familyId));
  }

  insertRefreshToken(row: RefreshTokenRow): void {
    this.#refreshTokens.insert(row);
  }

  refreshToken(hash: Buffer): RefreshTokenRow | undefined {
    return this.#seal.openMaybe(REFRESH_TOKENS, this.#refresh.get(hash));
  }

  /** Marks a refresh token spent; false if it already was (a concurrent or replayed use). */
  spendRefreshToken(hash: Buffer, at: number): boolean {
    const row = this.refreshToken(hash);
    if (row === undefined || row.used_at !== null) return false;
    this.#refreshTokens.rewrite({ ...row, used_at: at });
    return true;
  }

  deleteDeadFamilies(now: number, limit: number): number {
    return this.#deleteDeadFamilies.run({ now, limit }).changes;
  }
}

/** The reads of sessions: what a rule may call outside a change (writes go through the write path). */
export const SESSION_READS = [
  'byId',
  'byTokenHash',
  'activeForAccount',
  'list',
  'timedOut',
  'family',
  'activeInFamily',
  'refreshToken',
] as const satisfies readonly (keyof SessionRepository)[];
export type SessionReads = Pick<SessionRepository, (typeof SESSION_READS)[number]>;
