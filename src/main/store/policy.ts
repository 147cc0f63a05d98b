import type { Db } from './database.js';

export interface PolicyRow {
  readonly key: string;
  readonly value: string;
  readonly updated_at: number;
  readonly updated_by: string | null;
}

/** Admin-set policy values, JSON-encoded; keys not stored take their defaults. */
export class PolicyRepository {
  readonly #all;
  readonly #upsert;

  constructor(db: Db) {
    this.#all = db.prepare<[], PolicyRow>('SELECT key, value, updated_at, updated_by FROM policy');
    this.#upsert = db.prepare<[string, string, number, string | null]>(
      `INSERT INTO policy (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
  }

  all(): PolicyRow[] {
    return this.#all.all();
  }

  set(key: string, value: string, at: number, by: string | null): void {
    this.#upsert.run(key, value, at, by);
  }
}

/** The reads of policy: what a rule may call outside a change (writes go through the write path). */
export const POLICY_READS = ['all'] as const satisfies readonly (keyof PolicyRepository)[];
export type PolicyReads = Pick<PolicyRepository, (typeof POLICY_READS)[number]>;
