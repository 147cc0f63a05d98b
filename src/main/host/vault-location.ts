import { homedir } from 'node:os';
import { join } from 'node:path';
import { nonEmpty } from './host-setup.js';

/**
 * Where the vault lives unless `--vault PATH` or `LATCHKEY_VAULT` says otherwise: the OS's
 * per-user application-data folder. The app and the CLI compute it the same way, so both open one vault.
 */
export function defaultVaultPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Latchkey', 'vault.db');
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Latchkey', 'vault.db');
  const dataHome = env['XDG_DATA_HOME'] !== undefined && env['XDG_DATA_HOME'] !== '' ? env['XDG_DATA_HOME'] : join(home, '.local', 'share');
  return join(dataHome, 'latchkey', 'vault.db');
}

/** `--vault PATH`, else LATCHKEY_VAULT, else the default; an empty value counts as unset. */
export function resolveVaultPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(explicit) ?? nonEmpty(env['LATCHKEY_VAULT']) ?? defaultVaultPath(env);
}
