import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, ALICE, createAccount, createFirstAdministrator, expectDashboard, signIn, signOut } from './steps.js';

test('first run: the first administrator signs in and creates a user, who appears in the Accounts table', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await expectAccessible(page);

  await signOut(page);
  await expectAccessible(page);
  await signIn(page, ADMIN);
  await expectDashboard(page);

  await createAccount(page, ALICE);
  await expectAccessible(page);
  const row = page
    .getByRole('table', { name: 'Accounts' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: ALICE.name }) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell', { name: 'User', exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: `Manage ${ALICE.name}` })).toBeVisible();

  // Back to the dashboard through the app's own link.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expectDashboard(page);
});
