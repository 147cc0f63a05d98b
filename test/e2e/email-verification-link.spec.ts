import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, ALICE, createFirstAdministrator, openAccounts, signIn, signOut } from './steps.js';

test('a verification link opened from the mailbox verifies the address once; the same link again is refused', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);

  await openAccounts(page);
  await page.getByRole('button', { name: 'Create account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create account' });
  await dialog.getByLabel('Account name').fill(ALICE.name);
  await dialog.getByLabel('E-mail address (optional)').fill('alice@example.com');
  await dialog.getByLabel('Initial password').fill(ALICE.password);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog).toBeHidden();

  await signOut(page);
  await signIn(page, ALICE);
  const settings = async (): Promise<void> => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  };
  await settings();
  await expect(page.getByText('Not verified', { exact: true })).toBeVisible();

  const link = await latchkey.verificationLink(ALICE.name);
  expect(link).toMatch(/^latchkey:\/\/verify\?token=/);
  await latchkey.openLink(link);
  // The host brings the window forward after a link; focus makes the app look for the outcome now.
  await page.evaluate(() => (globalThis as unknown as EventTarget).dispatchEvent(new Event('focus')));
  const notices = page.getByRole('status').filter({ hasText: 'is verified' });
  await expect(notices).toHaveText(/The e-mail address alice@example.com is verified for the account "alice"\./);
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
  await expectAccessible(page);
  // The link's secret appears nowhere on the screen.
  expect(await page.content()).not.toContain(link.split('=')[1]);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notices).toHaveCount(0);

  // A mail program may open the same link twice; the second time is refused and changes nothing.
  await latchkey.openLink(link);
  await page.evaluate(() => (globalThis as unknown as EventTarget).dispatchEvent(new Event('focus')));
  await expect(page.getByText(/This verification link is not valid/)).toBeVisible();
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();

  // An administrator sees the verified address too.
  await signOut(page);
  await signIn(page, ADMIN);
  await openAccounts(page);
  await page.getByRole('button', { name: `Manage ${ALICE.name}` }).click();
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
});
