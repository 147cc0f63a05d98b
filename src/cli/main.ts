import { Command, CommanderError } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerDeliveryCommands } from './commands/delivery.js';
import { registerEmailCommands } from './commands/email.js';
import { registerImportCommands } from './commands/import.js';
import { registerMfaCommands } from './commands/mfa.js';
import { registerMonitoringCommands } from './commands/monitoring.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerSessionCommands } from './commands/session.js';
import { registerSetupCommands } from './commands/setup.js';
import { registerVaultCommands } from './commands/vault.js';
import { UsageError } from './password-input.js';
import { dropOutputToClosedPipes, printError } from './runtime.js';
import { latchkeyVersion } from './version.js';

/** The command table: every command is declared once, with its help, here and in ./commands. */
export function buildProgram(): Command {
  const program = new Command('latchkey')
    .description('Latchkey: a local-first sign-in vault. Manage accounts, two-step sign-in, sessions, policy and the audit log.')
    .version(latchkeyVersion(), '-V, --version')
    .option('--vault <path>', 'the vault file (default: $LATCHKEY_VAULT, else the per-user app-data folder)')
    .option(
      '--keychain-service <name>',
      'keychain namespace for the vault key and CLI session (default: $LATCHKEY_KEYCHAIN_SERVICE, else "latchkey")',
    )
    .option('--json', 'print one JSON object on standard output')
    .addHelpText(
      'after',
      "\nEnvironment:\n  LATCHKEY_DEVICE_NAME       the device name sessions and audit events record\n                             (default: the computer's host name)",
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSetupCommands(program);
  registerVaultCommands(program);
  registerAuthCommands(program);
  registerMfaCommands(program);
  registerAccountCommands(program);
  registerImportCommands(program);
  registerSessionCommands(program);
  registerAuditCommands(program);
  registerPolicyCommands(program);
  registerMonitoringCommands(program);
  registerEmailCommands(program);
  registerDeliveryCommands(program);
  for (const command of allCommands(program)) command.exitOverride();
  program.hook('preAction', (_program, actionCommand) => refuseEmptyOptions(actionCommand));
  return program;
}

/**
 * An empty value is always a mistake (an unset shell variable, say: `--vault "$VAULT"`), and
 * otherwise reads as the option left out: `--vault ''` would open the default vault.
 */
function refuseEmptyOptions(command: Command): void {
  for (let at: Command | null = command; at !== null; at = at.parent) {
    for (const option of at.options) {
      if (at.getOptionValue(option.attributeName()) === '') {
        throw new UsageError(`${option.long ?? option.flags} needs a value, and was given an empty one.`);
      }
    }
  }
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  dropOutputToClosedPipes();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, successfully.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      if (error.exitCode !== 0 && argv.includes('--json')) printError(new UsageError(error.message.replace(/^error: /, '')), true);
      return;
    }
    printError(error, argv.includes('--json'));
  }
}
