import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { closedColumns } from './row-values.js';

/** One admin-set value, JSON-encoded, and who set it when. */
export interface KeyValueRow {
  readonly key: string;
  readonly value: string;
  readonly updated_at: number;
  readonly updated_by: string | null;
}

/** A table of sealed key/value rows (policy, delivery settings): an edited value is refused where it is read. */
export function keyValueTable(name: string): SealedTable<KeyValueRow> {
  return {
    name,
    key: ['key'],
    sealed: ['key', 'value', 'updated_at', 'updated_by'],
    unsealed: {},
    closed: closedColumns<KeyValueRow>({}),
    rowId: (row) => row.key,
    accountId: () => null,
  };
}

/** Admin-set values; a key not stored takes its default, which the rule that reads it knows. */
export class KeyValueRepository {
  readonly #seal: RowSeal;
  readonly #table: SealedTable<KeyValueRow>;
  readonly #writes: SealedWrites<KeyValueRow>;
  readonly #all;
  readonly #delete;

  constructor(db: Db, seal: RowSeal, table: SealedTable<KeyValueRow>) {
    this.#seal = seal;
    this.#table = table;
    this.#writes = new SealedWrites(db, seal, table);
    this.#all = db.prepare<[], Stored<KeyValueRow>>(`SELECT * FROM ${table.name}`);
    this.#delete = db.prepare<[string]>(`DELETE FROM ${table.name} WHERE key = ?`);
  }

  all(): KeyValueRow[] {
    return this.#seal.openAll(this.#table, this.#all.all());
  }

  set(key: string, value: string, at: number, by: string | null): void {
    this.#writes.put({ key, value, updated_at: at, updated_by: by });
  }

  /** Back to the default. */
  delete(key: string): boolean {
    return this.#delete.run(key).changes > 0;
  }
}

/** The reads of a key/value table: what a rule may call outside a change (writes go through the write path). */
export const KEY_VALUE_READS = ['all'] as const satisfies readonly (keyof KeyValueRepository)[];
export type KeyValueReads = Pick<KeyValueRepository, (typeof KEY_VALUE_READS)[number]>;
