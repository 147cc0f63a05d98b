import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * Electron's folder for this run's browser data, and the key of its single-instance lock: one per
 * vault. Electron would otherwise use one folder for every unpackaged run ("Electron"), so two test
 * runs on one machine, or `npm start` beside the installed app, would stop each other; keyed by the
 * vault, a second launch on the same vault still finds the first.
 */
export function profileFolder(appData: string, vaultPath: string): string {
  const key = createHash('sha256').update(vaultPath, 'utf8').digest('hex').slice(0, 16);
  return join(appData, 'Latchkey', 'profiles', key);
}
