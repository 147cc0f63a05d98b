import type { Command } from 'commander';
import { isLatchkeyError } from '../../shared/errors.js';
import { parseArg } from '../arguments.js';
import { fields } from '../format.js';
import { action } from '../runtime.js';

/** `init` and `status`: the vault itself. */
export function registerSetupCommands(program: Command): void {
  program
    .command('init')
    .description('Create the vault and its first administrator (only on an empty vault).')
    .requiredOption('--admin <name>', 'name of the first administrator account')
    .option('--email <address>', "the administrator's e-mail address")
    .option('--password-stdin', 'read the password from standard input instead of a hidden prompt')
    .action(
      action(async (runtime, options: { admin: string; email?: string; passwordStdin?: boolean }) => {
        const username = parseArg('accountName', options.admin, '--admin');
        const email = options.email === undefined ? null : parseArg('email', options.email, '--email');
        const password = await runtime.passwords(options.passwordStdin).next('New password: ', { confirm: true });
        const engine = await runtime.engine({ create: true });
        const account = await engine.accounts.initialise({ username, password, email });
        return {
          json: { account, vault: { id: engine.vaultId, path: engine.vaultPath } },
          text: [
            `Created vault ${engine.vaultPath}`,
            `Administrator "${account.username}" is ready. Sign in with: latchkey signin ${account.username}`,
          ],
        };
      }),
    );

  program
    .command('status')
    .description(
      'Show which vault and keychain this command uses, and whether you are signed in. A missing vault is reported, not created.',
    )
    .action(
      action(async (runtime) => {
        const keychain = { service: runtime.keychain.service, kind: 'os' as const };
        let engine;
        try {
          engine = await runtime.engine();
        } catch (error) {
          if (!isLatchkeyError(error) || error.code !== 'NOT_INITIALISED') throw error;
          // Saying where the vault would be is the answer here, not a refusal: exit 0.
          return {
            json: { vault: { id: null, path: runtime.vaultPath, exists: false, initialised: false }, keychain, signedInAs: null },
            text: fields([
              ['Vault', `${runtime.vaultPath} (does not exist)`],
              ['Initialised', 'no — create it with `latchkey init --admin NAME`'],
              ['Keychain', `OS keychain, service "${keychain.service}"`],
              ['Signed in', 'no'],
            ]),
          };
        }
        let signedInAs: string | null = null;
        if ((await runtime.sessionToken()) !== null) {
          try {
            signedInAs = (await runtime.caller()).username;
          } catch {
            signedInAs = null;
          }
        }
        const status = {
          vault: { id: engine.vaultId, path: engine.vaultPath, exists: true, initialised: engine.accounts.isInitialised() },
          keychain,
          signedInAs,
        };
        return {
          json: status,
          text: fields([
            ['Vault', `${status.vault.path} (${status.vault.id})`],
            ['Initialised', status.vault.initialised ? 'yes' : 'no — run `latchkey init --admin NAME`'],
            ['Keychain', `OS keychain, service "${status.keychain.service}"`],
            ['Signed in', signedInAs ?? 'no'],
          ]),
        };
      }),
    );
}
