import { userInfo } from 'node:os';
import { DEFAULT_KEYCHAIN_SERVICE } from '../secrets/keychain.js';

/**
 * What every host (the desktop app, the CLI, the browser host) decides the same way before it
 * opens the engine: which keychain namespace, and which OS user the tokens it keeps are scoped to.
 * The vault's path is in vault-location.ts beside this file.
 */

/** The OS user this process runs as, or null where the system cannot say (no passwd entry). */
export function osUserName(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

/** `--keychain-service`, else LATCHKEY_KEYCHAIN_SERVICE, else "latchkey"; an empty value counts as unset. */
export function keychainServiceFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(flag) ?? nonEmpty(env['LATCHKEY_KEYCHAIN_SERVICE']) ?? DEFAULT_KEYCHAIN_SERVICE;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
