import type { Db } from './database.js';

export interface SignInFailureRow {
  readonly name_key: string;
  readonly failures: number;
  readonly last_failure_at: number;
  readonly locked_until: number | null;
}

/** A password check in flight: reserved before the hash comparison, deleted when it ends. */
export interface SignInCheckRow {
  readonly id: string;
  readonly name_key: string;
  readonly started_at: number;
  readonly lease_until: number;
}

export class SignInFailureRepository {
  readonly #get;
  readonly #upsert;
  readonly #clear;
  readonly #prune;
  readonly #checks;
  readonly #hasCheck;
  readonly #insertCheck;
  readonly #deleteCheck;
  readonly #pruneChecks;

  constructor(db: Db) {
    this.#get = db.prepare<[string], SignInFailureRow>('SELECT * FROM sign_in_failures WHERE name_key = ?');
    this.#upsert = db.prepare<SignInFailureRow>(
      `INSERT INTO sign_in_failures (name_key, failures, last_failure_at, locked_until)
       VALUES (@name_key, @failures, @last_failure_at, @locked_until)
       ON CONFLICT(name_key) DO UPDATE SET failures = excluded.failures,
         last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
    );
    this.#clear = db.prepare<[string]>('DELETE FROM sign_in_failures WHERE name_key = ?');
    this.#prune = db.prepare<{ before: number; limit: number }>(
      `DELETE FROM sign_in_failures WHERE rowid IN (
         SELECT rowid FROM sign_in_failures
         WHERE last_failure_at < @before AND (locked_until IS NULL OR locked_until < @before) LIMIT @limit)`,
    );
    this.#checks = db.prepare<[string], SignInCheckRow>('SELECT * FROM sign_in_checks WHERE name_key = ?');
    this.#hasCheck = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM sign_in_checks WHERE id = ?');
    this.#insertCheck = db.prepare<SignInCheckRow>(
      'INSERT INTO sign_in_checks (id, name_key, started_at, lease_until) VALUES (@id, @name_key, @started_at, @lease_until)',
    );
    this.#deleteCheck = db.prepare<[string]>('DELETE FROM sign_in_checks WHERE id = ?');
    this.#pruneChecks = db.prepare<{ before: number; limit: number }>(
      `DELETE FROM sign_in_checks WHERE rowid IN (
         SELECT rowid FROM sign_in_checks WHERE lease_until < @before LIMIT @limit)`,
    );
  }

  get(nameKey: string): SignInFailureRow | undefined {
    return this.#get.get(nameKey);
  }

  put(row: SignInFailureRow): void {
    this.#upsert.run(row);
  }

  clear(nameKey: string): void {
    this.#clear.run(nameKey);
  }

  /** Forgets stale counters, at most `limit` rows; returns how many went. */
  prune(olderThan: number, limit: number): number {
    return this.#prune.run({ before: olderThan, limit }).changes;
  }

  checks(nameKey: string): SignInCheckRow[] {
    return this.#checks.all(nameKey);
  }

  hasCheck(id: string): boolean {
    return this.#hasCheck.get(id) !== undefined;
  }

  insertCheck(row: SignInCheckRow): void {
    this.#insertCheck.run(row);
  }

  /** Returns whether the check was still there to end. */
  deleteCheck(id: string): boolean {
    return this.#deleteCheck.run(id).changes > 0;
  }

  /** Forgets checks whose lease ended before `olderThan`, at most `limit`; returns how many went. */
  pruneChecks(olderThan: number, limit: number): number {
    return this.#pruneChecks.run({ before: olderThan, limit }).changes;
  }
}

/** The reads of failure counters: what a rule may call outside a change (writes go through the write path). */
export const SIGN_IN_FAILURE_READS = ['get', 'checks', 'hasCheck'] as const satisfies readonly (keyof SignInFailureRepository)[];
export type SignInFailureReads = Pick<SignInFailureRepository, (typeof SIGN_IN_FAILURE_READS)[number]>;
