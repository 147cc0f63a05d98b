import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArg } from '../../src/cli/arguments.js';
import { UsageError } from '../../src/cli/password-input.js';
import { MAX_EVENT_FILTER_LENGTH } from '../../src/shared/audit-events.js';
import { assertCliBuilt, createCliVault, runCli } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';

interface ErrorEnvelope {
  error: { code: string; message: string };
}

describe('an argument longer than its rule allows', () => {
  const v = createCliVault('latchkey-cli-limits-', runCliInProcess);

  beforeAll(async () => {
    assertCliBuilt();
    await v.init();
    expect((await v.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
  });

  afterAll(() => v.dispose());

  it('refuses an audit --type past its maximum as a usage mistake (exit 2), before it reaches a query', async () => {
    // Over SQLite's 50,000-byte limit on a LIKE pattern, which once ended in INTERNAL.
    // A child process: the long argument passes through exec, and the real program exits 2.
    const run = await v.childCli(['audit', 'list', '--type', 'a'.repeat(60_000), '--json']);
    expect(run.code).toBe(2);
    expect(run.json<ErrorEnvelope>().error).toEqual({
      code: 'INVALID_INPUT',
      message: `Invalid --type: give an event type such as signin.failed, or a group such as session (at most ${MAX_EVENT_FILTER_LENGTH} characters).`,
    });
  });

  it('takes LATCHKEY_DEVICE_NAME as the device a sign-in names, and refuses one that is no name (exit 2)', async () => {
    const signin = (deviceName: string) =>
      runCli(['--vault', v.vault, '--keychain-service', v.keychain.service, 'signin', 'root', '--password-stdin', '--json'], {
        stdin: `${PASSWORDS.admin}\n`,
        env: { ...process.env, LATCHKEY_DEVICE_NAME: deviceName },
      });
    const kiosk = await signin('kiosk-7');
    expect(kiosk.code).toBe(0);
    expect(kiosk.json<{ session: { deviceName: string } }>().session.deviceName).toBe('kiosk-7');
    for (const bad of ['kiosk\u0007', '-kiosk', 'k'.repeat(65), 'a/b']) {
      const run = await signin(bad);
      expect(run.code, JSON.stringify(bad)).toBe(2);
      expect(run.json<ErrorEnvelope>().error.message).toContain('LATCHKEY_DEVICE_NAME must be 1 to 64 letters');
    }
  });

  it('still takes an audit --type of the longest kind there is', async () => {
    const run = await v.cli(['audit', 'list', '--type', 'mfa.backup_codes_regenerated', '--json']);
    expect(run.code).toBe(0);
  });

  it('is refused by every rule, whatever the text', () => {
    const kinds = [
      'accountName',
      'sessionId',
      'email',
      'limit',
      'eventType',
      'totpCode',
      'backupCode',
      'deviceId',
      'filePath',
      'importFormat',
    ] as const;
    for (const long of ['a'.repeat(100_000), ' '.repeat(100_000), `${'1'.repeat(6)}${' '.repeat(100_000)}`]) {
      for (const kind of kinds) expect(() => parseArg(kind, long), kind).toThrow(UsageError);
    }
  });
});
