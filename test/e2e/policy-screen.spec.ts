import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { createFirstAdministrator, openAccounts, openPolicy, policyRow } from './steps.js';

const LOCK_PROBLEM = 'lockout.lockAfterFailures must be greater than lockout.delayAfterFailures.';

test('the Policy screen shows each rule in words, saves a few changes together after a summary, and resets one to its default', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await openPolicy(page);
  await expectAccessible(page);

  // In words: a label, the value and its unit, the default; the key stays for the command line.
  const idle = policyRow(page, 'session.idleTimeoutMinutes');
  const idleMinutes = idle.getByRole('spinbutton', { name: 'Lock after no activity for' });
  await expect(idleMinutes).toHaveValue('30');
  await expect(idle).toContainText('minutes');
  await expect(idle).toContainText('Default: 30 minutes, in use.');
  await expect(idle.getByRole('button', { name: /^Reset to default/ })).toHaveCount(0);
  const save = page.getByRole('button', { name: 'Save changes' });
  await expect(save).toBeDisabled();

  await idleMinutes.fill('15');
  await expect(idle.getByText('Not saved', { exact: true })).toBeVisible();
  await expect(idle.getByRole('button', { name: 'Reset to default: Lock after no activity for' })).toBeVisible();
  await policyRow(page, 'lockout.lockMinutes').getByRole('spinbutton', { name: 'Keep a locked account locked for' }).fill('90');

  // A choice is a group of radios: the arrow keys move within it, as native radios do.
  const limit = policyRow(page, 'session.limitMode').getByRole('group', { name: 'When an account is at its session limit' });
  const oldest = limit.getByRole('radio', { name: 'End its oldest session' });
  const refuse = limit.getByRole('radio', { name: 'Refuse the new sign-in' });
  await expect(oldest).toBeChecked();
  await oldest.focus();
  await page.keyboard.press('ArrowRight');
  await expect(refuse).toBeChecked();
  await expect(refuse).toBeFocused();
  await expect(page.getByText('3 changes not saved yet.')).toBeVisible();
  await expectAccessible(page);

  // The summary names each change from → to before anything is applied.
  await save.click();
  const summary = page.getByRole('dialog', { name: 'Save these changes?' });
  await expect(summary.getByRole('listitem')).toHaveText([
    'Lock after no activity for: 30 minutes → 15 minutes',
    'When an account is at its session limit: End its oldest session → Refuse the new sign-in',
    'Keep a locked account locked for: 60 minutes → 90 minutes',
  ]);
  await expectAccessible(page);
  await summary.getByRole('button', { name: 'Apply 3 changes' }).click();
  await expect(summary).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Saved 3 changes.' })).toBeVisible();
  await expect(page.getByText('No unsaved changes.')).toBeVisible();
  await expect(save).toBeDisabled();
  await expect(idle).toContainText('Default: 30 minutes. Changed');
  await expect(idle.getByText('Not saved', { exact: true })).toHaveCount(0);

  // Applied in the vault: read again from it, they stay.
  await openAccounts(page);
  await openPolicy(page);
  await expect(idleMinutes).toHaveValue('15');
  await expect(policyRow(page, 'lockout.lockMinutes').getByRole('spinbutton')).toHaveValue('90');
  await expect(refuse).toBeChecked();
  await expect(idle).toContainText(/Last set by root on/);

  // Reset to default puts the default among the changes; it is saved like any other.
  await idle.getByRole('button', { name: 'Reset to default: Lock after no activity for' }).click();
  await expect(idleMinutes).toHaveValue('30');
  await expect(idle.getByRole('button', { name: /^Reset to default/ })).toHaveCount(0);
  await save.click();
  await expect(summary.getByRole('listitem')).toHaveText(['Lock after no activity for: 15 minutes → 30 minutes']);
  await summary.getByRole('button', { name: 'Apply 1 change' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved 1 change.' })).toBeVisible();
  await expect(idle).toContainText('Default: 30 minutes, in use.');
  await expectAccessible(page);
});

test('the Policy screen shows a rule between two keys as it is broken, next to the field, and will not save until it holds', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await openPolicy(page);
  const save = page.getByRole('button', { name: 'Save changes' });
  const lockRow = policyRow(page, 'lockout.lockAfterFailures');
  const lock = lockRow.getByRole('spinbutton', { name: 'Lock the account after' });
  const delay = policyRow(page, 'lockout.delayAfterFailures').getByRole('spinbutton', { name: 'Slow down sign-ins to an account after' });

  // 5 is within the key's own bounds (2 to 100), but not above the delay's 5.
  await lock.fill('5');
  await expect(lockRow.getByText(LOCK_PROBLEM)).toBeVisible();
  await expect(lock).toHaveAttribute('aria-invalid', 'true');
  await expect(lock).toHaveAccessibleDescription(new RegExp(`^failed sign-ins ${LOCK_PROBLEM.replaceAll('.', '\\.')}`));
  await expect(save).toBeDisabled();
  await expect(page.getByText('Correct the values marked above to save.')).toBeVisible();
  await expectAccessible(page);

  // Lowering the delay beside it makes the pair hold: the problem goes and Save comes back.
  await delay.fill('4');
  await expect(lockRow.getByText(LOCK_PROBLEM)).toHaveCount(0);
  await expect(lock).not.toHaveAttribute('aria-invalid', 'true');
  await expect(save).toBeEnabled();

  // Raising the delay to meet the lock breaks it again, shown at the lock.
  await delay.fill('5');
  await expect(lockRow.getByText(LOCK_PROBLEM)).toBeVisible();
  await expect(save).toBeDisabled();
});
