import type { Command } from 'commander';
import { parseArg } from '../arguments.js';
import { fields } from '../format.js';
import { action } from '../runtime.js';

/** `init` and `status`: the vault itself. */
export function registerSetupCommands(program: Command): void {
  program
    .command('init')
    .description('Create the vault and its first administrator (only on an empty vault).')
    .requiredOption('--admin <name>', 'name of the first administrator account')
    .option('--email <address>', 'the administrator\'s e-mail address')
    .option('--password-stdin', 'read the password from standard input instead of a hidden prompt')
    .action(
      action(async (runtime, options: { admin: string; email?: string; passwordStdin?: boolean }) => {
        const username = parseArg('accountName', options.admin, 'account name');
        const email = options.email === undefined ? null : parseArg('email', options.email, 'e-mail address');
        const password = await runtime.passwords(options.passwordStdin).next('New password: ', { confirm: true });
        const engine = await runtime.engine();
        const account = await engine.accounts.initialise({ username, password, email });
        return {
          json: { account, vault: { id: engine.vaultId, path: engine.vaultPath } },
          text: [`Created vault ${engine.vaultPath}`, `Administrator "${account.username}" is ready. Sign in with: latchkey signin ${account.username}`],
        };
      }),
    );

  program
    .command('status')
    .description('Show which vault and keychain this command uses, and whether you are signed in.')
    .action(
      action(async (runtime) => {
        const engine = await runtime.engine();
        let signedInAs: string | null = null;
        if ((await runtime.sessionToken()) !== null) {
          try {
            signedInAs = (await runtime.caller()).username;
          } catch {
            signedInAs = null;
          }
        }
        const status = {
          vault: { id: engine.vaultId, path: engine.vaultPath, initialised: engine.accounts.isInitialised() },
          keychain: { service: runtime.keychain.service, kind: 'os' as const },
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
