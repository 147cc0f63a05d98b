import type { Page } from '@playwright/test';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ALICE, createAccount, createFirstAdministrator, signIn, signOut } from './steps.js';

/** The token stands on a line of its own in the mail's text, for pasting; the link carries the same one. */
const TOKEN_LINE = /^[A-Za-z0-9_-]{43}$/m;

let smtp: SmtpCapture;
test.beforeEach(async () => {
  // A real SMTP server in this process, on 127.0.0.1: the browser host hands it the mail, as it would a relay.
  smtp = await startSmtpCapture();
});
test.afterEach(async () => {
  await smtp.close();
});

async function openDelivery(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Delivery' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Delivery' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Outbox' })).toBeVisible();
}

function outboxRow(page: Page, kind: string, to: string) {
  return page
    .getByRole('table', { name: 'Outbox messages' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${kind}`) }) })
    .filter({ hasText: to });
}

test('an administrator sets up SMTP, a test message and a verification mail go out (after a retry), and the token from the mail verifies the address', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await openDelivery(page);
  const email = page.getByRole('region', { name: 'E-mail', exact: true });
  await expect(email.getByText('Not configured', { exact: true })).toBeVisible();
  await expect(email.getByRole('listitem').filter({ hasText: 'smtp.host is not set' })).toBeVisible();
  await expectAccessible(page);

  // SMTP to this machine without TLS, the one place plain SMTP is allowed.
  const smtpForm = page.getByRole('region', { name: 'E-mail settings (SMTP)' });
  await smtpForm.getByLabel('SMTP server').fill('127.0.0.1');
  await smtpForm.getByLabel('Port').fill(String(smtp.port));
  await smtpForm.getByLabel('Security').selectOption('none');
  await smtpForm.getByLabel('Sender').fill('Latchkey <latchkey@example.org>');
  await smtpForm.getByRole('button', { name: 'Save e-mail settings' }).click();
  await expect(smtpForm.getByRole('status')).toHaveText('Saved: SMTP server, Port, Sender, Security.');
  await expect(email.getByText('Ready', { exact: true })).toBeVisible();
  await expect(email.getByText(/^Mail goes to 127\.0\.0\.1 without TLS/)).toBeVisible();
  await expect(email.getByRole('definition').filter({ hasText: `127.0.0.1:${smtp.port}` })).toBeVisible();

  const tester = page.getByRole('region', { name: 'Send a test message' });
  await tester.getByLabel('Recipient').fill('ops@example.org');
  await tester.getByRole('button', { name: 'Send test message' }).click();
  await expect(tester.getByRole('status')).toHaveText('The message to o•••@example.org was sent.');
  await expect.poll(() => smtp.messages.map((m) => m.to.join())).toEqual(['ops@example.org']);
  await expect(outboxRow(page, 'Test message', 'o•••@example.org')).toContainText('Sent');
  await expectAccessible(page);

  // The server goes down; a new account's verification mail is tried at once and fails, in words.
  await smtp.stop();
  await createAccount(page, ALICE, { email: 'alice@example.com' });

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Delivery' }).click();
  const verification = outboxRow(page, 'E-mail verification', 'a•••@example.com');
  await expect(verification).toContainText('Failed');
  await expect(verification.getByRole('cell', { name: ALICE.name, exact: true })).toBeVisible();
  await expect(verification).toContainText('1 of');
  await expect(verification).toContainText(`The mail server at 127.0.0.1:${smtp.port} refused the connection`);
  await expectAccessible(page);

  // Back up: Retry sends it now.
  await smtp.start();
  await verification.getByRole('button', { name: 'Retry the message to a•••@example.com' }).click();
  await expect(page.getByRole('region', { name: 'Outbox' }).getByRole('status')).toHaveText('The message to a•••@example.com was sent.');
  await expect(verification).toContainText('Sent');
  await expect(verification.getByRole('button', { name: /Retry/ })).toHaveCount(0);
  await expect.poll(() => smtp.messages.filter((m) => m.to.includes('alice@example.com')).length).toBe(1);
  const mail = smtp.messages.find((m) => m.to.includes('alice@example.com'));
  const token = TOKEN_LINE.exec(mail?.text ?? '')?.[0] ?? '';
  expect(mail?.text).toContain(`latchkey://verify?token=${token}`);

  // Alice reads the mail elsewhere and pastes the token into Settings.
  await signOut(page);
  await signIn(page, ALICE);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  await expect(page.getByText('Not verified', { exact: true })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Have the token from the mail? Paste it here').fill(token);
  await page.getByRole('button', { name: 'Verify address' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is verified' })).toHaveText(
    'Your e-mail address alice@example.com is verified.',
  );
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send verification e-mail' })).toHaveCount(0);
  await expectAccessible(page);
});

test('a person asks for a new verification mail from Settings and is told, in words, that it waits while e-mail is not set up', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await createAccount(page, ALICE, { email: 'alice@example.com' });

  // The administrator's panel offers the mail for an unverified address.
  await page.getByRole('button', { name: `Manage ${ALICE.name}` }).click();
  const panel = page.getByRole('region', { name: ALICE.name });
  await panel.getByRole('button', { name: 'Send verification e-mail' }).click();
  await expect(panel.getByRole('status')).toContainText(
    'E-mail is not set up in this vault yet, so the verification e-mail to alice@example.com waits in the outbox',
  );

  await signOut(page);
  await signIn(page, ALICE);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  // One mail a minute to an address, whoever asks: the administrator's was just now.
  await page.getByRole('button', { name: 'Send verification e-mail' }).click();
  await expect(page.getByRole('region', { name: 'Verify your address' }).getByRole('alert')).toContainText(
    'That was asked for too often just now: at most one a minute and five an hour.',
  );
  await latchkey.advanceClock(61_000);
  await page.getByRole('button', { name: 'Send verification e-mail' }).click();
  await expect(page.getByRole('region', { name: 'Verify your address' }).getByRole('status')).toContainText(
    'E-mail is not set up in this vault yet',
  );
  // A token that is not one is refused, and the address stays unverified.
  await page.getByLabel('Have the token from the mail? Paste it here').fill('x'.repeat(43));
  await page.getByRole('button', { name: 'Verify address' }).click();
  await expect(page.getByRole('alert')).toContainText('is not valid');
  await expect(page.getByText('Not verified', { exact: true })).toBeVisible();
  await expectAccessible(page);
});

test('a delivery secret is write-only: once saved the screen shows only that it is set, and Replace and Remove act on it', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  const secret = 'kv9-relay-password-never-shown';
  await createFirstAdministrator(page);
  await openDelivery(page);
  const smtpForm = page.getByRole('region', { name: 'E-mail settings (SMTP)' });
  await smtpForm.getByLabel('User name').fill('latchkey');
  await smtpForm.getByLabel('Password').fill(secret);
  await smtpForm.getByRole('button', { name: 'Save e-mail settings' }).click();
  await expect(smtpForm.getByRole('status')).toHaveText('Saved: User name, Password.');
  const password = smtpForm.getByRole('group', { name: 'Password' });
  await expect(password.getByText('Set', { exact: true })).toBeVisible();
  // No field holds it any more: there is none to hold it.
  await expect(smtpForm.locator('input[type="password"]')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expectAccessible(page);

  // Replace opens an empty field; keeping the current one closes it again.
  await smtpForm.getByRole('button', { name: 'Replace the SMTP password' }).click();
  await expect(smtpForm.getByLabel('New password')).toHaveValue('');
  await smtpForm.getByRole('button', { name: 'Keep the current password' }).click();

  await smtpForm.getByRole('button', { name: 'Remove the SMTP password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove the SMTP password?' });
  await dialog.getByRole('button', { name: 'Remove the SMTP password' }).click();
  await expect(dialog).toBeHidden();
  await expect(smtpForm.getByRole('status')).toHaveText('The SMTP password was removed from the keychain.');
  await expect(smtpForm.locator('input[type="password"]')).toHaveAccessibleName('Password');
  await expect(smtpForm.getByText('Not set', { exact: true })).toBeVisible();
  // A user name without its password: e-mail says what is missing.
  await expect(page.getByRole('region', { name: 'E-mail', exact: true }).getByRole('listitem')).toContainText([
    'smtp.host is not set',
    'smtp.from is not set',
    /smtp\.user is set but smtp\.password is not/,
  ]);
});
