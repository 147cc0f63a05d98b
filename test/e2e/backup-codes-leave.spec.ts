import { LEAVE_CODES_WARNING } from '../../src/shared/notices.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, expectDashboard, reachFreshBackupCodes } from './steps.js';

test('leaving fresh backup codes before saying they are saved asks first, and staying keeps them on the screen', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  const { codesList: codes } = await reachFreshBackupCodes(latchkey);
  const shown = await codes.getByRole('listitem').allInnerTexts();

  // A click on another page of the app: asked, and "stay" keeps the same codes where they were.
  const asked: string[] = [];
  page.once('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect.poll(() => asked).toEqual([LEAVE_CODES_WARNING]);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();
  expect(await codes.getByRole('listitem').allInnerTexts()).toEqual(shown);

  // Back in the browser is a move away too; this time the person means it.
  page.once('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.accept();
  });
  await page.goBack();
  await expect.poll(() => asked).toHaveLength(2);
  await expectDashboard(page);

  // New codes from Settings, said to be saved and closed with Done: nothing is asked any more.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const card = page.getByRole('region', { name: 'Backup codes' });
  await card.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await card.getByRole('button', { name: 'Generate new backup codes' }).click();
  await card.getByLabel('I have saved these backup codes').check();
  await card.getByRole('button', { name: 'Done' }).click();
  page.on('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expectDashboard(page);
  expect(asked).toHaveLength(2);
});
