import type { Db } from './database.js';

/**
 * Tells whether the vault file may hold anything else than when a value was last read from it.
 * SQLite's `data_version` moves whenever another connection (another process: the CLI, the
 * cleanup job, a second window's host) commits, and `total_changes()` whenever this connection
 * writes a row, committed or rolled back.
 */
export class VaultVersion {
  readonly #db: Db;
  readonly #dataVersion;
  readonly #totalChanges;

  constructor(db: Db) {
    this.#db = db;
    // Two statements, as the pragma costs half of what its table-valued form does, and
    // total_changes() touches no table at all.
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.#totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  /** How many rows this connection has written since it opened: it costs no look at the file. */
  writesHere(): number {
    return this.#totalChanges.get() ?? 0;
  }

  /**
   * The state of the file now, as a value equal to an earlier one only if nothing changed in between;
   * null inside a transaction, whose reads may see writes that are not committed yet.
   */
  now(): string | null {
    if (this.#db.inTransaction) return null;
    return `${this.#dataVersion.get() ?? 0}:${this.#totalChanges.get() ?? 0}`;
  }
}

/**
 * Values read from the vault and checked (a row's seal, a policy parsed), kept while the file is
 * unchanged: a commit anywhere empties it. Not a substitute for any rule run on the value: the
 * caller still checks deadlines, status and roles on every use, against the value as it is in the file.
 */
export class UnchangedCache<K, V> {
  readonly #version: VaultVersion;
  readonly #limit: number;
  readonly #values = new Map<K, V>();
  #seenAt: string | null = null;

  constructor(version: VaultVersion, limit: number) {
    this.#version = version;
    this.#limit = limit;
  }

  /** The value kept for `key` while the file is unchanged; else `load()`, kept if it is not undefined. */
  get(key: K, load: () => V): V {
    const version = this.#version.now();
    if (version === null) return load();
    if (version !== this.#seenAt) {
      this.#values.clear();
      this.#seenAt = version;
    }
    if (this.#values.has(key)) return this.#values.get(key) as V;
    const value = load();
    // The file could have changed while `load` ran only through this connection, which the version
    // would show on the next call; a value loaded is as current as the version read before it.
    if (value !== undefined) {
      if (this.#values.size >= this.#limit) this.#values.delete(this.#values.keys().next().value as K);
      this.#values.set(key, value);
    }
    return value;
  }
}
