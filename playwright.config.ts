import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const JOURNEYS = 'test/e2e/**/*.spec.ts';
/** Examples for test engineers: they pick their host themselves (Electron if installed), so they run once, under `browser`. */
const EXAMPLES = 'examples/**/*.spec.ts';

/**
 * The Chromium the browser project drives: LATCHKEY_CHROMIUM, else the distribution's, else (none
 * installed, as on macOS and Windows) Playwright's own, from `npx playwright install chromium`.
 */
function chromium(): string | undefined {
  const chosen = process.env['LATCHKEY_CHROMIUM'];
  if (chosen !== undefined && chosen !== '') return chosen;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
}
const executablePath = chromium();

/**
 * One set of end-to-end specs, two hosts: `browser` drives the built renderer in Debian's Chromium
 * through the browser host; `electron` launches the built app where an Electron binary is installed.
 */
export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  globalSetup: './test/e2e/global-setup.ts',
  use: { trace: 'retain-on-failure', viewport: { width: 1280, height: 800 } },
  projects: [
    {
      name: 'browser',
      testMatch: [JOURNEYS, EXAMPLES],
      use: {
        browserName: 'chromium',
        launchOptions: {
          ...(executablePath === undefined ? {} : { executablePath }),
          // Without the background-networking flags Chromium keeps trying to reach the internet.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'electron', testMatch: JOURNEYS },
  ],
});
