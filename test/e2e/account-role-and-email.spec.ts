import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, ALICE, createAccount, createFirstAdministrator, openAccounts } from './steps.js';

test('an administrator changes a role and an e-mail address, and the vault keeps its last administrator', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await createAccount(page, ALICE, { email: 'alice@example.com' });

  // Alone, the administrator cannot make a user of themselves.
  await page.getByRole('button', { name: `Manage ${ADMIN.name}` }).click();
  const own = page.getByRole('region', { name: ADMIN.name });
  await own.getByRole('button', { name: 'Make user' }).click();
  const demote = page.getByRole('dialog', { name: `Make ${ADMIN.name} a user?` });
  await expect(demote).toContainText('That includes you, in this window.');
  await demote.getByRole('button', { name: 'Make user' }).click();
  await expect(demote.getByRole('alert')).toContainText('last active administrator');
  await demote.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: `Manage ${ALICE.name}` }).click();
  const panel = page.getByRole('region', { name: ALICE.name });
  await panel.getByRole('button', { name: 'Make administrator' }).click();
  const promote = page.getByRole('dialog', { name: `Make ${ALICE.name} an administrator?` });
  await expectAccessible(page);
  await promote.getByRole('button', { name: 'Make administrator' }).click();
  await expect(promote).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `${ALICE.name} is now an administrator.` })).toBeVisible();
  await expect(panel.getByRole('definition').filter({ hasText: 'Administrator' })).toBeVisible();

  await panel.getByRole('button', { name: 'Change e-mail address' }).click();
  const address = page.getByRole('dialog', { name: `Change the e-mail address of ${ALICE.name}` });
  await expect(address.getByLabel('E-mail address')).toHaveValue('alice@example.com');
  // Someone else's address needs no password of the administrator's.
  await expect(address.getByLabel('Your current password')).toHaveCount(0);
  await address.getByLabel('E-mail address').fill('alice@example.net');
  await address.getByRole('button', { name: 'Save address' }).click();
  await expect(address).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'The address of alice is now alice@example.net' })).toBeVisible();
  await expect(panel).toContainText('alice@example.net');
  await expect(panel.getByText('Not verified', { exact: true })).toBeVisible();

  // The audit log has both, by whom.
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(events.getByRole('row').filter({ hasText: 'Role changed' }).first()).toContainText('Role: Administrator · was User');
  await expect(events.getByRole('row').filter({ hasText: 'E-mail address changed' }).first()).toContainText(ALICE.name);
  await openAccounts(page);
});
