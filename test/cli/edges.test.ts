import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, assertCliBuilt, createCliVault, runCli, type CliRun } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';

interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** What the validation library says on its own, which names no option and no range. */
const LIBRARY_WORDING = /expected|received|too small|too big|invalid input|NaN/i;

/**
 * `latchkey ARGS` whose standard output or error is closed before it writes, as when the reader
 * of a pipe has gone (`latchkey whoami | head -1`). The other stream is collected.
 */
function runWithClosed(stream: 'stdout' | 'stderr', args: readonly string[], stdin = ''): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    child[stream].destroy();
    let other = '';
    child[stream === 'stdout' ? 'stderr' : 'stdout'].on('data', (chunk: Buffer) => (other += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, other }));
    child.stdin.end(stdin);
  });
}

describe('the CLI when its output, its files or its arguments go wrong', () => {
  const v = createCliVault('latchkey-cli-edges-', runCliInProcess);
  const cli = v.cli;
  const globals = (): string[] => ['--vault', v.vault, '--keychain-service', v.keychain.service];

  beforeAll(async () => {
    assertCliBuilt();
    await v.init();
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    expect((await cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
  });

  afterAll(() => v.dispose());

  // Child processes: a closed pipe is the process's own standard stream going away.
  describe('a reader that goes away', () => {
    it('ends a command quietly, with its own exit status, when standard output is closed', async () => {
      const whoami = await runWithClosed('stdout', [...globals(), 'whoami']);
      expect(whoami).toEqual({ code: 0, other: '' });
      const exported = await runWithClosed('stdout', [...globals(), 'audit', 'export']);
      expect(exported).toEqual({ code: 0, other: '' });
    });

    it('ends a command quietly when standard error is closed, and keeps what it did', async () => {
      // No second factor is asked, so --trust-device earns a warning on standard error.
      const signin = await runWithClosed(
        'stderr',
        [...globals(), 'signin', 'root', '--password-stdin', '--trust-device'],
        `${PASSWORDS.admin}\n`,
      );
      expect(signin.code).toBe(0);
      expect(signin.other).toContain('Signed in as root.');
      expect((await cli(['whoami', '--json'])).code).toBe(0);
    });
  });

  describe('files it cannot use', () => {
    it('names the vault path and the reason when a folder on the path is a file', async () => {
      const path = join(v.vault, 'x.db');
      for (const args of [
        ['status', '--json'],
        ['init', '--admin', 'root', '--password-stdin', '--json'],
      ]) {
        const run = await runCliInProcess(['--vault', path, '--keychain-service', v.keychain.service, ...args], {
          stdin: `${PASSWORDS.admin}\n`,
        });
        expect(run.code).toBe(1);
        expect(run.json<ErrorEnvelope>().error).toMatchObject({
          code: 'VAULT_UNREADABLE',
          message: `The vault file at ${path} could not be opened: a part of the path is a file, not a folder.`,
        });
      }
    });

    it('refuses to export over an existing file (CONFLICT, exit 1) and leaves it as it was', async () => {
      const file = join(v.dir, 'kept.jsonl');
      writeFileSync(file, 'an earlier export\n');
      const run = await cli(['audit', 'export', '--output', file, '--json']);
      expect(run.code).toBe(1);
      const error = run.json<ErrorEnvelope>().error;
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toBe(
        `${file} already exists, and an export never overwrites a file. Give another --output name, or move the old file away first.`,
      );
      expect(readFileSync(file, 'utf8')).toBe('an earlier export\n');
    });

    it('says the folder does not exist when exporting into one that is missing (exit 2)', async () => {
      const file = join(v.dir, 'missing', 'audit.jsonl');
      const run = await cli(['audit', 'export', '--output', file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`latchkey: Cannot write ${file}: the folder ${join(v.dir, 'missing')} does not exist.\n`);
    });
  });

  describe('a vault file that does not exist', () => {
    const folder = (): string => join(v.dir, 'nowhere');
    const missing = (): string => join(folder(), 'vault.db');
    const at = (args: readonly string[], stdin?: string): Promise<CliRun> =>
      runCliInProcess(['--vault', missing(), '--keychain-service', v.keychain.service, ...args], stdin === undefined ? {} : { stdin });

    it('is reported by status, with the keychain it would use, and not created (exit 0)', async () => {
      const json = await at(['status', '--json']);
      expect(json.code).toBe(0);
      expect(json.json()).toEqual({
        vault: { id: null, path: missing(), exists: false, initialised: false },
        keychain: { service: v.keychain.service, kind: 'os' },
        signedInAs: null,
      });
      const text = await at(['status']);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`${missing()} (does not exist)`);
      expect(text.stdout).toContain('latchkey init --admin NAME');
      expect(existsSync(folder())).toBe(false);
    });

    it('is refused by every other command with NOT_INITIALISED, and not created', async () => {
      const runs = [
        await at(['whoami', '--json']),
        await at(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`),
        await at(['signout', '--json']),
        await at(['audit', 'list', '--json']),
        await at(['mfa', 'totp', 'confirm', '--code', '123456', '--json']),
      ];
      for (const run of runs) {
        expect(run.code).toBe(1);
        expect(run.json<ErrorEnvelope>().error).toMatchObject({
          code: 'NOT_INITIALISED',
          message: `There is no vault at ${missing()}. Create one with: latchkey init --admin NAME`,
        });
      }
      expect(existsSync(folder())).toBe(false);
    });

    it('leaves no file or folder when init cannot reach the keychain', async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/latchkey-bus' };
      delete env['DISPLAY'];
      // A child process: the keychain's D-Bus address is read once per process, as it starts.
      const run = await runCli(
        ['--vault', missing(), '--keychain-service', v.keychain.service, 'init', '--admin', 'root', '--password-stdin', '--json'],
        {
          stdin: `${PASSWORDS.admin}\n`,
          env,
        },
      );
      expect(run.code).toBe(1);
      expect(run.json<ErrorEnvelope>().error.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(existsSync(folder())).toBe(false);
    });

    it('is created by init, folder and all', async () => {
      const init = await at(['init', '--admin', 'first', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
      expect(init.code).toBe(0);
      expect(existsSync(missing())).toBe(true);
      expect((await at(['status', '--json'])).json()).toMatchObject({ vault: { path: missing(), exists: true, initialised: true } });
    });
  });

  describe('arguments out of shape', () => {
    it("names the option and the range in plain words, never the validation library's", async () => {
      const cases: [string[], string][] = [
        [['audit', 'list', '--limit', 'abc'], 'Invalid --limit: give a whole number from 1 to 10000.'],
        [['audit', 'list', '--limit', '1.5'], 'Invalid --limit: give a whole number from 1 to 10000.'],
        [['audit', 'list', '--limit', '0'], 'Invalid --limit: give a whole number from 1 to 10000.'],
        [['audit', 'list', '--limit', '10001'], 'Invalid --limit: give a whole number from 1 to 10000.'],
        [['audit', 'list', '--account', 'x'.repeat(65)], 'Invalid --account: an account name is 1 to 64 characters.'],
        [
          ['account', 'add', 'carol', '--email', 'carol'],
          'Invalid --email: give an e-mail address such as alice@example.com, at most 254 characters.',
        ],
        [
          ['policy', 'set', 'session.idleTimeoutMinutes', 'abc'],
          'Invalid value for session.idleTimeoutMinutes: give a whole number from 1 to 1440.',
        ],
        [
          ['policy', 'set', 'session.idleTimeoutMinutes', '0'],
          'Invalid value for session.idleTimeoutMinutes: give a whole number from 1 to 1440.',
        ],
        [
          ['policy', 'set', 'session.idleTimeoutMinutes', '1.5'],
          'Invalid value for session.idleTimeoutMinutes: give a whole number from 1 to 1440.',
        ],
        [['policy', 'set', 'session.limitMode', 'sometimes'], 'Invalid value for session.limitMode: give one of evict-oldest, deny.'],
      ];
      for (const [args, message] of cases) {
        const run = await cli([...args, '--json']);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.json<ErrorEnvelope>().error).toEqual({ code: 'INVALID_INPUT', message });
        expect(message).not.toMatch(LIBRARY_WORDING);
      }
    });

    it('lists the policy keys there are when given one that is not', async () => {
      for (const key of ['session.nothing', 'nothing']) {
        const run = await cli(['policy', 'set', key, '1']);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(
          `Unknown policy key "${key}". The keys are: session.idleTimeoutMinutes, session.absoluteTimeoutHours,`,
        );
        expect(run.stderr).toContain('mfa.required');
      }
    });

    it('refuses an empty option value as a usage error naming the option', async () => {
      const cases: [string[], string][] = [
        [['--vault', '', 'status'], '--vault'],
        [['--vault=', 'status'], '--vault'],
        [['--keychain-service', '', '--vault', v.vault, 'status'], '--keychain-service'],
        [[...globals(), 'audit', 'list', '--account', ''], '--account'],
        [[...globals(), 'audit', 'export', '--output', ''], '--output'],
      ];
      for (const [args, option] of cases) {
        const run = await runCliInProcess([...args, '--json']);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.json<ErrorEnvelope>().error).toEqual({
          code: 'INVALID_INPUT',
          message: `${option} needs a value, and was given an empty one.`,
        });
      }
    });

    it.skipIf(process.platform !== 'linux')('takes an empty LATCHKEY_VAULT or LATCHKEY_KEYCHAIN_SERVICE as unset', async () => {
      const data = mkdtempSync(join(tmpdir(), 'latchkey-cli-xdg-'));
      try {
        const env = { ...process.env, XDG_DATA_HOME: data, LATCHKEY_VAULT: '', LATCHKEY_KEYCHAIN_SERVICE: '' };
        const run = await runCliInProcess(['status', '--json'], { env });
        expect(run.code).toBe(0);
        expect(run.json()).toMatchObject({
          vault: { path: join(data, 'latchkey', 'vault.db'), exists: false },
          keychain: { service: 'latchkey' },
        });
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    });
  });

  describe('the history of a deleted account', () => {
    it('is found by the name its events recorded, by an administrator only', async () => {
      expect((await cli(['signin', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
      expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
      expect((await cli(['account', 'add', 'bob', '--password-stdin'], `${PASSWORDS.bob}\n`)).code).toBe(0);
      expect((await cli(['account', 'delete', 'alice', '--yes'])).code).toBe(0);

      const list = await cli(['audit', 'list', '--account', 'Alice', '--json']);
      expect(list.code).toBe(0);
      const { events, recordedName } = list.json<{
        events: { type: string; actor: { name: string } | null; target: { name: string } | null }[];
        recordedName: string;
      }>();
      expect(recordedName).toBe('alice');
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['account.created', 'signin.succeeded', 'account.deleted']));
      for (const event of events) expect([event.actor?.name, event.target?.name]).toContain('alice');

      const text = await cli(['audit', 'list', '--account', 'alice']);
      expect(text.code).toBe(0);
      expect(text.stderr).toContain('No account is named "alice" now');

      expect((await cli(['signin', 'bob', '--password-stdin'], `${PASSWORDS.bob}\n`)).code).toBe(0);
      const asUser = await cli(['audit', 'list', '--account', 'alice', '--json']);
      expect(asUser.code).toBe(1);
      expect(asUser.json<ErrorEnvelope>().error.code).toBe('NOT_AUTHORISED');
      expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    });
  });
});
