import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, expectDashboard } from './steps.js';

const KEY = 'session.idleTimeoutMinutes';

test('the lock screen states the idle timeout policy now in force, and tells a manual lock from an idle one', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Policy' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
  const row = page.getByRole('listitem').filter({ has: page.getByLabel(KEY, { exact: true }) });
  await expect(row).toContainText('A whole number from 1 to 1440. Uses the default, 30.');
  const save = row.getByRole('button', { name: `Save ${KEY}`, exact: true });

  // A value out of bounds is refused in the form, in words, and never sent.
  await row.getByLabel(KEY, { exact: true }).fill('0');
  await save.click();
  await expect(row.getByRole('alert')).toHaveText('Give a whole number from 1 to 1440.');
  await expect(row.getByLabel(KEY, { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  await row.getByLabel(KEY, { exact: true }).fill('15');
  await save.click();
  await expect(row.getByRole('status')).toHaveText(`Saved: ${KEY} is now 15.`);
  await expect(row.getByRole('alert')).toHaveCount(0);
  await expect(row).toContainText('The default is 30. Changed');

  // Idle for longer than the new timeout (but not the old one): locked, with the new figure.
  await latchkey.advanceClock(16 * 60_000);
  await page.evaluate(() => (globalThis as unknown as EventTarget).dispatchEvent(new Event('focus')));
  await expect(page.getByRole('heading', { level: 1, name: 'Latchkey is locked' })).toBeVisible();
  await expect(page.getByText('Latchkey locks itself after 15 minutes without activity. Enter your password to continue.')).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();

  // A manual lock is not an idle timeout.
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Latchkey is locked' })).toBeVisible();
  await expect(page.getByText('You locked Latchkey. Enter your password to continue.')).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expectDashboard(page);
});
