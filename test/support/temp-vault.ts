import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ClientInfo } from '../../src/shared/client.js';
import { ManualClock } from '../../src/main/engine/clock.js';
import { openEngine, type Engine } from '../../src/main/engine/engine.js';
import type { HashParameters } from '../../src/main/engine/passwords/password-hasher.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { forgetKeychainService } from './keychain.js';

/** A throwaway vault: a real SQLite file in a temp folder, a real keychain under its own service name. */
export interface TempVault {
  readonly dir: string;
  readonly path: string;
  readonly keychain: OsKeychain;
  readonly clock: ManualClock;
  open(options?: { hashParameters?: HashParameters; monitoring?: boolean }): Promise<Engine>;
  dispose(): Promise<void>;
}

export function keychainServiceForTest(): string {
  return `latchkey-test-${randomBytes(6).toString('hex')}`;
}

export async function createTempVault(): Promise<TempVault> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const path = join(dir, 'vault.db');
  const keychain = new OsKeychain(keychainServiceForTest());
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const opened: Engine[] = [];
  return {
    dir,
    path,
    keychain,
    clock,
    async open(options = {}) {
      const engine = await openEngine({ vaultPath: path, secrets: keychain, clock, ...options });
      opened.push(engine);
      return engine;
    },
    async dispose() {
      for (const engine of opened) {
        try {
          engine.close();
        } catch {
          // already closed by the test
        }
      }
      await forgetKeychainService(keychain.service);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function cliClient(deviceName = 'test-device'): ClientInfo {
  return { host: 'cli', deviceName, osUser: 'tester', ip: null, userAgent: 'latchkey-test/1' };
}

/** Passwords that pass the policy (15+ characters, not common, not built from the name). */
export const PASSWORDS = {
  admin: 'correct horse battery staple',
  alice: 'violet-harbour-lantern-92',
  bob: 'quiet mountain river stone',
  next: 'amber falcon over frozen lakes',
} as const;
