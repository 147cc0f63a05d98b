import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, signOut } from './steps.js';

test('a password field shows what was typed on request, hides it again, and warns while Caps Lock is on', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await signOut(page);

  const password = page.getByLabel('Password', { exact: true });
  await password.fill(ADMIN.password);
  await expect(password).toHaveAttribute('type', 'password');
  const toggle = page.getByRole('button', { name: 'Show password' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(password).toHaveValue(ADMIN.password);
  await expect(page.getByRole('button', { name: 'Hide password' })).toHaveAttribute('aria-pressed', 'true');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(password).toHaveAttribute('type', 'password');

  // Caps Lock, as the browser reports it on the key event.
  const warning = page.getByText('Caps Lock is on.');
  await password.focus();
  await password.dispatchEvent('keydown', { key: 'A', modifierCapsLock: true });
  await expect(warning).toBeVisible();
  await expect(password).toHaveAccessibleDescription(/Caps Lock is on\./);
  await password.dispatchEvent('keyup', { key: 'a' });
  await expect(warning).toHaveCount(0);
  await expectAccessible(page);

  // The field still signs in, shown or not.
  await page.getByLabel('Account name').fill(ADMIN.name);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
});
