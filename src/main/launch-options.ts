import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_KEYCHAIN_SERVICE } from './secrets/keychain.js';
import { nonEmpty } from './host/host-setup.js';
import { defaultVaultPath } from './host/vault-location.js';

/** What the app opens: the same two choices the CLI and the browser host take. */
export interface LaunchOptions {
  readonly vaultPath: string;
  readonly keychainService: string;
}

export type LaunchOptionsResult = { readonly ok: true; readonly options: LaunchOptions } | { readonly ok: false; readonly message: string };

const vaultPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'must not contain a NUL character');

// A namespace in the OS keychain: characters every platform's store takes as they are.
const keychainService = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and . _ @ - only, starting with a letter or digit');

const FLAGS = { '--vault': 'vault', '--keychain-service': 'keychainService' } as const;
type Flag = keyof typeof FLAGS;
const isFlag = (text: string): text is Flag => Object.hasOwn(FLAGS, text);

/**
 * Reads `--vault PATH` and `--keychain-service NAME` (or `--name=value`), then LATCHKEY_VAULT and
 * LATCHKEY_KEYCHAIN_SERVICE; a flag wins over the variable. Every other argument is left alone:
 * Electron, Chromium and Playwright put their own switches and the script path on the same line.
 */
export function parseLaunchOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): LaunchOptionsResult {
  const given: Partial<Record<(typeof FLAGS)[Flag], string>> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i]!;
    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    if (!isFlag(flag)) continue;
    let value: string | undefined;
    if (equals !== -1) {
      value = argument.slice(equals + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return { ok: false, message: `${flag} needs a value.` };
      i += 1;
    }
    const key = FLAGS[flag];
    if (given[key] !== undefined) return { ok: false, message: `${flag} was given more than once.` };
    given[key] = value;
  }

  const chosenVault = given.vault ?? nonEmpty(env['LATCHKEY_VAULT']);
  const chosenService = given.keychainService ?? nonEmpty(env['LATCHKEY_KEYCHAIN_SERVICE']);

  const problems: string[] = [];
  if (chosenVault !== undefined) {
    const checked = vaultPath.safeParse(chosenVault);
    if (!checked.success) problems.push(`The vault path ${describeSource('--vault', given.vault)} ${reason(checked.error)}.`);
  }
  if (chosenService !== undefined) {
    const checked = keychainService.safeParse(chosenService);
    if (!checked.success) {
      problems.push(`The keychain service ${describeSource('--keychain-service', given.keychainService)} ${reason(checked.error)}.`);
    }
  }
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };

  return {
    ok: true,
    options: {
      // A desktop app's working directory is wherever it was started from (often /): a relative
      // path is made absolute once, here, so the vault the app shows is the one it opened.
      vaultPath: chosenVault === undefined ? defaultVaultPath(env) : resolve(cwd, chosenVault),
      keychainService: chosenService ?? DEFAULT_KEYCHAIN_SERVICE,
    },
  };
}

function describeSource(flag: string, fromFlag: string | undefined): string {
  const variable = flag === '--vault' ? 'LATCHKEY_VAULT' : 'LATCHKEY_KEYCHAIN_SERVICE';
  return `(from ${fromFlag === undefined ? variable : flag})`;
}

function reason(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'is not valid';
  if (issue.code === 'too_small') return 'is empty';
  if (issue.code === 'too_big') return `is longer than ${String(issue.maximum)} characters`;
  return issue.message;
}
