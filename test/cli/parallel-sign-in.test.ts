import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/main/engine/engine.js';
import { SECOND, systemClock } from '../../src/main/engine/clock.js';
import { assertCliBuilt, createCliVault, type CliVault } from '../support/cli.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { allEvents } from '../support/auditor.js';

beforeAll(assertCliBuilt);

const PROCESSES = 24;

// Child processes: the delay must hold between processes racing for one vault, each with its own engine.
describe('sign-ins from many processes at once', () => {
  let vault: CliVault;
  afterEach(() => vault.dispose());

  it('get no more password checks than the delay allows, each counted once', async () => {
    vault = createCliVault('latchkey-parallel-');
    await vault.init();
    expect((await vault.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    expect((await vault.cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
    // Five failures one after another: from here on every attempt must wait 1 s, 2 s, 4 s …
    for (let i = 0; i < 5; i += 1) {
      expect((await vault.cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.bob}\n`)).json()).toMatchObject({
        error: { code: 'INVALID_CREDENTIALS' },
      });
    }
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () => vault.cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.bob}\n`)),
    );
    const codes = runs.map((run) => run.json<{ error?: { code: string } }>().error?.code);
    expect(codes.every((code) => code === 'INVALID_CREDENTIALS' || code === 'LOCKED_OUT')).toBe(true);
    const checked = codes.filter((code) => code === 'INVALID_CREDENTIALS').length;

    const engine = await openEngine({ vaultPath: vault.vault, secrets: vault.keychain, clock: systemClock });
    try {
      const failures = allEvents(engine).filter((event) => event.type === 'signin.failed' && event.reason === 'wrong_password');
      expect(failures).toHaveLength(5 + checked);
      // Each checked failure after the fifth began no sooner than the delay the count before it set.
      for (let n = 5; n < failures.length; n += 1) {
        const gap = (failures[n]?.at ?? 0) - (failures[n - 1]?.at ?? 0);
        // The counter and the audit event take the clock a moment apart in one transaction.
        expect(gap).toBeGreaterThanOrEqual(Math.min(2 ** (n - 5), 900) * SECOND - 5);
      }
    } finally {
      engine.close();
    }
  });
});
