import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, enrollTotp, expectDashboard, signOut, submitPassword } from './steps.js';

test('a backup code, typed in lower case without dashes, signs in and leaves 9', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  const { backupCodes } = await enrollTotp(latchkey);
  await signOut(page);

  await submitPassword(page, ADMIN);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  await page.getByRole('button', { name: 'Use a backup code instead' }).click();
  await expect(page.getByLabel('Authentication code')).toBeHidden();
  await expectAccessible(page);
  // Case and dashes do not matter: "K7M2P-9XQ4R-T8W" may be typed as "k7m2p9xq4rt8w".
  const typed = (backupCodes[0] ?? '').replaceAll('-', '').toLowerCase();
  expect(typed).toMatch(/^[a-z0-9]{13}$/);
  await page.getByLabel('Backup code').fill(typed);
  await page.getByRole('button', { name: 'Verify' }).click();

  await expectDashboard(page);
  // Told at once how many are left, not only once they run low.
  await expect(page.getByText('You signed in with a backup code: 9 backup codes left. Each code works once.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Two-step sign-in' }).getByText(/^Backup codes left\s*9$/)).toBeVisible();
  await expectAccessible(page);
});
