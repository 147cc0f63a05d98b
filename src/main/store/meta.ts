import type { Db } from './database.js';

/** Small facts about the vault itself: its id, the key check, the audit chain's head. */
export class MetaRepository {
  readonly #get;
  readonly #set;

  constructor(db: Db) {
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.#set = db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  get(key: string): string | null {
    return this.#get.get(key)?.value ?? null;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}
