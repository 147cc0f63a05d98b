import type { Locator, Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { expectAccessible } from './accessibility.js';
import { expect, type Latchkey } from './fixtures.js';

/**
 * The steps the journeys share, each done the way a person does it: by the names on the screen.
 * Each step ends on the screen it leads to, checked for accessibility once it is there.
 */

export interface Person {
  readonly name: string;
  readonly password: string;
}

/** Passwords that pass the vault's rules: long, uncommon, free of the account's name. */
export const ADMIN: Person = { name: 'root', password: 'amber falcon over frozen lakes' };
export const ALICE: Person = { name: 'alice', password: 'violet-harbour-lantern-92' };

export async function createFirstAdministrator(page: Page, admin: Person = ADMIN): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first administrator' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Account name').fill(admin.name);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Repeat password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  // Creating the administrator signs them in.
  await expectDashboard(page);
}

/** From the sign-in screen: name and password, then whatever the vault asks next. */
export async function submitPassword(page: Page, person: Person): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Account name').fill(person.name);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in with the password alone; the app opens on the page its address names (the dashboard unless a link said otherwise). */
export async function signIn(page: Page, person: Person): Promise<void> {
  await submitPassword(page, person);
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

export async function expectDashboard(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Security dashboard' })).toBeVisible();
  // The cards have loaded once the sessions table is there.
  await expect(page.getByRole('table', { name: 'Active sessions' })).toBeVisible();
}

/** Admin → Accounts, as an administrator. */
export async function openAccounts(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Accounts' })).toBeVisible();
}

/** Admin → Accounts → Create account, as an administrator (with an address, if given); ends on the Accounts screen. */
export async function createAccount(page: Page, person: Person, options: { email?: string } = {}): Promise<void> {
  await openAccounts(page);
  await page.getByRole('button', { name: 'Create account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create account' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page);
  await dialog.getByLabel('Account name').fill(person.name);
  if (options.email !== undefined) await dialog.getByLabel('E-mail address (optional)').fill(options.email);
  await dialog.getByLabel('Role').selectOption({ label: 'User' });
  await dialog.getByLabel('Initial password').fill(person.password);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `The account ${person.name} was created.` })).toBeVisible();
}

/** Admin → Policy, as an administrator. */
export async function openPolicy(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Policy' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save changes' })).toBeVisible();
}

/** One key's row on the Policy screen, found by the key it shows for the command line. */
export function policyRow(page: Page, key: string): Locator {
  return page.getByRole('listitem').filter({ has: page.getByText(key, { exact: true }) });
}

/**
 * On the Policy screen: whole-number keys given new values, then Save changes, the summary's
 * Apply, and the word that they were saved.
 */
export async function savePolicy(page: Page, values: Readonly<Record<string, string>>): Promise<void> {
  for (const [key, value] of Object.entries(values)) await policyRow(page, key).getByRole('spinbutton').fill(value);
  await page.getByRole('button', { name: 'Save changes' }).click();
  const count = Object.keys(values).length;
  const changes = count === 1 ? '1 change' : `${count} changes`;
  const summary = page.getByRole('dialog', { name: 'Save these changes?' });
  await summary.getByRole('button', { name: `Apply ${changes}` }).click();
  await expect(summary).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Saved ${changes}.` })).toBeVisible();
}

/** The code an authenticator app would show for `secret` at the vault's current time. */
export async function totpCode(latchkey: Latchkey, secret: string): Promise<string> {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: await latchkey.now() });
}

export interface Enrollment {
  /** The base32 secret, as read from the setup key on the screen. */
  readonly secret: string;
  readonly backupCodes: readonly string[];
}

/**
 * Dashboard → Set up two-step sign-in: reads the setup key, confirms a code, saves the backup
 * codes, and ends on the dashboard. The confirming code's time step is spent.
 */
/**
 * From the dashboard through the setup wizard's first two steps: the setup key read off the
 * screen, a code for it confirmed, and the fresh backup codes on the screen.
 */
export async function reachFreshBackupCodes(latchkey: Latchkey): Promise<{ secret: string; codesList: Locator }> {
  const { page } = latchkey;
  await page.getByRole('region', { name: 'Two-step sign-in' }).getByRole('link', { name: 'Set up two-step sign-in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();
  const setupKey = page.getByRole('region', { name: 'Add Latchkey to your authenticator app' }).getByRole('definition');
  await expect(setupKey).toHaveText(/^[A-Z2-7 ]{16,}$/);
  await expectAccessible(page);
  const secret = (await setupKey.innerText()).replace(/\s+/g, '');

  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Authentication code').fill(await totpCode(latchkey, secret));
  await page.getByRole('button', { name: 'Confirm code' }).click();

  const codesList = page.getByRole('list', { name: 'Backup codes' });
  await expect(codesList).toBeVisible();
  return { secret, codesList };
}

export async function enrollTotp(latchkey: Latchkey): Promise<Enrollment> {
  const { page } = latchkey;
  const { secret, codesList } = await reachFreshBackupCodes(latchkey);
  await expectAccessible(page);
  const backupCodes = await codesList.getByRole('listitem').allInnerTexts();
  expect(backupCodes).toHaveLength(10);
  const finish = page.getByRole('button', { name: 'Finish' });
  await expect(finish).toBeDisabled();
  await page.getByLabel('I have saved these backup codes').check();
  await finish.click();
  await expectDashboard(page);
  await expect(page.getByRole('region', { name: 'Two-step sign-in' }).getByText(/^Backup codes left\s*10$/)).toBeVisible();
  return { secret, backupCodes };
}

/** On the two-step verification screen: a code from the authenticator app. */
export async function answerWithTotp(latchkey: Latchkey, secret: string, options: { trustDevice?: boolean } = {}): Promise<void> {
  const { page } = latchkey;
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  await page.getByLabel('Authentication code').fill(await totpCode(latchkey, secret));
  if (options.trustDevice === true) await page.getByLabel('Trust this device').check();
  await page.getByRole('button', { name: 'Verify' }).click();
}

const TOTP_STEP_MS = 30_000;

/**
 * On to the next TOTP time step, so that the authenticator shows a new code: the browser host's
 * clock is moved; Electron's real clock is watched until the step turns (at most 30 s).
 */
export async function nextTimeStep(latchkey: Latchkey): Promise<void> {
  if (latchkey.host === 'browser') {
    await latchkey.advanceClock(TOTP_STEP_MS);
    return;
  }
  const step = Math.floor((await latchkey.now()) / TOTP_STEP_MS);
  await expect.poll(async () => Math.floor((await latchkey.now()) / TOTP_STEP_MS), { timeout: TOTP_STEP_MS + 5_000 }).toBeGreaterThan(step);
}
