/**
 * Driving Latchkey with Playwright: start the app on a throwaway vault, create the first
 * administrator, sign in, and see the security dashboard.
 *
 * Run it with `npm run build && bash scripts/with-test-keychain.sh npx playwright test examples/`.
 * The keychain wrapper gives the app a private, unlocked Secret Service on Linux; on macOS and
 * Windows the app uses the system's store under the test's own namespace.
 */
import { expect, test } from '@playwright/test';
import { launchLatchkey, type RunningLatchkey } from './launch.js';

let latchkey: RunningLatchkey;

test.beforeEach(async ({}, testInfo) => {
  // Electron if installed, else the browser host with this project's Chromium.
  latchkey = await launchLatchkey({ launchOptions: testInfo.project.use.launchOptions });
});

test.afterEach(async () => {
  await latchkey.close();
});

test('first run, sign in, and the security dashboard', async () => {
  const { page } = latchkey;
  const administrator = { name: 'root', password: 'amber falcon over frozen lakes' };

  // Select what a person sees: headings, labels and button names, never CSS classes. The names
  // are the app's promise to screen-reader users, so they change less often than markup does.
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first administrator' })).toBeVisible();
  await page.getByLabel('Account name').fill(administrator.name);
  // `exact`: "Password" would otherwise also match "Repeat password".
  await page.getByLabel('Password', { exact: true }).fill(administrator.password);
  await page.getByLabel('Repeat password').fill(administrator.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();

  // Creating the administrator signs them in. Sign out, and in again, as a person would.
  await expect(page.getByRole('heading', { level: 1, name: 'Security dashboard' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Account name').fill(administrator.name);
  await page.getByLabel('Password', { exact: true }).fill(administrator.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  // Web-first assertions wait until the screen shows the thing: no sleeps needed.
  await expect(page.getByRole('heading', { level: 1, name: 'Security dashboard' })).toBeVisible();
  const sessions = page.getByRole('table', { name: 'Active sessions' });
  await expect(sessions.getByRole('row').filter({ hasText: 'This session' })).toHaveCount(1);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toBeVisible();
});
