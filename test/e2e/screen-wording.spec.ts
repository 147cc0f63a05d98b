import { expect, test } from './fixtures.js';
import { ADMIN, openAccounts } from './steps.js';

test('first run, counts and event details read as plain words', async ({ latchkey }) => {
  const { page } = latchkey;
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first administrator' })).toBeVisible();
  await page.getByLabel('Account name').fill(ADMIN.name);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Repeat password').fill(`${ADMIN.password}!`);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  // There is no old password at first run for these to be "new" against.
  await expect(page.getByRole('alert')).toHaveText('The two passwords are not the same. Type the same password in both fields.');
  await expect(page.getByLabel('Repeat password')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Repeat password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Security dashboard' })).toBeVisible();

  // Details in words: a "stay signed in" that is off says nothing, and keys are not shown raw.
  const events = page.getByRole('table', { name: 'Recent security events' });
  const started = events.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Session started/ }) });
  await expect(started).toContainText('Assurance: Password only · App: Browser');
  await expect(events).not.toContainText('staySignedIn');
  await expect(events).not.toContainText(': false');

  await openAccounts(page);
  await expect(page.getByText('1 account', { exact: true })).toBeVisible();
});
