import type { Page } from '@playwright/test';
import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import {
  ADMIN,
  ALICE,
  createAccount,
  createFirstAdministrator,
  expectDashboard,
  savePolicy,
  signIn,
  signOut,
  submitPassword,
} from './steps.js';

async function openAdminSection(page: Page, section: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: section }).click();
  await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible();
}

const BURST = 'Many failed sign-ins for one account (alice)';

test('a burst of failed sign-ins shows on the Security screen, is acknowledged, then resolved with a note, beside the report', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await createAccount(page, ALICE);

  // Three failures raise the warning instead of ten; the sign-in delay starts after five.
  await openAdminSection(page, 'Policy');
  await savePolicy(page, { 'monitor.failureBurst': '3' });
  await signOut(page);

  for (let attempt = 0; attempt < 3; attempt += 1) {
    await submitPassword(page, { name: ALICE.name, password: 'not-her-password-at-all' });
    // A refused sign-in empties the password field: the answer has arrived.
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(page.getByRole('alert')).toBeVisible();
  }

  await signIn(page, ADMIN);
  await openAdminSection(page, 'Security');
  const open = page.getByRole('list', { name: 'Open alerts' });
  const alert = open.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Many failed sign-ins for one account' }) });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('Warning');
  await expect(alert).toContainText(/3 failed sign-ins or codes for alice/);
  await expect(alert.getByRole('definition').filter({ hasText: /^3 events$/ })).toBeVisible();
  await expect(alert.getByRole('definition').filter({ hasText: /#\d+, #\d+, #\d+/ })).toBeVisible();
  await expectAccessible(page);

  // Acknowledge, with a note: the alert stays open, marked, and the focus goes to its Resolve.
  await page.getByRole('button', { name: `Acknowledge alert: ${BURST}` }).click();
  const acknowledge = page.getByRole('dialog', { name: 'Acknowledge alert' });
  await expect(acknowledge).toBeVisible();
  await expectAccessible(page);
  await acknowledge.getByLabel('Note (optional)').fill('Asking alice whether she forgot her password.');
  await acknowledge.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(acknowledge).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Acknowledged: ${BURST}.` })).toBeVisible();
  await expect(alert).toContainText('Acknowledged');
  await expect(alert).toContainText('Asking alice whether she forgot her password.');
  const resolveButton = page.getByRole('button', { name: `Resolve alert: ${BURST}` });
  await expect(resolveButton).toBeFocused();
  await expectAccessible(page);

  // Resolve: the note is required.
  await resolveButton.click();
  const resolve = page.getByRole('dialog', { name: 'Resolve alert' });
  await expect(resolve.getByRole('button', { name: 'Resolve' })).toBeDisabled();
  await resolve.getByLabel('What was found or done').fill('Alice mistyped after a password change; nothing else tried.');
  await resolve.getByRole('button', { name: 'Resolve' }).click();
  await expect(resolve).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Resolved: ${BURST}.` })).toBeVisible();
  await expect(page.getByRole('button', { name: `Resolve alert: ${BURST}` })).toBeHidden();
  await page.getByRole('button', { name: /^Show \d+ resolved alerts?$/ }).click();
  const resolved = page.getByRole('list', { name: 'Resolved alerts' }).getByRole('listitem').filter({ hasText: 'Many failed sign-ins' });
  await expect(resolved).toContainText('Alice mistyped after a password change; nothing else tried.');
  await expectAccessible(page);

  // The report counts the three failures, over the period chosen.
  const report = page.getByRole('region', { name: 'Security report' });
  await expect(report.getByRole('radio', { name: '30 days' })).toBeChecked();
  await report.getByRole('radio', { name: '7 days' }).check();
  await expect(report).toContainText(/From .+ to .+, by UTC day\./);
  await expect(report.getByRole('group').getByRole('radio', { name: '7 days' })).toBeChecked();
  const failed = report.locator('.report__figure').filter({ hasText: 'Failed sign-ins' });
  await expect(failed.getByRole('definition')).toHaveText('3');
  await expect(report.getByRole('img', { name: /Sign-ins and failed sign-ins per day.*3 failed sign-ins/ })).toBeVisible();
  await report.getByText('Show the numbers as a table: Sign-ins and failed sign-ins per day').click();
  const table = report.getByRole('table', { name: 'Sign-ins and failed sign-ins per day' });
  await expect(table.getByRole('row')).toHaveCount(8);
  await expect(report.getByRole('img', { name: /MFA adoption: .+ the target of 80\s?%/ })).toBeVisible();
  await expect(report).toContainText('Median TOTP setup time');
  await expectAccessible(page);

  // The events behind the alert, in the audit log narrowed to alice since it was first seen.
  await resolved.getByRole('link', { name: `Show the events of ${BURST} in the audit log` }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' }).getByRole('row').filter({ hasText: 'Sign-in failed' })).toHaveCount(3);
});

test('a failed sign-in on the dashboard asks "Was this you?", and "Not me" signs out every other session and points to the password', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await createAccount(page, ALICE);
  await signOut(page);
  await submitPassword(page, { name: ALICE.name, password: 'not-her-password-at-all' });
  await expect(page.getByRole('alert')).toBeVisible();

  await signIn(page, ALICE);
  await expectDashboard(page);
  const events = page.getByRole('region', { name: 'Recent security events' });
  await expect(events.getByText('Was this you?')).toBeVisible();
  await expect(events).toContainText('Your recent events include 1 failed sign-in or code');
  await expectAccessible(page);

  await events.getByRole('button', { name: 'Not me: sign out everywhere else' }).click();
  await expect(events.getByRole('status')).toContainText('Signed out 0 other sessions.');
  const settings = events.getByRole('link', { name: 'change your password in Account settings' });
  await expect(settings).toBeFocused();
  await expect(events.getByText('Was this you?')).toBeHidden();
  await expectAccessible(page);
  await settings.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
});
