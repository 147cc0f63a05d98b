import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView, SecurityReport } from '../../src/shared/monitoring.js';
import { CLI, assertCliBuilt, createCliVault, type CliRun } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';

beforeAll(assertCliBuilt);

const errorCode = (run: CliRun): string | undefined => run.json<{ error?: { code: string } }>().error?.code;

describe('latchkey alerts and report', () => {
  const v = createCliVault('latchkey-alerts-', runCliInProcess);
  const asRoot = (): Promise<CliRun> => v.cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
  const listed = async (...args: string[]): Promise<{ run: CliRun; alerts: AlertView[] }> => {
    const run = await v.cli(['alerts', 'list', '--json', ...args]);
    return { run, alerts: run.json<{ alerts: AlertView[] }>().alerts };
  };

  beforeAll(async () => {
    await v.init();
    expect((await asRoot()).code).toBe(0);
    expect((await v.cli(['account', 'add', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\n`)).code).toBe(0);
    expect((await v.cli(['policy', 'set', 'monitor.failureBurst', '3', '--json'])).code).toBe(0);
    for (let i = 0; i < 3; i += 1) {
      const wrong = await v.cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.bob}\n`);
      expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
    }
  });
  afterAll(() => v.dispose());

  it('lists the alert a burst of failures raised, and fails --fail-on at or below its severity only', async () => {
    const { run, alerts } = await listed('--open');
    expect(run.code).toBe(0);
    expect(alerts).toMatchObject([{ kind: 'failure_burst', severity: 'warning', state: 'open', count: 3, accounts: [{ name: 'alice' }] }]);
    expect((await v.cli(['alerts', 'list', '--open', '--fail-on', 'warning'])).code).toBe(3);
    expect((await v.cli(['alerts', 'list', '--open', '--fail-on', 'info', '--json'])).json()).toMatchObject({
      failed: true,
      worstOpen: 'warning',
    });
    expect((await v.cli(['alerts', 'list', '--open', '--fail-on', 'high'])).code).toBe(0);
    const text = await v.cli(['alerts', 'list']);
    expect(text.stdout).toContain('Many failed sign-ins for one account');
  });

  it('shows, acknowledges and resolves an alert, with who did it and the note', async () => {
    const [alert] = (await listed()).alerts;
    const id = alert?.id ?? '';
    const shown = await v.cli(['alerts', 'show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Severity: +warning/);
    expect(shown.stdout).toContain('alice');
    const acked = await v.cli(['alerts', 'ack', id, '--note', 'calling alice', '--json']);
    expect(acked.json()).toMatchObject({ state: 'acknowledged', acknowledged: { by: { name: 'root' }, note: 'calling alice' } });
    // Being looked at, it pages nobody, and is still listed as not resolved.
    expect((await v.cli(['alerts', 'list', '--open', '--fail-on', 'info'])).code).toBe(0);
    expect((await listed('--open')).alerts).toHaveLength(1);
    expect((await v.cli(['alerts', 'resolve', id])).code).toBe(2);
    const resolved = await v.cli(['alerts', 'resolve', id, '--note', 'alice forgot her new password', '--json']);
    expect(resolved.json()).toMatchObject({ state: 'resolved', resolved: { by: { name: 'root' }, note: 'alice forgot her new password' } });
    expect((await listed('--open')).alerts).toEqual([]);
    expect(errorCode(await v.cli(['alerts', 'ack', id, '--json']))).toBe('CONFLICT');
  });

  it('prints the report over 7, 30 or 90 days', async () => {
    const month = await v.cli(['report', '--json']);
    expect(month.code).toBe(0);
    const report = month.json<SecurityReport>();
    expect(report).toMatchObject({ periodDays: 30, mfaAdoption: { activeAccounts: 2, target: 0.8 } });
    expect(report.days).toHaveLength(30);
    expect(report.totals.failures).toBe(3);
    const week = await v.cli(['report', '--since', '7d']);
    expect(week.stdout).toContain('Security report, 7 days');
    expect(week.stdout).toMatch(/Failed sign-ins: +3/);
  });

  it('checks every argument at the boundary (exit 2)', async () => {
    for (const args of [
      ['alerts', 'show', 'alrt_nope'],
      ['alerts', 'show', `alrt_${'a'.repeat(5000)}`],
      ['alerts', 'list', '--fail-on', 'severe'],
      ['alerts', 'list', '--limit', '0'],
      ['alerts', 'ack', `alrt_${'0'.repeat(32)}`, '--note', 'x'.repeat(1001)],
      ['alerts', 'resolve', `alrt_${'0'.repeat(32)}`, '--note', '   '],
      ['report', '--since', '14d'],
      ['report', '--since', `${'9'.repeat(100)}d`],
    ]) {
      expect((await v.cli(args)).code, args.join(' ')).toBe(2);
    }
    expect(errorCode(await v.cli(['alerts', 'show', `alrt_${'0'.repeat(32)}`, '--json']))).toBe('NOT_FOUND');
  });

  it('is for administrators only', async () => {
    expect((await v.cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\n`)).code).toBe(0);
    expect(errorCode(await v.cli(['alerts', 'list', '--json']))).toBe('NOT_AUTHORISED');
    expect(errorCode(await v.cli(['report', '--json']))).toBe('NOT_AUTHORISED');
    expect((await asRoot()).code).toBe(0);
  });
});

// Linux only, as test/cli/faketime.test.ts says: Latchkey trusts the machine's uptime there alone.
describe.skipIf(process.platform !== 'linux')('a clock set back, with the CLI under faketime', () => {
  const v = createCliVault('latchkey-alerts-faketime-');

  function underFaketime(offset: string, args: readonly string[], stdin?: string): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'faketime',
        ['-f', offset, process.execPath, CLI, '--vault', v.vault, '--keychain-service', v.keychain.service, ...args],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
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

  beforeAll(async () => {
    await v.init();
    expect((await v.cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`)).code).toBe(0);
  });
  afterAll(() => v.dispose());

  it('raises a high alert that pages --fail-on high, and the log stays whole', async () => {
    expect((await v.cli(['alerts', 'list', '--open', '--fail-on', 'high'])).code).toBe(0);
    // Anything that writes to the vault finds the clock behind: here a mistyped sign-in.
    const behind = await underFaketime('-3h', ['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.bob}\n`);
    expect(errorCode(behind)).toBe('INVALID_CREDENTIALS');
    // The person at the machine is told what happened, what still works and what to do.
    expect(behind.stderr).toMatch(/clock is about 180 min behind .*nothing that had expired .* comes back.*alerts list/);
    const run = await v.cli(['alerts', 'list', '--open', '--fail-on', 'high', '--json']);
    expect(run.code).toBe(3);
    const alerts = run.json<{ alerts: AlertView[] }>().alerts;
    expect(alerts).toMatchObject([{ kind: 'clock_rollback', severity: 'high', state: 'open' }]);
    expect(alerts[0]?.summary).toMatch(/about 180 min behind/);
    expect((await v.cli(['audit', 'verify', '--json'])).json()).toMatchObject({ intact: true });
  });
});
