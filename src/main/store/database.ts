import Database from 'better-sqlite3';
import { closeSync, fchmodSync, mkdirSync, openSync, rmSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LatchkeyError, type UnavailableProblem } from '../../shared/errors.js';
import { migrate, refuseNewerSchema, schemaVersion } from './migrations.js';

export type Db = Database.Database;

/** How long a statement waits for another process's lock before it gives up. */
const BUSY_TIMEOUT_MS = 5000;
/** At most this much of the file kept in memory per connection. */
const PAGE_CACHE_KIB = 32 * 1024;

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
 * on, then brings its schema up to date. A file that is not a sound Latchkey vault (empty when
 * `create` is false, not SQLite, another program's database, damaged, or written by a newer
 * Latchkey) is refused before anything writes to it, so it is left byte for byte as it was.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const create = options.create !== false;
  const discard = prepareFile(path, create);
  let db: Db;
  try {
    // The file exists by now; SQLite must not make one of its own if it vanished in between.
    db = new Database(path, {
      fileMustExist: true,
      ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
    });
  } catch (error) {
    discard?.();
    throw new LatchkeyError('VAULT_UNREADABLE', `The vault file at ${path} could not be opened: ${describeSqliteError(error)}.`, { path });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Every check before WAL mode, which rewrites the header of a rollback-journal file. One read
    // transaction, so the checks see one state of the file: between two separate reads another
    // process creating this same new vault may commit its schema, and a file read as empty, then
    // as holding tables, would pass for another program's database.
    db.transaction(() => {
      refuseNewerSchema(db);
      refuseForeignFile(db, path, create);
      refuseDamage(db, path);
    })();
    useWriteAheadLog(db);
    // FULL: the audit log is in this file, and a security event must survive a power cut.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // SQLite's default 2 MiB page cache holds the top of one index on a vault of a million
    // sessions; a validation then reads its pages from the file again. The cache fills only as
    // pages are read, and another process's commit empties it as it always does.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    migrate(db);
    return { db, discard };
  } catch (error) {
    db.close();
    discard?.();
    throw error instanceof LatchkeyError ? error : unusableVault(path, error);
  }
}

/**
 * Switches the file to WAL. The switch needs the file to itself, and SQLite does not wait for that
 * (busy_timeout does not cover it): while another process opening the same new vault reads it,
 * the switch fails at once with SQLITE_BUSY. So it is tried again, as busy_timeout would, until
 * the file is WAL (by this switch or the other process's).
 */
function useWriteAheadLog(db: Db): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!(error instanceof Database.SqliteError) || error.code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      // openDatabase is synchronous, as the rest of better-sqlite3 is: block this thread briefly.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

/** A file that holds no Latchkey schema: empty (a vault only where one may be made), or someone else's. */
function refuseForeignFile(db: Db, path: string, create: boolean): void {
  if (schemaVersion(db) !== 0) return;
  const objects = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_schema').get()?.n ?? 0;
  if (objects > 0) {
    throw new LatchkeyError(
      'VAULT_UNREADABLE',
      `The file at ${path} is an SQLite database of another program, not a Latchkey vault. It was left as it is.`,
      { path },
    );
  }
  if (!create) {
    // An emptied vault (a full disk, a sync tool, a crash) must not quietly become a new one.
    throw new LatchkeyError(
      'VAULT_UNREADABLE',
      `The file at ${path} is empty: it holds no vault. It was left as it is; only creating a vault may use it.`,
      { path },
    );
  }
}

/** SQLite's structural check of every page: a damaged file is refused before any rule reads it. */
function refuseDamage(db: Db, path: string): void {
  const problems = structuralProblems(db);
  if (problems === 0) return;
  throw new LatchkeyError(
    'VAULT_UNREADABLE',
    `The vault file at ${path} is damaged: ${problems === 1 ? '1 problem' : `${problems} problems`} in its pages. It was left as it is; restore it from a backup.`,
    { path, problems },
  );
}

/** How many problems SQLite's quick_check finds in the file's pages and records; 0 for a sound file. */
export function structuralProblems(db: Db): number {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  return rows.length === 1 && rows[0]?.quick_check === 'ok' ? 0 : rows.length;
}

/** A row that refers, by a foreign key, to a row that is not there. */
export interface BrokenReference {
  readonly table: string;
  /** null for a table without row ids. */
  readonly rowid: number | null;
  readonly refersTo: string;
}

/** Every row whose foreign key points at nothing, as SQLite's foreign_key_check finds them. */
export function brokenReferences(db: Db): BrokenReference[] {
  const rows = db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
  return rows.map((row) => ({ table: row.table, rowid: row.rowid, refersTo: row.parent }));
}

/**
 * Whether the vault holds nothing but the `meta` keys named: no other key, and no row in any
 * other table. True of a vault still being set up, and of no vault in use.
 */
export function holdsNothingBut(db: Db, metaKeys: readonly string[]): boolean {
  const keys = db.prepare<[], string>('SELECT key FROM meta').pluck().all();
  if (keys.some((key) => !metaKeys.includes(key))) return false;
  const tables = db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'meta' AND name NOT LIKE 'sqlite%'")
    .pluck()
    .all();
  return tables.every((name) => db.prepare(`SELECT 1 FROM "${name.replaceAll('"', '""')}" LIMIT 1`).get() === undefined);
}

export function isSqliteError(error: unknown): boolean {
  return error instanceof Database.SqliteError;
}

/** A failure of SQLite itself while opening: the file is refused, said in words. */
export function unusableVault(path: string, error: unknown): LatchkeyError {
  return new LatchkeyError('VAULT_UNREADABLE', `The file at ${path} is not a usable Latchkey vault: ${describeSqliteError(error)}.`, {
    path,
  });
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
    throw new LatchkeyError(
      'VAULT_UNREADABLE',
      `The vault path ${path} is a folder; give the path of a file in it, such as ${resolve(path, 'vault.db')}.`,
      { path },
    );
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

const SQLITE_ERRORS: Readonly<Record<string, string>> = {
  SQLITE_NOTADB: 'it is not an SQLite database (another kind of file, or random or encrypted data)',
  SQLITE_CORRUPT: 'it is damaged; restore it from a backup',
  SQLITE_BUSY: 'another program holds it locked; try again once it is done',
  SQLITE_LOCKED: 'another program holds it locked; try again once it is done',
  SQLITE_READONLY: 'it cannot be written (a read-only file, folder or disk)',
  SQLITE_CANTOPEN: 'it could not be opened',
  SQLITE_PERM: 'permission denied',
  SQLITE_AUTH: 'permission denied',
  SQLITE_FULL: 'the disk is full',
  SQLITE_IOERR: 'reading or writing it failed (a disk or file-system error)',
  SQLITE_NOMEM: 'there was not enough memory',
};

/** What a change or a read was doing when SQLite failed, for the words that say so. */
export type StorageAction = 'read' | 'change';

/**
 * A failure of SQLite once the vault is open, named for the hosts: damage found now is
 * VAULT_UNREADABLE, as it is at open; a full disk, a read-only file, a lock held too long, a
 * failing disk or too little memory is VAULT_UNAVAILABLE, with a word a host can act on. Anything
 * else (a constraint broken by a bug) is returned as it is. SQLite's own message and the SQL are
 * never shown.
 */
export function storageFailure(error: unknown, path: string, action: StorageAction): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const family = familyOf(error.code);
  // Every change is one transaction, rolled back whole when SQLite fails in it.
  const outcome = action === 'change' ? ' Nothing was changed.' : '';
  if (family === 'SQLITE_CORRUPT' || family === 'SQLITE_NOTADB') {
    return new LatchkeyError(
      'VAULT_UNREADABLE',
      `The vault file at ${path} is damaged: SQLite found a broken page in it.${outcome} ` +
        '`latchkey vault verify` checks the whole file; restore it from a backup.',
      { path },
    );
  }
  const unavailable = UNAVAILABLE[family];
  if (unavailable === undefined) return error;
  return new LatchkeyError(
    'VAULT_UNAVAILABLE',
    `The vault at ${path} could not be ${action === 'change' ? 'written' : 'read'}: ${unavailable.what}.${outcome} ${unavailable.then}`,
    { problem: unavailable.problem, path },
  );
}

/** SQLite's failures, by primary code, that leave the file sound. */
const UNAVAILABLE: Readonly<Record<string, { problem: UnavailableProblem; what: string; then: string }>> = {
  SQLITE_FULL: { problem: 'disk_full', what: 'the disk is full', then: 'Free some space, then try again.' },
  SQLITE_READONLY: {
    problem: 'read_only',
    what: 'the file, its folder or its disk is read-only',
    then: 'Make it writable, then try again.',
  },
  SQLITE_BUSY: {
    problem: 'busy',
    what: `another program held it locked for more than ${BUSY_TIMEOUT_MS / 1000} seconds`,
    then: 'Try again once that program is done.',
  },
  SQLITE_IOERR: { problem: 'io', what: 'the disk or its file system reported an error', then: 'Check the disk, then try again.' },
  SQLITE_NOMEM: { problem: 'no_memory', what: 'there was not enough memory', then: 'Close other programs, then try again.' },
};

/**
 * A SQLite failure in words for a person. SQLite's own message ("database disk image is
 * malformed") is not shown: extended codes such as SQLITE_IOERR_SHORT_READ fall to their family.
 */
export function describeSqliteError(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined || !code.startsWith('SQLITE_')) return describeFileError(error);
  return SQLITE_ERRORS[code] ?? SQLITE_ERRORS[familyOf(code)] ?? `SQLite refused it (${code})`;
}

/** An extended result code's primary one: SQLITE_IOERR_SHORT_READ is an SQLITE_IOERR. */
function familyOf(code: string): string {
  return code.split('_').slice(0, 2).join('_');
}
