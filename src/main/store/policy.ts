import type { Db } from './database.js';
import { KEY_VALUE_READS, KeyValueRepository, type KeyValueReads, type KeyValueRow, keyValueTable } from './key-values.js';
import type { RowSeal } from './row-seal.js';

export type PolicyRow = KeyValueRow;

/**
 * A value weakened in the file (a longer idle timeout, `mfa.required` off) is refused. A row removed
 * from the file falls back to its default, which no seal can tell from a key never set.
 */
export const POLICY = keyValueTable('policy');

/** Admin-set policy values, JSON-encoded; keys not stored take their defaults. */
export class PolicyRepository extends KeyValueRepository {
  constructor(db: Db, seal: RowSeal) {
    super(db, seal, POLICY);
  }
}

export const POLICY_READS = KEY_VALUE_READS;
export type PolicyReads = KeyValueReads;
