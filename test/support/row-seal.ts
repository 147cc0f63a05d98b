import type Database from 'better-sqlite3';
import { deriveVaultKeys } from '../../src/main/engine/crypto/vault-keys.js';
import type { Engine } from '../../src/main/engine/engine.js';
import type { SecretStore } from '../../src/main/secrets/secret-store.js';
import { SEALED_TABLES } from '../../src/main/store/row-integrity.js';
import { RowSeal } from '../../src/main/store/row-seal.js';

/** The vault's row seal, from the key in its keychain: what someone holding that key could compute. */
export async function rowSealOf(engine: Pick<Engine, 'vaultId'>, keychain: SecretStore): Promise<RowSeal> {
  const key = Buffer.from((await keychain.get(engine.vaultId)) ?? '', 'base64');
  return new RowSeal(deriveVaultKeys(key, engine.vaultId).rowIntegrity);
}

/**
 * Seals again the rows of `table` that match `where`, as they now stand in the file: for a test that
 * arranges a state no rule writes (a hash an earlier version stored, thousands of copied sessions),
 * the way someone holding the keychain's key could.
 */
export function resealRows(db: Database.Database, seal: RowSeal, table: string, where = '1'): number {
  const spec = SEALED_TABLES.find((t) => t.name === table);
  if (spec === undefined) throw new Error(`${table} is not a sealed table`);
  const rows = db.prepare(`SELECT rowid AS rowid, * FROM ${table} WHERE ${where}`).all() as ({ rowid: number } & Record<string, unknown>)[];
  const write = db.prepare('UPDATE ' + table + ' SET mac = ? WHERE rowid = ?');
  for (const row of rows) write.run(seal.mac(spec, row as never), row.rowid);
  return rows.length;
}
