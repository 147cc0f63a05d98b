import { test as base, chromium, expect, type Page } from '@playwright/test';
import type { ChannelName, InputOf, LatchkeyBridge, OutputOf } from '../../src/shared/contract.js';
import type { Result } from '../../src/shared/result.js';
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
  /** A verification link for the signed-in person's request, as the mailbox would receive it (browser host test mode only). */
  verificationLink(username: string): Promise<string>;
  /** Hands the app a `latchkey://` link the way the OS does when one is clicked. */
  openLink(link: string): Promise<void>;
}

/** Calls the browser host's bridge from the page, as the renderer does. */
async function invokeInPage<C extends ChannelName>(page: Page, channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  const result = (await page.evaluate(
    ([name, data]) =>
      (globalThis as unknown as { latchkey: LatchkeyBridge }).latchkey.invoke(name as ChannelName, JSON.parse(data) as never),
    // Sent as JSON text: the contract's input types are plain data, which Playwright's own serialisation cannot prove.
    [channel as string, JSON.stringify(input)] as const,
  )) as Result<OutputOf<C>>;
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
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
            verificationLink: () => {
              test.skip(
                true,
                'The Electron build has no channel that hands a verification link to a test; the link journey runs on the browser host.',
              );
              return Promise.resolve('');
            },
            // What Windows and Linux do with a clicked link while the app runs: a second instance hands it over.
            openLink: (link) =>
              app.evaluate(({ app: electronApp }, url) => void electronApp.emit('second-instance', {}, ['latchkey', url], '/'), link),
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
        const clock = async (ms: number): Promise<number> => (await invokeInPage(page, 'test.advanceClock', { ms })).now;
        await use({
          page,
          sandbox,
          host: 'browser',
          cli: (args, stdin) => cli(sandbox, args, stdin),
          advanceClock: clock,
          now: () => clock(0),
          verificationLink: async (username) => (await invokeInPage(page, 'test.issueVerificationLink', { username })).link,
          openLink: async (link) => {
            await invokeInPage(page, 'test.openLink', { link });
          },
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
