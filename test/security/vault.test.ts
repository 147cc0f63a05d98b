import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import keytar from 'keytar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/main/engine/engine.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { assertCliBuilt, CLI } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { failure } from '../support/errors.js';
import { forgetKeychainService } from '../support/keychain.js';
import { vaultBytes, withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, keychainServiceForTest } from '../support/temp-vault.js';
import { requireWitnesses } from '../support/witnesses.js';
import { column, enrolWithOathtool, signInWithOathtool } from './kit.js';

/**
 * security-parameters.md, "The vault and the keychain", checked as an auditor would: the keychain
 * read with keytar, the file's header and rows read directly, the CLI run as a person runs it, and
 * a second process taking the vault's write lock.
 */

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
});
afterEach(() => v.vault.dispose());

const path = (): string => v.vault.path;

interface CliAnswer {
  readonly status: number | null;
  readonly json: { error?: { code: string; message: string }; keychain?: { service: string } };
}

/**
 * `latchkey ARGS --json` as a person would run it, with `env` on top of this process's: a child
 * process, for the keychain's D-Bus address is read once per process, as it starts.
 */
function latchkey(args: readonly string[], env: NodeJS.ProcessEnv = {}, stdin = ''): CliAnswer {
  const run = spawnSync(process.execPath, [CLI, ...args, '--json'], { env: { ...process.env, ...env }, input: stdin, encoding: 'utf8' });
  return { status: run.status, json: JSON.parse(run.stdout.trim() || '{}') as CliAnswer['json'] };
}

/** A D-Bus address where nothing listens: the keychain is not there. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/latchkey-no-bus' };

describe('The vault › vault key: 32 random bytes per vault in the OS keychain (service latchkey, account = vault id)', () => {
  it('keeps one 32-byte key under the vault id, a different one for another vault, and none of it in the file', async () => {
    expect((await keytar.findCredentials(v.vault.keychain.service)).map((entry) => entry.account)).toContain(v.engine.vaultId);
    const key = Buffer.from((await keytar.getPassword(v.vault.keychain.service, v.engine.vaultId)) ?? '', 'base64');
    expect(key).toHaveLength(32);
    const bytes = vaultBytes(path());
    expect(bytes.includes(key) || bytes.includes(Buffer.from(key.toString('base64')))).toBe(false);

    const other = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    try {
      const otherKey = Buffer.from((await other.vault.keychain.get(other.engine.vaultId)) ?? '', 'base64');
      expect(other.engine.vaultId).not.toBe(v.engine.vaultId);
      expect(otherKey).toHaveLength(32);
      expect(otherKey.equals(key)).toBe(false);
    } finally {
      await other.vault.dispose();
    }
  });

  it('uses the keychain service "latchkey" when none is named', async () => {
    const status = await runCliInProcess(['--vault', join(v.vault.dir, 'none', 'vault.db'), 'status', '--json'], {
      env: { ...process.env, LATCHKEY_KEYCHAIN_SERVICE: '' },
    });
    expect(status.json<CliAnswer['json']>().keychain?.service).toBe('latchkey');
  });
});

describe('The vault › keychain missing or locked: a clear error that says what to do, never a silent fall-back to a key file', () => {
  it('refuses to create a vault without a keychain, says what to do, and leaves no file behind', () => {
    assertCliBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
    const service = keychainServiceForTest();
    try {
      const init = latchkey(
        ['--vault', join(dir, 'vault', 'vault.db'), '--keychain-service', service, 'init', '--admin', 'root', '--password-stdin'],
        NO_KEYCHAIN,
        `${PASSWORDS.admin}\n`,
      );
      expect(init.status).toBe(1);
      expect(init.json.error?.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(init.json.error?.message).toMatch(/keychain is not available.*unlock it/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to open a vault without its keychain, and adds no file beside it', async () => {
    assertCliBuilt();
    v.engine.close();
    const before = readdirSync(v.vault.dir).sort();
    const status = latchkey(['--vault', path(), '--keychain-service', v.vault.keychain.service, 'whoami'], NO_KEYCHAIN);
    expect(status.status).toBe(1);
    expect(status.json.error?.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(readdirSync(v.vault.dir).sort()).toEqual(before);
    // With the keychain back, the same vault opens.
    expect((await v.vault.open()).accounts.isInitialised()).toBe(true);
  });
});

describe('The vault › encrypted fields: TOTP secrets, pending secrets, recovery e-mail (phone and sync credentials: not built yet)', () => {
  it('keeps an e-mail address out of the file, in the account and in its verification link, sealed as v1 values', async () => {
    const email = 'Hortensia.Quill@example.org';
    await addAccount(v.engine, v.admin.caller, 'hortensia', PASSWORDS.alice, { email });
    v.engine.emailVerification.issue(v.admin.caller, 'hortensia');
    const sealed = [
      ...column<string>(path(), "SELECT email_enc FROM accounts WHERE username = 'hortensia'"),
      ...column<string>(
        path(),
        "SELECT email_enc FROM email_verifications WHERE account_id = (SELECT id FROM accounts WHERE username = 'hortensia')",
      ),
      ...column<string>(path(), "SELECT payload_enc FROM outbox WHERE account_id = (SELECT id FROM accounts WHERE username = 'hortensia')"),
    ];
    // The account, its link, and the mail that carries the link (waiting in the outbox: no SMTP here).
    expect(sealed).toHaveLength(3);
    for (const value of sealed) expect(value).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    const bytes = vaultBytes(path());
    for (const form of [email, email.toLowerCase(), 'hortensia.quill', 'Hortensia.Quill'])
      expect(bytes.includes(Buffer.from(form))).toBe(false);
  });
});

describe('The vault › database: WAL, foreign keys on, busy_timeout; a change of security state and its audit event commit in one transaction', () => {
  it('keeps the file in WAL mode (header bytes 18 and 19 are 2)', () => {
    const header = Buffer.alloc(100);
    const fd = openSync(path(), 'r');
    try {
      readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
    expect(header.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect([header[18], header[19]]).toEqual([2, 2]);
  });

  it('enforces foreign keys: deleting an account leaves no row of its sessions, TOTP, backup codes or trusted devices', async () => {
    requireWitnesses();
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const { secret } = await enrolWithOathtool(v.engine, v.vault.clock, alice.caller);
    await signInWithOathtool(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, secret, { trustDevice: true });
    const id = alice.caller.accountId;
    const children = ['sessions', 'totp_credentials', 'backup_codes', 'trusted_devices', 'mfa_challenges'];
    const rows = (): number[] =>
      children.map((table) => column<number>(path(), `SELECT count(*) FROM ${table} WHERE account_id = ?`, id)[0] ?? -1);
    expect(rows().every((n) => n > 0)).toBe(true);
    v.engine.accounts.delete(v.admin.caller, 'alice');
    expect(rows()).toEqual([0, 0, 0, 0, 0]);
  });

  it('waits for another process that holds the write lock, instead of failing at once', async () => {
    // A second process takes the write lock and holds it for 600 ms, as the CLI beside the app would.
    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(process.execPath, [
      '-e',
      `const db = new (require(${JSON.stringify(betterSqlite)}))(${JSON.stringify(path())});
       db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, 600);`,
    ]);
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('locked') ? resolve() : undefined));
      holder.on('error', reject);
      holder.on('exit', (code) => reject(new Error(`the lock holder exited early (${code})`)));
    });
    const start = performance.now();
    v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '6');
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThan(300);
    expect(column(path(), "SELECT value FROM policy WHERE key = 'session.maxPerAccount'")).toEqual(['6']);
    await new Promise((resolve) => holder.once('close', resolve));
  });

  it('commits nothing when the audit event cannot be written: a disable whose event fails leaves the account active and its session alive', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    withRawVault(path(), (db) =>
      db.exec(`CREATE TRIGGER refuse_disable_event BEFORE INSERT ON audit_events WHEN NEW.type = 'account.disabled'
               BEGIN SELECT RAISE(ABORT, 'audit write refused by the test'); END`),
    );
    expect(() => v.engine.accounts.disable(v.admin.caller, 'alice')).toThrow();
    expect(column(path(), "SELECT status FROM accounts WHERE username = 'alice'")).toEqual(['active']);
    expect(v.engine.sessions.validate(alice.token).username).toBe('alice');
    withRawVault(path(), (db) => db.exec('DROP TRIGGER refuse_disable_event'));
    v.engine.accounts.disable(v.admin.caller, 'alice');
    expect(column(path(), "SELECT type FROM audit_events WHERE type = 'account.disabled'")).toEqual(['account.disabled']);
  });

  it('writes no audit event when the state change fails: a wrong password whose count cannot be written leaves no signin.failed event', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const failedEvents = (): number => column<number>(path(), "SELECT count(*) FROM audit_events WHERE type = 'signin.failed'")[0] ?? -1;
    withRawVault(path(), (db) =>
      db.exec(`CREATE TRIGGER refuse_failure_count BEFORE INSERT ON sign_in_failures
               BEGIN SELECT RAISE(ABORT, 'counter write refused by the test'); END`),
    );
    await expect(signIn(v.engine, 'alice', 'not the password of alice')).rejects.toThrow();
    expect(failedEvents()).toBe(0);
    withRawVault(path(), (db) => db.exec('DROP TRIGGER refuse_failure_count'));
    await failure(() => signIn(v.engine, 'alice', 'not the password of alice'), 'INVALID_CREDENTIALS');
    expect(failedEvents()).toBe(1);
  });
});

describe('The vault › file permissions: vault directory 0700, files 0600 (POSIX)', () => {
  it.runIf(process.platform !== 'win32')(
    'makes new folders 0700 and the file, its WAL and shared-memory file 0600, even under umask 000',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
      const service = keychainServiceForTest();
      const vaultPath = join(root, 'made', 'here', 'vault.db');
      const previous = process.umask(0o000);
      try {
        const engine = await openEngine({ vaultPath, secrets: new OsKeychain(service), hashParameters: QUICK_HASH });
        await engine.accounts.initialise({ username: 'root', password: PASSWORDS.admin });
        const modes = Object.fromEntries(
          ['made', 'made/here', 'made/here/vault.db', 'made/here/vault.db-wal', 'made/here/vault.db-shm'].map((name) => [
            name,
            (statSync(join(root, name)).mode & 0o777).toString(8),
          ]),
        );
        engine.close();
        expect(modes).toEqual({
          made: '700',
          'made/here': '700',
          'made/here/vault.db': '600',
          'made/here/vault.db-wal': '600',
          'made/here/vault.db-shm': '600',
        });
      } finally {
        process.umask(previous);
        await forgetKeychainService(service);
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});
