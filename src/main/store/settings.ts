import type { Db } from './database.js';
import { KEY_VALUE_READS, KeyValueRepository, type KeyValueReads, keyValueTable } from './key-values.js';
import type { RowSeal } from './row-seal.js';

/**
 * Where mail and SMS go. Sealed: a host edited in the file would send links and codes to someone
 * else. A row removed from the file is a setting never made, and delivery on that channel stops.
 */
export const SETTINGS = keyValueTable('settings');

export class SettingsRepository extends KeyValueRepository {
  constructor(db: Db, seal: RowSeal) {
    super(db, seal, SETTINGS);
  }
}

export const SETTINGS_READS = KEY_VALUE_READS;
export type SettingsReads = KeyValueReads;
