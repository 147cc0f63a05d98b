import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/main/engine/engine.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { assertCliBuilt, runCli, type CliRun, type CliRunner } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { failure } from '../support/errors.js';
import { forgetKeychainService } from '../support/keychain.js';
import { fileSha256, withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, signIn } from '../support/signed-in.js';
import { PASSWORDS, createTempVault, keychainServiceForTest, type TempVault } from '../support/temp-vault.js';

interface ErrorEnvelope {
  error: { code: ErrorCode; message: string };
}

/** What SQLite says on its own; a person is told in words instead. */
const SQLITE_WORDING = /malformed|not a database|disk image|SQLITE_|sqlite_/i;

/**
 * Vault files that are not what they should be, and keychain keys that do not fit them: each is
 * refused with a typed error, through the engine and through the CLI, and the file is left byte
 * for byte as it was.
 */
describe('vault files and keychain keys that do not fit', () => {
  let source: TempVault;
  let vaultId: string;
  let copies = 0;

  beforeAll(async () => {
    assertCliBuilt();
    source = await createTempVault();
    const engine = await source.open({ hashParameters: QUICK_HASH });
    vaultId = engine.vaultId;
    await engine.accounts.initialise({ username: 'root', password: PASSWORDS.admin });
    await signIn(engine, 'root', PASSWORDS.admin);
    // Closing the last connection moves the write-ahead log into the file, so the file is the whole vault.
    engine.close();
    expect(existsSync(`${source.path}-wal`)).toBe(false);
  });

  afterAll(() => source.dispose());

  /** A copy of the sound vault, changed by `damage`; opened with the source's keychain. */
  function copy(damage: (path: string) => void = () => undefined): string {
    copies += 1;
    const path = join(source.dir, `copy-${copies}.db`);
    copyFileSync(source.path, path);
    damage(path);
    return path;
  }

  const through =
    (run: CliRunner) =>
    (path: string, args: readonly string[], service = source.keychain.service): Promise<CliRun> =>
      run(['--vault', path, '--keychain-service', service, ...args], { stdin: `${PASSWORDS.admin}\n` });
  const cli = through(runCliInProcess);
  const childCli = through(runCli);

  /** Commands that only look, and one that would make a vault: none may use or change the file. */
  const COMMANDS = [
    ['status', '--json'],
    ['whoami', '--json'],
    ['init', '--admin', 'other', '--password-stdin', '--json'],
  ] as const;

  interface Refusal {
    /** The keychain service to open it with, if not the source's. */
    readonly service?: string;
    /** Whether the engine opens it as the CLI does (false) and as the app does (true); both unless said. */
    readonly create?: readonly boolean[];
    readonly commands?: readonly (readonly string[])[];
  }

  async function expectRefused(path: string, code: ErrorCode, options: Refusal = {}): Promise<void> {
    const before = fileSha256(path);
    const secrets = options.service === undefined ? source.keychain : new OsKeychain(options.service);
    for (const create of options.create ?? [false, true]) {
      const error = await failure(() => openEngine({ vaultPath: path, secrets, create }), code);
      expect(error.message).not.toMatch(SQLITE_WORDING);
      expect(fileSha256(path)).toBe(before);
    }
    for (const args of options.commands ?? COMMANDS) {
      const run = await cli(path, args, options.service);
      expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(1);
      const { error } = run.json<ErrorEnvelope>();
      expect(error.code).toBe(code);
      expect(error.message).not.toMatch(SQLITE_WORDING);
      expect(fileSha256(path)).toBe(before);
    }
  }

  /** Damages the first page of `table` (its b-tree root), as a failing disk or a careless edit would. */
  function damagePageOf(table: string): (path: string) => void {
    return (path) => {
      const { rootpage, pageSize } = withRawVault(path, (db) => ({
        rootpage: (db.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').get(table) as { rootpage: number }).rootpage,
        pageSize: db.pragma('page_size', { simple: true }) as number,
      }));
      const fd = openSync(path, 'r+');
      try {
        // The page header's cell pointers, made to point outside the page.
        writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (rootpage - 1) * pageSize + 8);
      } finally {
        closeSync(fd);
      }
    };
  }

  describe('a file is refused with VAULT_UNREADABLE and left as it was', () => {
    it('when the file is empty, by every command but init', async () => {
      const path = copy((p) => writeFileSync(p, ''));
      await expectRefused(path, 'VAULT_UNREADABLE', { create: [false], commands: COMMANDS.slice(0, 2) });
      expect(statSync(path).size).toBe(0);
      const status = await cli(path, ['status', '--json']);
      expect(status.json<ErrorEnvelope>().error.message).toBe(
        `The file at ${path} is empty: it holds no vault. It was left as it is; only creating a vault may use it.`,
      );
    });

    it('when the file holds random bytes', async () => {
      await expectRefused(
        copy((p) => writeFileSync(p, randomBytes(16_384))),
        'VAULT_UNREADABLE',
      );
    });

    it('when the file was cut short', async () => {
      const path = copy((p) => writeFileSync(p, readFileSync(p).subarray(0, Math.floor(statSync(p).size / 2) + 100)));
      await expectRefused(path, 'VAULT_UNREADABLE');
    });

    it('when a page of the accounts table is damaged', async () => {
      await expectRefused(copy(damagePageOf('accounts')), 'VAULT_UNREADABLE');
    });

    it('when a page of the table it reads first is damaged', async () => {
      await expectRefused(copy(damagePageOf('meta')), 'VAULT_UNREADABLE');
    });

    it("when the file is another program's SQLite database", async () => {
      const path = copy((p) => {
        writeFileSync(p, '');
        withRawVault(p, (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)'));
      });
      await expectRefused(path, 'VAULT_UNREADABLE');
    });

    it('when the record that checks its key is gone, instead of starting its audit chain again', async () => {
      const path = copy((p) => withRawVault(p, (db) => db.prepare("DELETE FROM meta WHERE key = 'key_check'").run()));
      await expectRefused(path, 'VAULT_UNREADABLE');
    });

    it('when its id is gone, instead of taking a new one', async () => {
      const path = copy((p) => withRawVault(p, (db) => db.prepare("DELETE FROM meta WHERE key = 'vault_id'").run()));
      await expectRefused(path, 'VAULT_UNREADABLE');
    });
  });

  it('a vault a newer Latchkey wrote is refused with VAULT_TOO_NEW and left as it was', async () => {
    await expectRefused(
      copy((p) => withRawVault(p, (db) => db.pragma('user_version = 999'))),
      'VAULT_TOO_NEW',
    );
  });

  describe('a vault is refused with VAULT_KEY_MISSING and left as it was, when the keychain key', () => {
    const services: string[] = [];
    afterAll(async () => {
      for (const service of services) await forgetKeychainService(service);
    });

    async function keychainHolding(key: Buffer | null): Promise<string> {
      const service = keychainServiceForTest();
      services.push(service);
      if (key !== null) await new OsKeychain(service).set(vaultId, key.toString('base64'));
      return service;
    }

    it('is missing', async () => {
      await expectRefused(copy(), 'VAULT_KEY_MISSING', { service: await keychainHolding(null) });
    });

    it('was changed', async () => {
      await expectRefused(copy(), 'VAULT_KEY_MISSING', { service: await keychainHolding(randomBytes(32)) });
    });

    it('is of the wrong length', async () => {
      const key = Buffer.from((await source.keychain.get(vaultId)) ?? '', 'base64');
      await expectRefused(copy(), 'VAULT_KEY_MISSING', { service: await keychainHolding(key.subarray(0, 16)) });
      await expectRefused(copy(), 'VAULT_KEY_MISSING', { service: await keychainHolding(Buffer.concat([key, randomBytes(1)])) });
    });
  });

  describe('a vault with rows that refer to rows that are not there', () => {
    /** Backup codes of an account that was removed with foreign keys switched off. */
    const orphanCodes = (path: string): void =>
      withRawVault(path, (db) => {
        db.pragma('foreign_keys = OFF');
        const insert = db.prepare("INSERT INTO backup_codes (account_id, digest, created_at) VALUES ('acc_gone', ?, 0)");
        for (let i = 0; i < 2; i += 1) insert.run(randomBytes(32));
      });

    it('is reported by the engine, which opens it and changes nothing', async () => {
      const path = copy(orphanCodes);
      const before = fileSha256(path);
      const engine = await openEngine({ vaultPath: path, secrets: source.keychain, create: false });
      try {
        const verdict = engine.verifyVault();
        expect(verdict).toMatchObject({
          intact: false,
          path,
          structure: { intact: true, problems: 0 },
          references: { intact: false, broken: 2 },
        });
        expect(verdict.references.rows).toEqual([
          { table: 'backup_codes', rowid: expect.any(Number), refersTo: 'accounts' },
          { table: 'backup_codes', rowid: expect.any(Number), refersTo: 'accounts' },
        ]);
      } finally {
        engine.close();
      }
      expect(fileSha256(path)).toBe(before);
    });

    it('is reported by `vault verify` in words and under --json, with exit status 1, and the file left as it was', async () => {
      const path = copy(orphanCodes);
      const before = fileSha256(path);
      // Child processes: the exit status is the real program's.
      const text = await childCli(path, ['vault', 'verify']);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`VAULT FILE DAMAGED: ${path}`);
      expect(text.stdout).toContain('2 rows refer to a row that is not there');
      expect(text.stdout).toMatch(/backup_codes row \d+ refers to a missing row of accounts/);
      const json = await childCli(path, ['vault', 'verify', '--json']);
      expect(json.code).toBe(1);
      expect(json.json()).toMatchObject({ intact: false, references: { intact: false, broken: 2 }, structure: { intact: true } });
      expect(fileSha256(path)).toBe(before);
    });
  });

  it('a sound vault is reported intact by `vault verify` (exit status 0), and left as it was', async () => {
    const path = copy();
    const before = fileSha256(path);
    // Child processes: the exit status is the real program's.
    const text = await childCli(path, ['vault', 'verify']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Vault file intact');
    const json = await childCli(path, ['vault', 'verify', '--json']);
    expect(json.json()).toEqual({
      intact: true,
      path,
      structure: { intact: true, problems: 0 },
      references: { intact: true, broken: 0, rows: [] },
      rowSeals: { intact: true, broken: 0, rows: [] },
    });
    expect(fileSha256(path)).toBe(before);
  });

  it('an empty file is made into a vault by init, the one command that may', async () => {
    const path = copy((p) => writeFileSync(p, ''));
    const init = await cli(path, ['init', '--admin', 'root', '--password-stdin', '--json']);
    expect(init.code).toBe(0);
    const status = await cli(path, ['status', '--json']);
    expect(status.json()).toMatchObject({ vault: { path, exists: true, initialised: true } });
  });
});
