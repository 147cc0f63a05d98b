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
      // Only init makes a vault, so several of them race to make it; one also makes the first admin.
      const runs = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          vault.cli(['init', '--admin', `admin${i}`, '--password-stdin', '--json'], `${PASSWORDS.admin}\n`),
        ),
      );
      const answers = runs.map((run) => run.json<{ account?: { username: string }; vault?: { id: string }; error?: { code: string } }>());
      const made = answers.filter((answer) => answer.error === undefined);
      expect(made).toHaveLength(1);
      expect(answers.filter((answer) => answer.error !== undefined).map((answer) => answer.error?.code)).toEqual(
        Array(5).fill('ALREADY_INITIALISED'),
      );

      // The key the keychain holds opens the vault, and the audit chain started with it verifies.
      const status = await vault.cli(['status', '--json']);
      expect(status.json<{ vault: { id: string } }>().vault.id).toBe(made[0]?.vault?.id);
      const signIn = await vault.cli(['signin', made[0]?.account?.username ?? '', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
      expect(signIn.code).toBe(0);
      const audit = await vault.cli(['audit', 'verify', '--json']);
      expect(audit.json()).toMatchObject({ intact: true });
    }
    // Each round hashes six passwords at once, one per init.
  }, 120_000);
});
