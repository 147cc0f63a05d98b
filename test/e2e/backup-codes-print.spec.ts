import { expect, test } from './fixtures.js';
import { createFirstAdministrator, totpCode } from './steps.js';

test('the backup codes print on their own, with the account they are for, and nothing else of the screen', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await page.getByRole('region', { name: 'Two-step sign-in' }).getByRole('link', { name: 'Set up two-step sign-in' }).click();
  const setupKey = page.getByRole('region', { name: 'Add Latchkey to your authenticator app' }).getByRole('definition');
  const secret = (await setupKey.innerText()).replace(/\s+/g, '');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Authentication code').fill(await totpCode(latchkey, secret));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  const codes = page.getByRole('list', { name: 'Backup codes' });
  await expect(codes).toBeVisible();

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
