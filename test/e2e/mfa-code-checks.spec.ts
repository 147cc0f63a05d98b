import type { Page } from '@playwright/test';
import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, expectDashboard, nextTimeStep, signOut, submitPassword, totpCode } from './steps.js';

const TOTP_FORM = 'Enter the 6-digit code your authenticator app shows. Spaces do not matter.';

/** "123 456": how some authenticator apps show a code, and how people copy it. */
function spaced(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

async function attemptsLeft(page: Page): Promise<string> {
  return page.getByText(/attempts? left/).innerText();
}

test('a code that cannot be right is refused in the form, without using up an attempt', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);

  // Reached from the dashboard's card, the setup sits under Settings in the main navigation.
  await page.getByRole('region', { name: 'Two-step sign-in' }).getByRole('link', { name: 'Set up two-step sign-in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Dashboard' })).not.toHaveAttribute('aria-current');

  const setupKey = page.getByRole('region', { name: 'Add Latchkey to your authenticator app' }).getByRole('definition');
  await expect(setupKey).toHaveText(/^[A-Z2-7 ]{16,}$/);
  const secret = (await setupKey.innerText()).replace(/\s+/g, '');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByLabel('Authentication code').fill('12345');
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await expect(page.getByRole('alert')).toHaveText(TOTP_FORM);
  await expect(page.getByLabel('Authentication code')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Authentication code')).toHaveValue('12345');
  await expectAccessible(page);

  await page.getByLabel('Authentication code').fill(spaced(await totpCode(latchkey, secret)));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await expect(page.getByRole('list', { name: 'Backup codes' })).toBeVisible();
  await page.getByLabel('I have saved these backup codes').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await expectDashboard(page);
  await signOut(page);

  await nextTimeStep(latchkey);
  await submitPassword(page, ADMIN);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  const attempts = await attemptsLeft(page);

  await page.getByLabel('Authentication code').fill('12345');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toHaveText(TOTP_FORM);
  expect(await attemptsLeft(page)).toBe(attempts);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Use a backup code instead' }).click();
  await page.getByLabel('Backup code').fill('ABCDE-FGHJK');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('A backup code has 13 letters and digits');
  await expect(page.getByLabel('Backup code')).toHaveAttribute('aria-invalid', 'true');
  expect(await attemptsLeft(page)).toBe(attempts);

  await page.getByRole('button', { name: 'Use your authenticator app instead' }).click();
  await page.getByLabel('Authentication code').fill(spaced(await totpCode(latchkey, secret)));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectDashboard(page);

  // None of the refused codes reached the engine: no wrong code is on record.
  const events = page.getByRole('table', { name: 'Recent security events' });
  await expect(events).toContainText('Code asked for');
  await expect(events).not.toContainText('Wrong code');
});
