import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, expectDashboard } from './steps.js';

test('the dashboard lists a session started from the CLI, and revoking it there ends it', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);

  const signin = await latchkey.cli(['signin', ADMIN.name, '--password-stdin'], `${ADMIN.password}\n`);
  expect(signin.code, signin.stderr).toBe(0);
  expect((await latchkey.cli(['whoami', '--json'])).code).toBe(0);

  await page.getByRole('button', { name: 'Refresh' }).click();
  await expectDashboard(page);
  const sessions = page.getByRole('table', { name: 'Active sessions' });
  // This window's session is marked, the CLI's can be revoked.
  await expect(sessions.getByRole('row').filter({ hasText: 'This session' })).toHaveCount(1);
  const cliSession = sessions.getByRole('row').filter({ has: page.getByRole('button', { name: 'Revoke' }) });
  await expect(cliSession).toHaveCount(1);
  await expectAccessible(page);

  // The button says which session it ends, for a screen reader or a script that cannot see the row.
  const revoke = cliSession.getByRole('button', { name: /^Revoke session: Command line on .+, signed in .+$/ });
  await expect(revoke).toHaveCount(1);
  await revoke.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: /The session on .+ was signed out\./ })).toBeVisible();
  await expect(sessions.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  // The focus stays with the list rather than falling back to the top of the page.
  await expect(page.locator('.focus-frame:focus')).toHaveCount(1);
  await expect(page.locator('.focus-frame:focus').getByRole('table', { name: 'Active sessions' })).toHaveCount(1);

  const whoami = await latchkey.cli(['whoami', '--json']);
  expect(whoami.code).toBe(1);
  // This window's own session lives on.
  await expectDashboard(page);
});
