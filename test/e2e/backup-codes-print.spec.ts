import { expect, test } from './fixtures.js';
import { createFirstAdministrator, reachFreshBackupCodes } from './steps.js';

test('the backup codes print on their own, with the account they are for, and nothing else of the screen', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  const { codesList: codes } = await reachFreshBackupCodes(latchkey);

  // Print asks the platform's print dialog for this page; the test stands in for the dialog.
  await page.evaluate(() => {
    const page = globalThis as unknown as { printed: number; print: () => void };
    page.printed = 0;
    page.print = () => {
      page.printed += 1;
    };
  });
  await page.getByRole('button', { name: 'Print' }).click();
  expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);

  // What the printed page shows: the codes and whose they are, not the app around them.
  await expect(page.getByText(/^Latchkey backup codes for root, made /)).toBeHidden();
  await page.emulateMedia({ media: 'print' });
  await expect(codes).toBeVisible();
  await expect(codes.getByRole('listitem')).toHaveCount(10);
  await expect(page.getByText(/^Latchkey backup codes for root, made .+ Each code works once\.$/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Finish' })).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await expect(page.getByRole('button', { name: 'Finish' })).toBeVisible();
});
