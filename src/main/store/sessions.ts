import type { Db } from './database.js';

export interface SessionRow {
  readonly id: string;
  readonly account_id: string;
  readonly token_hash: Buffer;
  readonly family_id: string | null;
  readonly assurance: string;
  readonly host: string;
  readonly device_name: string;
  readonly os_user: string | null;
  readonly ip: string | null;
  readonly user_agent: string;
  readonly created_at: number;
  readonly last_active_at: number;
  readonly expires_at: number;
  readonly active: 0 | 1;
  readonly ended_at: number | null;
  readonly end_reason: string | null;
}

export interface SessionFamilyRow {
  readonly id: string;
  readonly account_id: string;
  readonly assurance: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly revoked_at: number | null;
  readonly revoke_reason: string | null;
}

export interface RefreshTokenRow {
  readonly token_hash: Buffer;
  readonly family_id: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly used_at: number | null;
}

/** Sessions, their "stay signed in" families and the families' refresh tokens. */
export class SessionRepository {
  readonly #insert;
  readonly #byId;
  readonly #byTokenHash;
  readonly #activeForAccount;
  readonly #forAccount;
  readonly #activeAll;
  readonly #all;
  readonly #touch;
  readonly #end;
  readonly #timedOut;
  readonly #deleteEnded;
  readonly #insertFamily;
  readonly #family;
  readonly #revokeFamily;
  readonly #activeInFamily;
  readonly #insertRefresh;
  readonly #refresh;
  readonly #useRefresh;
  readonly #deleteDeadFamilies;

  constructor(db: Db) {
    this.#insert = db.prepare<SessionRow>(
      `INSERT INTO sessions (id, account_id, token_hash, family_id, assurance, host, device_name, os_user, ip, user_agent,
         created_at, last_active_at, expires_at, active, ended_at, end_reason)
       VALUES (@id, @account_id, @token_hash, @family_id, @assurance, @host, @device_name, @os_user, @ip, @user_agent,
         @created_at, @last_active_at, @expires_at, @active, @ended_at, @end_reason)`,
    );
    this.#byId = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?');
    this.#byTokenHash = db.prepare<[Buffer], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?');
    // rowid breaks ties in insertion order: ids are random, so "created_at, id" could evict a newer
    // session begun in the same millisecond instead of the oldest.
    this.#activeForAccount = db.prepare<[string], SessionRow>(
      'SELECT * FROM sessions WHERE account_id = ? AND active = 1 ORDER BY created_at, rowid',
    );
    this.#forAccount = db.prepare<[string], SessionRow>(
      'SELECT * FROM sessions WHERE account_id = ? ORDER BY created_at DESC, id',
    );
    this.#activeAll = db.prepare<[], SessionRow>('SELECT * FROM sessions WHERE active = 1 ORDER BY created_at DESC, id');
    this.#all = db.prepare<[], SessionRow>('SELECT * FROM sessions ORDER BY created_at DESC, id');
    this.#touch = db.prepare<[number, string]>('UPDATE sessions SET last_active_at = ? WHERE id = ? AND active = 1');
    this.#end = db.prepare<[number, string, string]>(
      'UPDATE sessions SET active = 0, ended_at = ?, end_reason = ? WHERE id = ? AND active = 1',
    );
    this.#timedOut = db.prepare<{ now: number; idleMs: number; absoluteMs: number; limit: number }, SessionRow>(
      `SELECT * FROM sessions WHERE active = 1
         AND (expires_at <= @now OR last_active_at + @idleMs <= @now OR created_at + @absoluteMs <= @now)
       ORDER BY created_at LIMIT @limit`,
    );
    this.#deleteEnded = db.prepare<{ before: number; limit: number }>(
      `DELETE FROM sessions WHERE rowid IN (
         SELECT rowid FROM sessions WHERE active = 0 AND ended_at < @before LIMIT @limit)`,
    );
    this.#insertFamily = db.prepare<SessionFamilyRow>(
      `INSERT INTO session_families (id, account_id, assurance, created_at, expires_at, revoked_at, revoke_reason)
       VALUES (@id, @account_id, @assurance, @created_at, @expires_at, @revoked_at, @revoke_reason)`,
    );
    this.#family = db.prepare<[string], SessionFamilyRow>('SELECT * FROM session_families WHERE id = ?');
    this.#revokeFamily = db.prepare<[number, string, string]>(
      'UPDATE session_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL',
    );
    this.#activeInFamily = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE family_id = ? AND active = 1');
    this.#insertRefresh = db.prepare<RefreshTokenRow>(
      `INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, used_at)
       VALUES (@token_hash, @family_id, @created_at, @expires_at, @used_at)`,
    );
    this.#refresh = db.prepare<[Buffer], RefreshTokenRow>('SELECT * FROM refresh_tokens WHERE token_hash = ?');
    this.#useRefresh = db.prepare<[number, Buffer]>('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL');
    this.#deleteDeadFamilies = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM session_families WHERE id IN (
         SELECT f.id FROM session_families f
         WHERE (f.revoked_at IS NOT NULL OR f.expires_at <= @now)
           AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.family_id = f.id AND s.active = 1)
         LIMIT @limit)`,
    );
  }

  insert(row: SessionRow): void {
    this.#insert.run(row);
  }

  byId(id: string): SessionRow | undefined {
    return this.#byId.get(id);
  }

  byTokenHash(hash: Buffer): SessionRow | undefined {
    return this.#byTokenHash.get(hash);
  }

  /** Oldest first. */
  activeForAccount(accountId: string): SessionRow[] {
    return this.#activeForAccount.all(accountId);
  }

  /** Newest first. */
  list(options: { accountId?: string; includeEnded: boolean }): SessionRow[] {
    const rows = options.accountId === undefined
      ? (options.includeEnded ? this.#all.all() : this.#activeAll.all())
      : this.#forAccount.all(options.accountId);
    return options.includeEnded ? rows : rows.filter((row) => row.active === 1);
  }

  touch(id: string, at: number): void {
    this.#touch.run(at, id);
  }

  /** Returns false when the session had already ended. */
  end(id: string, at: number, reason: string): boolean {
    return this.#end.run(at, reason, id).changes === 1;
  }

  timedOut(now: number, idleMs: number, absoluteMs: number, limit: number): SessionRow[] {
    return this.#timedOut.all({ now, idleMs, absoluteMs, limit });
  }

  deleteEnded(before: number, limit: number): number {
    return this.#deleteEnded.run({ before, limit }).changes;
  }

  insertFamily(row: SessionFamilyRow): void {
    this.#insertFamily.run(row);
  }

  family(id: string): SessionFamilyRow | undefined {
    return this.#family.get(id);
  }

  revokeFamily(id: string, at: number, reason: string): void {
    this.#revokeFamily.run(at, reason, id);
  }

  activeInFamily(familyId: string): SessionRow[] {
    return this.#activeInFamily.all(familyId);
  }

  insertRefreshToken(row: RefreshTokenRow): void {
    this.#insertRefresh.run(row);
  }

  refreshToken(hash: Buffer): RefreshTokenRow | undefined {
    return this.#refresh.get(hash);
  }

  /** Marks a refresh token spent; false if it already was (a concurrent or replayed use). */
  spendRefreshToken(hash: Buffer, at: number): boolean {
    return this.#useRefresh.run(at, hash).changes === 1;
  }

  deleteDeadFamilies(now: number, limit: number): number {
    return this.#deleteDeadFamilies.run({ now, limit }).changes;
  }
}

/** The reads of sessions: what a rule may call outside a change (writes go through the write path). */
export const SESSION_READS = ['byId', 'byTokenHash', 'activeForAccount', 'list', 'timedOut', 'family', 'activeInFamily', 'refreshToken'] as const satisfies readonly (keyof SessionRepository)[];
export type SessionReads = Pick<SessionRepository, (typeof SESSION_READS)[number]>;
