import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import {
  ADMIN,
  answerWithTotp,
  createFirstAdministrator,
  enrollTotp,
  expectDashboard,
  nextTimeStep,
  signOut,
  submitPassword,
} from './steps.js';

test('a trusted device skips the code until it is revoked', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  const { secret } = await enrollTotp(latchkey);
  await signOut(page);

  await nextTimeStep(latchkey);
  await submitPassword(page, ADMIN);
  await answerWithTotp(latchkey, secret, { trustDevice: true });
  await expectDashboard(page);
  await signOut(page);

  // The password alone now opens the app on this device.
  await submitPassword(page, ADMIN);
  await expectDashboard(page);
  const devices = page.getByRole('table', { name: 'Trusted devices' });
  await expect(devices).toBeVisible();
  const deviceRows = devices.getByRole('row').filter({ has: page.getByRole('button', { name: 'Revoke' }) });
  await expect(deviceRows).toHaveCount(1);
  await expectAccessible(page);

  await deviceRows.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is no longer trusted' })).toBeVisible();
  await expect(page.getByText('No devices are trusted. Every sign-in asks for a code from your authenticator app.')).toBeVisible();
  await signOut(page);

  await submitPassword(page, ADMIN);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
});
