import type { Page } from '@playwright/test';
import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, createFirstAdministrator, signOut, submitPassword } from './steps.js';

/**
 * The audit log opened before the account list has been fetched (after an unlock, or straight
 * from its address) once rendered nothing at all: React gave up with "maximum update depth".
 */

/** Uncaught errors in the page: a render loop shows as one (React error #185), and an empty page. */
function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function expectAuditScreen(page: Page, errors: readonly string[]): Promise<void> {
  // Retried until the screen is there; a page error fails it with the error's own words.
  await expect(async () => {
    expect(errors).toEqual([]);
    await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByText(/^Audit chain verified: \d+ events$/)).toBeVisible();
  const filters = page.getByRole('form', { name: 'Filter events' });
  await expect(filters).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();
  // The account filter fills in once the list arrives.
  await expect(filters.getByLabel('Account').getByRole('option', { name: ADMIN.name, exact: true })).toBeAttached();
}

test('the audit log still shows after Lock and Unlock', async ({ latchkey }) => {
  const { page } = latchkey;
  const errors = watchPageErrors(page);
  await createFirstAdministrator(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
  await expectAuditScreen(page, errors);

  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Latchkey is locked' })).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Unlock' }).click();

  await expectAuditScreen(page, errors);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('the audit log opens straight from its address at sign-in', async ({ latchkey }) => {
  const { page } = latchkey;
  const errors = watchPageErrors(page);
  await createFirstAdministrator(page);
  await signOut(page);

  await page.goto(`${page.url().replace(/#.*$/, '')}#/admin/audit`);
  await submitPassword(page, ADMIN);

  await expectAuditScreen(page, errors);
  expect(errors).toEqual([]);
});
