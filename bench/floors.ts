import { hash } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_HASH_PARAMETERS } from '../src/main/engine/passwords/password-hasher.js';
import { measure, type Sample } from './harness.js';

export interface Floors {
  /** SHA-256 of a token and one prepared SELECT by the 32-byte hash. */
  readonly read: Sample;
  /** One UPDATE committed with the vault's `synchronous` setting, the WAL at its steady size. */
  readonly durableWrite: Sample;
  readonly argon2: Sample;
}

/** The same shape as a session row, so a page holds as many rows as the vault's does. */
const FLOOR_TABLE = `
  CREATE TABLE t (
    id TEXT PRIMARY KEY, token_hash BLOB NOT NULL UNIQUE, account_id TEXT NOT NULL, device_name TEXT NOT NULL,
    user_agent TEXT NOT NULL, created_at INTEGER NOT NULL, last_active_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    active INTEGER NOT NULL, mac BLOB
  ) STRICT`;

/** A real file beside the vault, with what every vault sets: WAL and `synchronous` as the vault has it. */
export function floorDatabase(dir: string, rows: number, synchronous: string): { db: Database.Database; tokens: string[] } {
  const db = new Database(join(dir, `floor-${rows}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(FLOOR_TABLE);
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)');
  const tokens: string[] = [];
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i += 1) {
      const token = randomBytes(32).toString('base64url');
      if (i < 1000) tokens.push(token);
      const digest = createHash('sha256').update(token).digest();
      insert.run(`sess_${i}`, digest, `acct_${i % 1000}`, 'workstation', 'Latchkey/bench', now, now, now + 1e9, randomBytes(32));
    }
  })();
  return { db, tokens };
}

export async function readFloor(db: Database.Database, tokens: readonly string[]): Promise<Sample> {
  const select = db.prepare<[Buffer], unknown>('SELECT * FROM t WHERE token_hash = ?');
  let i = 0;
  return measure('floor: SHA-256 + SELECT by 32-byte key', () => {
    const token = tokens[i++ % tokens.length] ?? '';
    if (select.get(createHash('sha256').update(token).digest()) === undefined) throw new Error('floor row missing');
  });
}

export async function measureFloors(dir: string, synchronous: string): Promise<Floors> {
  const { db, tokens } = floorDatabase(dir, 1000, synchronous);
  const read = await readFloor(db, tokens);
  const update = db.prepare('UPDATE t SET last_active_at = ? WHERE id = ?');
  let n = 0;
  const write = (): void => {
    n += 1;
    update.run(n, `sess_${n % 1000}`);
  };
  // Past the first checkpoints, the WAL is rewritten in place instead of growing.
  for (let i = 0; i < 3000; i += 1) write();
  const durableWrite = await measure(`floor: one UPDATE committed (synchronous=${synchronous})`, write, { time: 2000 });
  db.close();
  const argon2 = await measure('floor: argon2id at the default parameters', () =>
    hash('violet-harbour-lantern-92', { algorithm: 2, outputLen: 32, ...DEFAULT_HASH_PARAMETERS }),
  );
  return { read, durableWrite, argon2 };
}
