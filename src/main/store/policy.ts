import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { closedColumns } from './row-values.js';

export interface PolicyRow {
  readonly key: string;
  readonly value: string;
  readonly updated_at: number;
  readonly updated_by: string | null;
}

/**
 * A value weakened in the file (a longer idle timeout, `mfa.required` off) is refused. A row removed
 * from the file falls back to its default, which no seal can tell from a key never set.
 */
export const POLICY: SealedTable<PolicyRow> = {
  name: 'policy',
  key: ['key'],
  sealed: ['key', 'value', 'updated_at', 'updated_by'],
  unsealed: {},
  closed: closedColumns<PolicyRow>({}),
  rowId: (row) => row.key,
  accountId: () => null,
};

/** Admin-set policy values, JSON-encoded; keys not stored take their defaults. */
export class PolicyRepository {
  readonly #seal: RowSeal;
  readonly #writes: SealedWrites<PolicyRow>;
  readonly #all;

  constructor(db: Db, seal: RowSeal) {
    this.#seal = seal;
    this.#writes = new SealedWrites(db, seal, POLICY);
    this.#all = db.prepare<[], Stored<PolicyRow>>('SELECT * FROM policy');
  }

  all(): PolicyRow[] {
    return this.#seal.openAll(POLICY, this.#all.all());
  }

  set(key: string, value: string, at: number, by: string | null): void {
    this.#writes.put({ key, value, updated_at: at, updated_by: by });
  }
}

/** The reads of policy: what a rule may call outside a change (writes go through the write path). */
export const POLICY_READS = ['all'] as const satisfies readonly (keyof PolicyRepository)[];
export type PolicyReads = Pick<PolicyRepository, (typeof POLICY_READS)[number]>;
