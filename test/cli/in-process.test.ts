import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';

/** The in-process runner the CLI tests use: each run must leave this process as it found it, or runs would leak into each other. */
describe('a run of the CLI inside the test process', () => {
  const v = createCliVault('latchkey-cli-in-process-', runCliInProcess);

  beforeAll(() => v.init());
  afterAll(() => v.dispose());

  it('puts back the environment, the exit code and the standard streams', async () => {
    const env = { ...process.env };
    const streams = [process.stdin, process.stdout, process.stderr];
    const exitCode = process.exitCode;
    const missing = join(v.dir, 'elsewhere', 'vault.db');
    const refused = await runCliInProcess(['--keychain-service', v.keychain.service, 'whoami', '--json'], {
      env: { ...process.env, LATCHKEY_VAULT: missing, LATCHKEY_EXTRA: '1' },
    });
    expect(refused.code).toBe(1);
    expect(refused.json()).toMatchObject({ error: { code: 'NOT_INITIALISED', message: expect.stringContaining(missing) } });
    expect(process.env).toEqual(env);
    expect(process.exitCode).toBe(exitCode);
    expect([process.stdin, process.stdout, process.stderr]).toEqual(streams);
  });

  it('gives each run its own standard input and output, and no terminal', async () => {
    const wrong = await v.cli(['signin', 'root', '--password-stdin', '--json'], 'not the password of root\n');
    const right = await v.cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
    expect(right.json()).toMatchObject({ session: { username: 'root' } });
    const noTerminal = await v.cli(['signin', 'root', '--json']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.json()).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('--password-stdin') } });
  });

  it('refuses a D-Bus address other than this process’s, which the keychain would not use', async () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/latchkey-bus' };
    await expect(runCliInProcess(['status', '--json'], { env })).rejects.toThrow(/DBUS_SESSION_BUS_ADDRESS .*use runCli/);
    expect(process.env['DBUS_SESSION_BUS_ADDRESS']).not.toBe(env.DBUS_SESSION_BUS_ADDRESS);
  });
});
