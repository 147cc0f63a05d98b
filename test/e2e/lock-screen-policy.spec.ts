import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, expectDashboard, openPolicy, policyRow, savePolicy } from './steps.js';

const KEY = 'session.idleTimeoutMinutes';

test('the lock screen states the idle timeout policy now in force, and tells a manual lock from an idle one', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);

  await openPolicy(page);
  const row = policyRow(page, KEY);
  const minutes = row.getByRole('spinbutton', { name: 'Lock after no activity for' });
  await expect(row).toContainText('From 1 to 1440 minutes. Default: 30 minutes, in use.');
  const save = page.getByRole('button', { name: 'Save changes', exact: true });

  // A value out of bounds is refused in the form, in words, as it is typed, and never sent.
  await minutes.fill('0');
  await expect(row.getByText('Give a whole number from 1 to 1440.')).toBeVisible();
  await expect(minutes).toHaveAttribute('aria-invalid', 'true');
  await expect(minutes).toHaveAccessibleDescription(/^minutes Give a whole number from 1 to 1440\./);
  await expect(save).toBeDisabled();
  await expectAccessible(page);

  await savePolicy(page, { [KEY]: '15' });
  await expect(minutes).not.toHaveAttribute('aria-invalid', 'true');
  await expect(row).toContainText('Default: 30 minutes. Changed');

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
