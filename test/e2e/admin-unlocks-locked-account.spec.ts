import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import {
  ADMIN,
  ALICE,
  createAccount,
  createFirstAdministrator,
  expectDashboard,
  openAccounts,
  openPolicy,
  savePolicy,
  signIn,
  signOut,
  submitPassword,
} from './steps.js';

test('an account locked by failed sign-ins says until when, and signs in once an administrator unlocks it', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await createAccount(page, ALICE);

  // Lock after 2 failures instead of 20 (the lock must come after the first delay).
  await openPolicy(page);
  await expectAccessible(page);
  await savePolicy(page, { 'lockout.delayAfterFailures': '1', 'lockout.lockAfterFailures': '2' });
  await expectAccessible(page);
  await signOut(page);

  const wrong = { name: ALICE.name, password: 'not-her-password-at-all' };
  const failSignIn = async (): Promise<void> => {
    await submitPassword(page, wrong);
    // A refused sign-in empties the password field: the answer has arrived.
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(page.getByRole('alert')).toBeVisible();
  };
  await failSignIn();
  // After the first failure the next attempt waits a second: let the vault's clock pass it.
  await latchkey.advanceClock(2_000);
  await failSignIn();

  // Locked now: even the right password is refused, with the time the lock ends.
  await submitPassword(page, ALICE);
  await expect(page.getByRole('alert')).toContainText(
    /this account is locked until .+\(.+ from now\)\. An administrator can unlock it sooner\./,
  );
  await expectAccessible(page);

  await signIn(page, ADMIN);
  await openAccounts(page);
  await page.getByRole('button', { name: `Manage ${ALICE.name}` }).click();
  const panel = page.getByRole('region', { name: ALICE.name });
  await expect(panel).toBeVisible();
  await expectAccessible(page);
  await panel.getByRole('button', { name: 'Unlock account' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${ALICE.name} was unlocked` })).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Unlock account' })).toBeHidden();
  await signOut(page);

  await signIn(page, ALICE);
  await expectDashboard(page);
});
