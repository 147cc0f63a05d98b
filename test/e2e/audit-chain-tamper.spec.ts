import Database from 'better-sqlite3';
import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ADMIN, ALICE, createAccount, createFirstAdministrator, signIn, signOut } from './steps.js';

test('the audit log lists events newest first and flags an event edited in the vault file', async ({ latchkey }) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await createAccount(page, ALICE);
  await signOut(page);
  await signIn(page, ADMIN);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /^Audit chain verified: \d+ events/ })).toBeVisible();
  const table = page.getByRole('table', { name: 'Audit events' });
  await expect(table).toBeVisible();
  await expectAccessible(page);
  // Each event's time to the second, with its zone: two events a second apart read apart.
  await expect(table.getByRole('row').nth(1).locator('time')).toHaveText(/\d:\d{2}:\d{2}(\s?[AP]M)? \S+$/);

  // The screen says "Newest first": the sequence numbers (the first column) fall down the table.
  const sequence: number[] = [];
  for (const row of await table
    .getByRole('row')
    .filter({ has: page.getByRole('cell') })
    .all()) {
    sequence.push(Number(await row.getByRole('cell').first().innerText()));
  }
  expect(sequence.length).toBeGreaterThan(3);
  expect(sequence).toEqual([...sequence].sort((a, b) => b - a));
  expect(sequence.at(-1)).toBe(1);
  expect(new Set(sequence).size).toBe(sequence.length);

  // Someone edits an event behind Latchkey's back.
  const vault = new Database(latchkey.sandbox.vault);
  try {
    expect(vault.prepare("UPDATE audit_events SET reason = 'x' WHERE seq = 3").run().changes).toBe(1);
  } finally {
    vault.close();
  }

  await page.getByRole('button', { name: 'Verify again' }).click();
  await expect(page.getByRole('alert')).toContainText('Audit chain BROKEN at event 3');
  await expect(page.getByRole('status').filter({ hasText: /Audit chain verified/ })).toHaveCount(0);
  await expectAccessible(page);
});
