import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LatchkeyError } from '../../shared/errors.js';
import { migrate, refuseNewerSchema } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Path of the better-sqlite3 native binding; lets Electron load its own ABI build. */
  readonly nativeBinding?: string;
}

/**
 * Opens (creating if needed) the vault's SQLite file with the settings every host relies on,
 * then brings its schema up to date. A vault written by a newer Latchkey is refused untouched.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const isNew = !existsSync(path);
  if (isNew) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(path, options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding });
  } catch (error) {
    throw new LatchkeyError('VAULT_UNREADABLE', `The vault file at ${path} could not be opened: ${describe(error)}`);
  }
  try {
    if (isNew && process.platform !== 'win32') chmodSync(path, 0o600);
    db.pragma('busy_timeout = 5000');
    // Before WAL mode: switching a rollback-journal file to WAL rewrites its header.
    refuseNewerSchema(db);
    db.pragma('journal_mode = WAL');
    // FULL: the audit log is in this file, and a security event must survive a power cut.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof LatchkeyError) throw error;
    throw new LatchkeyError('VAULT_UNREADABLE', `The file at ${path} is not a usable Latchkey vault: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
