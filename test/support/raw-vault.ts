import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Opens the vault file directly, beside (or instead of) the engine: the way a curious or hostile
 * person with the file would see it. WAL mode lets this run while the engine holds the file open.
 */
export function withRawVault<T>(path: string, work: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

export function countRows(path: string, table: string, where = '1'): number {
  return withRawVault(path, (db) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n);
}

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Every byte of the vault as it lies on disk: the main file and, in WAL mode, the log not yet
 * checkpointed into it, where the newest rows live.
 */
export function vaultBytes(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
}
