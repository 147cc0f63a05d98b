import { test as base, chromium, expect, type Page } from '@playwright/test';
import type { LatchkeyBridge } from '../../src/shared/contract.js';
import { ELECTRON_MISSING, cli, electronBinary, launchElectron, newSandbox, startBrowserHost, type Sandbox } from './hosts.js';

export interface Latchkey {
  readonly page: Page;
  readonly sandbox: Sandbox;
  /** Which host this run drives. */
  readonly host: 'browser' | 'electron';
  /** The `latchkey` CLI on the same vault. */
  cli(args: readonly string[], stdin?: string): ReturnType<typeof cli>;
  /** Moves the host's clock (browser host test mode only; the Electron build has no test clock). */
  advanceClock(ms: number): Promise<number>;
  /** The host's current time, as the engine sees it. */
  now(): Promise<number>;
}

/**
 * Every spec gets `latchkey`: the app on an empty vault in its own keychain namespace, on the
 * project's host. On the electron project without an Electron binary, each spec is reported as
 * not run, with the reason.
 */
export const test = base.extend<{ latchkey: Latchkey }>({
  latchkey: async ({}, use, testInfo) => {
    const sandbox = newSandbox();
    try {
      if (testInfo.project.name === 'electron') {
        test.skip(electronBinary() === null, ELECTRON_MISSING);
        const { app, page: window } = await launchElectron(sandbox);
        try {
          await use({
            page: window,
            sandbox,
            host: 'electron',
            cli: (args, stdin) => cli(sandbox, args, stdin),
            advanceClock: () => {
              test.skip(true, 'The Electron build has no test clock; time-driven journeys run on the browser host.');
              return Promise.resolve(0);
            },
            now: () => Promise.resolve(Date.now()),
          });
        } finally {
          await app.close();
        }
        return;
      }
      const host = await startBrowserHost(sandbox);
      // Launched here rather than through Playwright's `page` fixture, so the electron project never starts a browser.
      const browser = await chromium.launch(testInfo.project.use.launchOptions);
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(host.url);
        const clock = async (ms: number): Promise<number> => {
          const result = await page.evaluate(
            (step) => (globalThis as unknown as { latchkey: LatchkeyBridge }).latchkey.invoke('test.advanceClock', { ms: step }),
            ms,
          );
          if (!result.ok) throw new Error(result.error.message);
          return result.value.now;
        };
        await use({
          page,
          sandbox,
          host: 'browser',
          cli: (args, stdin) => cli(sandbox, args, stdin),
          advanceClock: clock,
          now: () => clock(0),
        });
      } finally {
        await browser.close();
        host.stop();
      }
    } finally {
      await sandbox.dispose();
    }
  },
});

export { expect };
