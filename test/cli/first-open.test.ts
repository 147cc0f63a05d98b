import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault, type CliVault } from '../support/cli.js';
import { PASSWORDS } from '../support/temp-vault.js';

beforeAll(assertCliBuilt);

/**
 * Several programs opening one brand-new vault at the same moment (the app and a script, say):
 * each process reads the keychain, finds no key, and must not then store a key of its own over
 * another's. Real processes, because the vault's write lock is what settles it.
 */
describe('a new vault opened by several processes at once', () => {
  let vaults: CliVault[] = [];
  afterEach(async () => {
    for (const vault of vaults) await vault.dispose();
    vaults = [];
  });

  it('ends up with one key that every later open agrees on', async () => {
    for (let round = 0; round < 5; round += 1) {
      const vault = createCliVault('latchkey-first-open-');
      vaults.push(vault);
      const runs = await Promise.all(Array.from({ length: 6 }, () => vault.cli(['status', '--json'])));
      const answers = runs.map((run) => run.json<{ vault?: { id: string }; error?: unknown }>());
      expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
      const ids = new Set(answers.map((answer) => answer.vault?.id));
      expect(ids.size).toBe(1);

      // The key the keychain holds opens the vault, and the audit chain started with it verifies.
      await vault.init();
      const signIn = await vault.cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
      expect(signIn.code).toBe(0);
      const audit = await vault.cli(['audit', 'verify', '--json']);
      expect(audit.json()).toMatchObject({ intact: true });
    }
  });
});
