import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, expectDashboard } from './steps.js';

test('after 30 idle minutes the app shows the lock screen, and the password unlocks it', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);

  await latchkey.advanceClock(31 * 60_000);
  // The app looks every 15 s and whenever its window gains focus; focus makes it look now.
  await page.evaluate(() => (globalThis as unknown as EventTarget).dispatchEvent(new Event('focus')));
  await expect(page.getByRole('heading', { level: 1, name: 'Latchkey is locked' })).toBeVisible();
  await expect(page.getByText(ADMIN.name, { exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expectDashboard(page);
});
