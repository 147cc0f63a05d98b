import type { Db } from './database.js';

export interface SignInFailureRow {
  readonly name_key: string;
  readonly failures: number;
  readonly last_failure_at: number;
  readonly locked_until: number | null;
}

export class SignInFailureRepository {
  readonly #get;
  readonly #upsert;
  readonly #clear;
  readonly #prune;

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
}
