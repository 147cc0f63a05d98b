import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, enrollTotp, expectDashboard, nextTimeStep, signOut, submitPassword, totpCode } from './steps.js';

test('a TOTP code signs in once; the same code in the same time step is refused with a message', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  const { secret } = await enrollTotp(latchkey);
  await signOut(page);

  // The code that confirmed the setup is spent: the next sign-in uses the next time step's.
  await nextTimeStep(latchkey);
  const code = await totpCode(latchkey, secret);
  await submitPassword(page, ADMIN);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectDashboard(page);
  await signOut(page);

  // RFC 6238 §5.2: a code whose time step was already used is refused, even with the right password.
  expect(await totpCode(latchkey, secret)).toBe(code);
  await submitPassword(page, ADMIN);
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('That code was already used.');
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  await expect(page.getByLabel('Authentication code')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  // The audit log says it in words; the time steps are one click away, for whoever checks by hand.
  await nextTimeStep(latchkey);
  await page.getByLabel('Authentication code').fill(await totpCode(latchkey, secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectDashboard(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
  const replay = page
    .getByRole('table', { name: 'Audit events' })
    .getByRole('row')
    .filter({ hasText: 'A code that was already used' })
    .first();
  await expect(replay).toBeVisible();
  await expect(replay).not.toContainText('Time step');
  await replay.getByText('Raw fields').click();
  await expect(replay.locator('pre')).toContainText('"reason": "code_replayed"');
  await expectAccessible(page);
});
