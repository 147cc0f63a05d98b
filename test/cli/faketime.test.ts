import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../src/shared/views.js';
import { CLI, assertCliBuilt, createCliVault, type CliRun } from '../support/cli.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { awayFromStepEdge, oathtoolCode, requireWitnesses } from '../support/witnesses.js';

const HOUR = 3_600_000;

/**
 * The CLI run under libfaketime (Debian's faketime), as anyone on the machine can run it: no
 * privilege moves this process's clock. The machine's uptime is not moved by it, so within one
 * start of the machine the vault's time follows the time that really passed.
 */
// Linux only: elsewhere Latchkey reads no machine start it can trust, so only the mark holds
// (test/engine/clock.test.ts covers that with an injected clock), and faketime is not packaged.
// Child processes only: faketime moves the clock of a process it starts, and the runs between run the same built program.
describe.skipIf(process.platform !== 'linux')('the CLI with its clock moved by faketime', () => {
  const v = createCliVault('latchkey-faketime-');
  const signin = (name: string, password: string, args: readonly string[] = [], offset?: string): Promise<CliRun> =>
    (offset === undefined ? v.cli : (a: readonly string[], stdin?: string) => underFaketime(offset, a, stdin))(
      ['signin', name, '--password-stdin', '--json', ...args],
      `${password}\n`,
    );

  function underFaketime(offset: string, args: readonly string[], stdin?: string): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'faketime',
        ['-f', offset, process.execPath, CLI, '--vault', v.vault, '--keychain-service', v.keychain.service, ...args],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }));
      child.stdin.end(stdin ?? '');
    });
  }

  const errorCode = (run: CliRun): string | undefined => run.json<{ error?: { code: string } }>().error?.code;
  const events = async (): Promise<AuditEventView[]> => {
    await v.cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    return (await v.cli(['audit', 'list', '--limit', '1000', '--json'])).json<{ events: AuditEventView[] }>().events;
  };

  beforeAll(async () => {
    assertCliBuilt();
    requireWitnesses();
    await v.init();
    expect((await v.cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    const added = await v.cli(['account', 'add', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\n`);
    expect(added.code).toBe(0);
  });
  afterAll(() => v.dispose());

  it('runs the process with its clock moved (the witness that faketime works here)', async () => {
    const probe = await new Promise<string>((resolve) => {
      const child = spawn('faketime', ['-f', '+1h', process.execPath, '-e', 'process.stdout.write(String(Date.now()))']);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.on('close', () => resolve(out));
    });
    expect(Number(probe) - Date.now()).toBeGreaterThan(HOUR - 60_000);
  });

  it('ends no sign-in delay early: with the delay running, an hour on by the clock is not an hour waited', async () => {
    // Seven checked failures, each waiting out the delay as a patient guesser would: the next wait is 4 s.
    let checked = 0;
    while (checked < 7) {
      const run = await signin('alice', PASSWORDS.bob);
      if (errorCode(run) === 'INVALID_CREDENTIALS') checked += 1;
      else {
        expect(errorCode(run)).toBe('LOCKED_OUT');
        const wait = run.json<{ error: { details: { retryAfterSeconds: number } } }>().error.details.retryAfterSeconds;
        await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
      }
    }
    const jumped = await signin('alice', PASSWORDS.alice, [], '+1h');
    expect(jumped.code).toBe(1);
    expect(errorCode(jumped)).toBe('LOCKED_OUT');
    expect((await events()).some((event) => event.type === 'clock.ahead')).toBe(true);
  });

  it('refuses a TOTP code from an hour ahead and records no step as used, so the code of now signs in', async () => {
    // root turns two-step sign-in on, with oathtool as the authenticator.
    const begin = await v.cli(['mfa', 'totp', 'begin', '--json']);
    const secret = begin.json<{ secret: string }>().secret;
    await awayFromStepEdge();
    expect((await v.cli(['mfa', 'totp', 'confirm', '--code', oathtoolCode(secret, { at: Date.now() - 30_000 }), '--json'])).code).toBe(0);

    const ahead = await signin('root', PASSWORDS.admin, ['--code', oathtoolCode(secret, { at: Date.now() + HOUR })], '+1h');
    expect(ahead.code).toBe(1);
    expect(errorCode(ahead)).toBe('CODE_INVALID');

    const now = await signin('root', PASSWORDS.admin, ['--code', oathtoolCode(secret)]);
    expect(now.code).toBe(0);
    const list = (await v.cli(['audit', 'list', '--limit', '1000', '--json'])).json<{ events: AuditEventView[] }>().events;
    expect(list.filter((event) => event.type === 'mfa.code_ahead')).toHaveLength(1);
  });

  it('dates no event back when a process runs a day behind, and audit verify finds the log whole', async () => {
    const behind = await underFaketime('-1d', ['whoami', '--json']);
    expect(behind.code).toBe(0);
    await signin('alice', PASSWORDS.bob, [], '-1d');
    const listed = (await v.cli(['audit', 'list', '--limit', '1000', '--json'])).json<{ events: AuditEventView[] }>().events;
    const times = [...listed].sort((a, b) => a.seq - b.seq).map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(listed.some((event) => event.type === 'clock.behind')).toBe(true);
    const verify = await v.cli(['audit', 'verify', '--json']);
    expect(verify.json()).toMatchObject({ intact: true });
  });
});
