import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { USERNAME_MAX_LENGTH, USERNAME_RULE } from '../../src/shared/fields.js';
import { ADMIN, ALICE, createAccount, createFirstAdministrator, expectDashboard, openAccounts, signIn, signOut } from './steps.js';

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

test('an administrator generates a password for a new account, sees it to pass on, and it signs in', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await openAccounts(page);
  await page.getByRole('button', { name: 'Create account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create account' });
  await dialog.getByLabel('Account name').fill('dana');
  await dialog.getByRole('button', { name: 'Generate a password' }).click();
  const field = dialog.getByLabel('Initial password');
  await expect(field).toHaveAttribute('type', 'text');
  const first = await field.inputValue();
  expect(first).toMatch(/^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$/);
  await dialog.getByRole('button', { name: 'Generate another' }).click();
  const generated = await field.inputValue();
  expect(generated).toMatch(/^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$/);
  expect(generated).not.toBe(first);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog).toBeHidden();

  await signOut(page);
  await signIn(page, { name: 'dana', password: generated });
});

test('the account name is checked next to its field as it is typed, with the rule, and at most 64 characters go in', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await openAccounts(page);
  await page.getByRole('button', { name: 'Create account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create account' });
  const name = dialog.getByLabel('Account name');
  await expect(name).toHaveAttribute('maxlength', String(USERNAME_MAX_LENGTH));
  await dialog.getByLabel('Initial password').fill('a long and unusual first passphrase');
  await name.fill('dana smith!');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription(USERNAME_RULE);
  await expect(dialog.getByRole('button', { name: 'Create account' })).toBeDisabled();
  await expectAccessible(page);
  await name.fill('dana.smith');
  await expect(name).not.toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('button', { name: 'Create account' })).toBeEnabled();
});
