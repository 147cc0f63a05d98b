import Database from 'better-sqlite3';
import { closeSync, fchmodSync, mkdirSync, openSync, rmSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LatchkeyError } from '../../shared/errors.js';
import { migrate, refuseNewerSchema } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Path of the better-sqlite3 native binding; lets Electron load its own ABI build. */
  readonly nativeBinding?: string;
  /**
   * Whether a missing file (and its folder) is made; true unless said otherwise. When false a
   * missing file is refused with NOT_INITIALISED, so a command that only looks leaves nothing behind.
   */
  readonly create?: boolean;
}

export interface OpenedDatabase {
  readonly db: Db;
  /**
   * Only when this very call made the file: removes it, its journal files and the folders made for
   * it. A file that was already there, or that another process made first, is never offered.
   */
  readonly discard: (() => void) | null;
}

/**
 * Opens (creating if allowed and needed) the vault's SQLite file with the settings every host relies
 * on, then brings its schema up to date. A vault written by a newer Latchkey is refused untouched.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const discard = prepareFile(path, options.create !== false);
  let db: Db;
  try {
    // The file exists by now; SQLite must not make one of its own if it vanished in between.
    db = new Database(path, { fileMustExist: true, ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }) });
  } catch (error) {
    discard?.();
    throw new LatchkeyError('VAULT_UNREADABLE', `The vault file at ${path} could not be opened: ${describe(error)}`, { path });
  }
  try {
    db.pragma('busy_timeout = 5000');
    // Before WAL mode: switching a rollback-journal file to WAL rewrites its header.
    refuseNewerSchema(db);
    db.pragma('journal_mode = WAL');
    // FULL: the audit log is in this file, and a security event must survive a power cut.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return { db, discard };
  } catch (error) {
    db.close();
    discard?.();
    if (error instanceof LatchkeyError) throw error;
    throw new LatchkeyError('VAULT_UNREADABLE', `The file at ${path} is not a usable Latchkey vault: ${describe(error)}`, { path });
  }
}

/** Checks what is at `path`; makes an empty file there when there is none and `create` allows it. */
function prepareFile(path: string, create: boolean): (() => void) | null {
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw cannotOpen(path, error);
  }
  if (stats?.isDirectory() === true) {
    throw new LatchkeyError('VAULT_UNREADABLE', `The vault path ${path} is a folder; give the path of a file in it, such as ${resolve(path, 'vault.db')}.`, { path });
  }
  if (stats !== undefined) return null;
  if (!create) throw new LatchkeyError('NOT_INITIALISED', `There is no vault at ${path}.`, { path });
  let firstFolder: string | undefined;
  try {
    firstFolder = mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    // Made here with 'wx' rather than by SQLite, so this call knows the file is its own to remove
    // if the vault cannot be completed, even with other processes opening the same path.
    const fd = openSync(path, 'wx', 0o600);
    try {
      if (process.platform !== 'win32') fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (firstFolder !== undefined) removeFolders(path, firstFolder);
    if (errorCode(error) === 'EEXIST') return null;
    throw cannotOpen(path, error);
  }
  return () => {
    for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
      try {
        rmSync(file, { force: true });
      } catch {
        // Best effort: the error that led here is the one worth reporting.
      }
    }
    if (firstFolder !== undefined) removeFolders(path, firstFolder);
  };
}

/** The folders from the file's own up to `firstFolder`, deepest first; stops at one something else was put in. */
function removeFolders(path: string, firstFolder: string): void {
  for (let folder = dirname(resolve(path)); ; folder = dirname(folder)) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
    if (folder === firstFolder || dirname(folder) === folder) return;
  }
}

function cannotOpen(path: string, error: unknown): LatchkeyError {
  return new LatchkeyError('VAULT_UNREADABLE', `The vault file at ${path} could not be opened: ${describeFileError(error)}.`, { path });
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'there is no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'a file of that name already exists',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'the path has too many symbolic links',
  EBUSY: 'the file is in use',
  EINVAL: 'the name is not valid here',
};

/** A file-system error in words for a person, without the stack or the raw system message. */
export function describeFileError(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined) return 'it could not be read or written';
  return FILE_ERRORS[code] ?? `the system refused it (${code})`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
