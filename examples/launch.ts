import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, chromium, type LaunchOptions, type Page } from '@playwright/test';
import { electronBinary, startBrowserHost } from '../test/e2e/hosts.js';
import { forgetKeychainService } from '../test/support/keychain.js';

/**
 * Starts Latchkey for one test on a throwaway vault and keychain namespace, and hands back its
 * window as a Playwright `Page`. Uses Electron when an Electron binary is installed; otherwise the
 * browser host (the same renderer and engine, served to Chromium), so the same spec runs on a
 * machine without Electron. Run `npm run build` first: both launch the built app in `out/`.
 */
export interface RunningLatchkey {
  readonly page: Page;
  readonly host: 'electron' | 'browser';
  /** The vault file, should a test want to look at it. */
  readonly vault: string;
  /** Closes the app, deletes the vault and the keychain entries it made. */
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function launchLatchkey(browser: { launchOptions?: LaunchOptions | undefined } = {}): Promise<RunningLatchkey> {
  // A new folder for the vault, and a keychain namespace of its own: the test neither sees nor
  // touches the vault (or the keychain entries) of the person running it.
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-example-'));
  const vault = join(dir, 'vault.db');
  const keychainService = `latchkey-example-${randomBytes(6).toString('hex')}`;
  const removeVault = async (): Promise<void> => {
    rmSync(dir, { recursive: true, force: true });
    await forgetKeychainService(keychainService);
  };

  try {
    if (electronBinary() !== null) {
      // The desktop app: the main bundle, then Latchkey's own launch options.
      const app = await _electron.launch({
        args: [join(ROOT, 'out/main/index.js'), '--vault', vault, '--keychain-service', keychainService],
      });
      return {
        page: await app.firstWindow(),
        host: 'electron',
        vault,
        close: async () => {
          await app.close();
          await removeVault();
        },
      };
    }

    // No Electron here: the browser host serves the same app on 127.0.0.1 to Chromium.
    const server = await startBrowserHost({ dir, vault, keychainService, dispose: removeVault });
    const chrome = await chromium.launch(browser.launchOptions);
    const page = await chrome.newPage();
    await page.goto(server.url);
    return {
      page,
      host: 'browser',
      vault,
      close: async () => {
        await chrome.close();
        server.stop();
        await removeVault();
      },
    };
  } catch (error) {
    await removeVault();
    throw error;
  }
}
