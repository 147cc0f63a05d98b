import Database from 'better-sqlite3';
import { truncateSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noUptime } from '../../src/main/engine/clock.js';
import { createContext, type EngineContext } from '../../src/main/engine/context.js';
import { PasswordHasher } from '../../src/main/engine/passwords/password-hasher.js';
import { openVault, type Vault } from '../../src/main/engine/vault.js';
import { KeptTimeMark } from '../../src/main/engine/vault-clock.js';
import { storageFailure } from '../../src/main/store/database.js';
import { isLatchkeyError, type LatchkeyError } from '../../src/shared/errors.js';
import { failure } from '../support/errors.js';
import { countRows, withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';

/**
 * SQLite failing once the vault is open (a full disk, a read-only file, a lock held too long,
 * damage found as a page is read) reaches the hosts as a typed error said in words, never as
 * INTERNAL nor as SQLite's own message; a change it stops leaves nothing of itself behind.
 */

let v: VaultWithAdmin;
let alice: SignedIn;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

/** Neither SQLite's own words nor any SQL. */
function saysNothingOfSqlite(error: LatchkeyError): void {
  expect(error.message).not.toMatch(/database or disk is full|readonly database|database is locked|malformed|SQLITE_|INSERT|UPDATE|SELECT/);
}

describe('through the engine', () => {
  it('refuses a change with VAULT_UNAVAILABLE (busy) when another program holds the vault locked past the busy timeout, and changes nothing', async () => {
    const other = new Database(v.vault.path);
    other.exec('BEGIN IMMEDIATE');
    let error: LatchkeyError;
    try {
      error = await failure(() => v.engine.signIn.signOut(alice.caller), 'VAULT_UNAVAILABLE');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(error.details).toEqual({ problem: 'busy', path: v.vault.path });
    expect(error.message).toBe(
      `The vault at ${v.vault.path} could not be written: another program held it locked for more than 5 seconds. Nothing was changed. Try again once that program is done.`,
    );
    saysNothingOfSqlite(error);
    expect(v.engine.sessions.validate(alice.token).sessionId).toBe(alice.caller.sessionId);
  }, 20_000);

  it('refuses a read with VAULT_UNREADABLE when the file is found damaged after it was opened', async () => {
    withRawVault(v.vault.path, (other) => {
      // Every page into the file, and a new log: the engine's connection reads its pages again.
      other.pragma('wal_checkpoint(TRUNCATE)');
    });
    truncateSync(v.vault.path, 2 * 4096);
    const error = await failure(() => v.engine.sessions.validate(alice.token), 'VAULT_UNREADABLE');
    expect(error.details).toEqual({ path: v.vault.path });
    expect(error.message).toBe(
      `The vault file at ${v.vault.path} is damaged: SQLite found a broken page in it. \`latchkey vault verify\` checks the whole file; restore it from a backup.`,
    );
    saysNothingOfSqlite(error);
  });
});

describe('through the write path', () => {
  let vault: Vault;
  let ctx: EngineContext;
  beforeEach(async () => {
    // A second connection to the same vault, held here so the test can set SQLite's limits on it.
    vault = await openVault({ path: v.vault.path, secrets: v.vault.keychain });
    const keptMark = new KeptTimeMark(vault.secrets, vault.id, vault.keys.auditChain);
    ctx = createContext(
      vault,
      { clock: v.vault.clock, uptime: noUptime, keptMark, keptAt: await keptMark.read() },
      new PasswordHasher(QUICK_HASH),
    );
  });
  afterEach(() => vault.close());

  /** A change large enough to need pages the file does not have yet. */
  const bigChange = (): void =>
    ctx.change((tx) => {
      for (let i = 0; i < 50; i += 1) tx.audit({ type: 'policy.changed', outcome: 'success', reason: 'x'.repeat(4000) });
    });
  const fillTheDisk = (): void => {
    vault.db.pragma(`max_page_count = ${String(vault.db.pragma('page_count', { simple: true }))}`);
  };

  it('refuses a change with VAULT_UNAVAILABLE (disk_full) when the disk is full, keeping none of it and the audit chain whole', async () => {
    const events = countRows(v.vault.path, 'audit_events');
    fillTheDisk();
    const error = await failure(bigChange, 'VAULT_UNAVAILABLE');
    expect(error.details).toEqual({ problem: 'disk_full', path: v.vault.path });
    expect(error.message).toBe(
      `The vault at ${v.vault.path} could not be written: the disk is full. Nothing was changed. Free some space, then try again.`,
    );
    saysNothingOfSqlite(error);
    expect(countRows(v.vault.path, 'audit_events')).toBe(events);
    await expect(v.engine.audit.verify(v.admin.caller)).resolves.toMatchObject({ intact: true, events });

    // Room again: the next change writes on from the same chain.
    vault.db.pragma('max_page_count = 1073741823');
    bigChange();
    await expect(v.engine.audit.verify(v.admin.caller)).resolves.toMatchObject({ intact: true, events: events + 50 });
  });

  it('undoes the whole change when the disk fills inside a change within it, rather than letting the outer one go on', async () => {
    const events = countRows(v.vault.path, 'audit_events');
    fillTheDisk();
    const refusedInside: unknown[] = [];
    const error = await failure(
      () =>
        ctx.change(() => {
          for (let i = 0; i < 20; i += 1) {
            // As an import does: a LatchkeyError from one row's change is that row's refusal.
            try {
              ctx.change((row) => row.audit({ type: 'account.imported', outcome: 'success', reason: 'x'.repeat(4000) }));
            } catch (inside) {
              if (!isLatchkeyError(inside)) throw inside;
              refusedInside.push(inside);
            }
          }
        }),
      'VAULT_UNAVAILABLE',
    );
    expect(error.details).toMatchObject({ problem: 'disk_full' });
    expect(refusedInside).toEqual([]);
    expect(countRows(v.vault.path, 'audit_events')).toBe(events);
    await expect(v.engine.audit.verify(v.admin.caller)).resolves.toMatchObject({ intact: true, events });
  });

  it('refuses a change with VAULT_UNAVAILABLE (read_only) when the vault cannot be written', async () => {
    // As root no file mode stops a write; SQLite's own switch does, for this connection.
    vault.db.pragma('query_only = ON');
    const error = await failure(bigChange, 'VAULT_UNAVAILABLE');
    expect(error.details).toEqual({ problem: 'read_only', path: v.vault.path });
    expect(error.message).toBe(
      `The vault at ${v.vault.path} could not be written: the file, its folder or its disk is read-only. Nothing was changed. Make it writable, then try again.`,
    );
    saysNothingOfSqlite(error);
  });
});

describe('the names of the failures no test here can cause', () => {
  it('names an I/O error and a lack of memory in words, by their family', () => {
    const named = (code: string): unknown => storageFailure(new Database.SqliteError('raw words from SQLite', code), '/v.db', 'change');
    expect(named('SQLITE_IOERR_WRITE')).toMatchObject({ code: 'VAULT_UNAVAILABLE', details: { problem: 'io' } });
    expect(named('SQLITE_NOMEM')).toMatchObject({ code: 'VAULT_UNAVAILABLE', details: { problem: 'no_memory' } });
    expect(named('SQLITE_CONSTRAINT_UNIQUE')).toBeInstanceOf(Database.SqliteError);
    expect((named('SQLITE_IOERR_SHORT_READ') as Error).message).not.toContain('raw words');
  });
});
