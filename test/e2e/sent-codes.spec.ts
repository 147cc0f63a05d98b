import type { Page } from '@playwright/test';
import { startSmsGateway, type SmsGateway } from '../support/sms-gateway.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { expectAccessible } from './accessibility.js';
import { expect, test } from './fixtures.js';
import { ALICE, createAccount, createFirstAdministrator, enrollTotp, expectDashboard, signIn, signOut, submitPassword } from './steps.js';

/**
 * Codes sent by SMS and e-mail, end to end: a real SMS gateway speaking Twilio's Messages API and
 * a real SMTP server, both in the spec's process on 127.0.0.1, stand where Twilio and the mail
 * relay would be. The codes are read where a phone or a mailbox would show them.
 */

const SIX = /\b(\d{6})\b/;
const TOKEN_LINE = /^[A-Za-z0-9_-]{43}$/m;

let sms: SmsGateway;
let smtp: SmtpCapture;
test.beforeEach(async () => {
  sms = await startSmsGateway();
  smtp = await startSmtpCapture();
});
test.afterEach(async () => {
  await sms.close();
  await smtp.close();
});

async function openDelivery(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Delivery' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Delivery' })).toBeVisible();
}

async function setUpSms(page: Page): Promise<void> {
  await openDelivery(page);
  const form = page.getByRole('region', { name: 'SMS settings' });
  await form.getByLabel('Gateway address').fill(sms.url);
  await form.getByLabel('Account SID').fill(sms.accountSid);
  await form.getByLabel('Region').fill('GB');
  await form.getByLabel('From number').fill('+15005550006');
  await form.getByLabel('Auth token').fill(sms.authToken);
  await form.getByRole('button', { name: 'Save SMS settings' }).click();
  await expect(form.getByRole('status')).toContainText('Saved:');
  await expect(page.getByRole('region', { name: 'SMS', exact: true }).getByText('Ready', { exact: true })).toBeVisible();
}

async function setUpMail(page: Page): Promise<void> {
  await openDelivery(page);
  const form = page.getByRole('region', { name: 'E-mail settings (SMTP)' });
  await form.getByLabel('SMTP server').fill('127.0.0.1');
  await form.getByLabel('Port').fill(String(smtp.port));
  await form.getByLabel('Security').selectOption('none');
  await form.getByLabel('Sender').fill('Latchkey <latchkey@example.org>');
  await form.getByRole('button', { name: 'Save e-mail settings' }).click();
  await expect(page.getByRole('region', { name: 'E-mail', exact: true }).getByText('Ready', { exact: true })).toBeVisible();
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
}

const lastSmsCode = (): string => SIX.exec(sms.messages.at(-1)?.body ?? '')?.[1] ?? '';

test('a person adds a phone in Settings with their password, proves it by SMS, and signs in with a code sent to it', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await setUpSms(page);
  await createAccount(page, ALICE);
  await signOut(page);
  await signIn(page, ALICE);
  await enrollTotp(latchkey);

  await openSettings(page);
  const card = page.getByRole('region', { name: 'Phone for SMS codes' });
  await expect(card).toContainText('weaker than the app');
  await card.getByLabel('Phone number').fill('07400 123456');
  await card.getByLabel('Current password').fill('not her password at all');
  await card.getByRole('button', { name: 'Send a code to this phone' }).click();
  await expect(card.getByRole('alert')).toContainText('password');
  expect(sms.messages).toHaveLength(0);

  await card.getByLabel('Current password').fill(ALICE.password);
  await card.getByRole('button', { name: 'Send a code to this phone' }).click();
  await expect(card).toContainText('+44••••••••56 is not verified yet');
  await expect(card.getByText(/^Sent by SMS to \+44••••••••56\. It works until .*; 3 wrong tries left\.$/)).toBeVisible();
  // One code a minute: the new-code button counts down first.
  await expect(card.getByRole('button', { name: /^Send a new code \(in \d+ seconds?\)$/ })).toBeDisabled();
  await expect.poll(() => sms.messages.map((m) => m.to)).toEqual(['+447400123456']);
  await expectAccessible(page);

  await card.getByLabel('Code from the SMS').fill(lastSmsCode());
  await card.getByRole('button', { name: 'Verify phone' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is verified' })).toHaveText(
    'The phone +44••••••••56 is verified: sign-ins can send a code to it.',
  );
  await expect(card.getByRole('definition').filter({ hasText: '+44••••••••56' })).toBeVisible();
  await expectAccessible(page);

  // A minute on, past the sending limit, she signs in again and asks for a code by SMS.
  await latchkey.advanceClock(61_000);
  await signOut(page);
  await submitPassword(page, ALICE);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  const ways = page.getByRole('navigation', { name: 'Other ways to verify' });
  await expect(ways).toContainText('Weaker than your app');
  await expect(ways.getByText('Why no code by e-mail?')).toBeVisible();
  await ways.getByText('Why no code by e-mail?').click();
  await expect(ways).toContainText('No verified e-mail address is on this account.');
  await expectAccessible(page);

  await ways.getByRole('button', { name: 'Send a code by SMS to +44••••••••56' }).click();
  await expect(page.getByLabel('Code from the SMS')).toBeFocused();
  await expect(page.getByText(/^Sent by SMS to \+44••••••••56\./)).toBeVisible();
  await expect(page.getByText('SMS is weaker than an authenticator app')).toBeVisible();
  await expect.poll(() => sms.messages.length).toBe(2);

  // A wrong code costs one of the code's three tries.
  const right = lastSmsCode();
  await page.getByLabel('Code from the SMS').fill(right === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('That code is not right. 4 attempts left.');
  await expect(page.getByText(/2 wrong tries left\.$/)).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel('Code from the SMS').fill(right);
  await page.getByRole('button', { name: 'Verify' }).click();
  // Back where she was: the app opens on the page its address names.
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expectDashboard(page);
  // A code by SMS is a second factor in full, unlike one by e-mail.
  await expect(
    page.getByRole('region', { name: 'This session' }).getByRole('definition').filter({ hasText: 'Password and second factor' }),
  ).toBeVisible();
});

test('with the authenticator app out of reach, a person signs in with a code by e-mail, and the dashboard says it counts for less', async ({
  latchkey,
}) => {
  const { page } = latchkey;
  await createFirstAdministrator(page);
  await setUpMail(page);
  await createAccount(page, ALICE, { email: 'alice@example.com' });
  await expect.poll(() => smtp.messages.filter((m) => m.to.includes('alice@example.com')).length).toBe(1);
  const token = TOKEN_LINE.exec(smtp.messages.at(-1)?.text ?? '')?.[0] ?? '';

  await signOut(page);
  await signIn(page, ALICE);
  await openSettings(page);
  await page.getByLabel('Have the token from the mail? Paste it here').fill(token);
  await page.getByRole('button', { name: 'Verify address' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is verified' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await enrollTotp(latchkey);
  await signOut(page);

  await submitPassword(page, ALICE);
  const ways = page.getByRole('navigation', { name: 'Other ways to verify' });
  await ways.getByText('Why no code by SMS?').click();
  await expect(ways).toContainText('No verified phone is on this account; one can be added in Settings.');
  await ways.getByRole('button', { name: 'Send a code by e-mail to a•••@example.com' }).click();
  await expect(page.getByText(/^Sent by e-mail to a•••@example\.com\./)).toBeVisible();
  await expect(page.getByText(/counts as less than two-step sign-in/)).toBeVisible();
  // An e-mailed code cannot trust the device: the checkbox is gone with it.
  await expect(page.getByLabel(/^Trust this device/)).toHaveCount(0);
  await expectAccessible(page);

  await expect.poll(() => smtp.messages.filter((m) => m.subject === 'Your Latchkey sign-in code').length).toBe(1);
  const mail = smtp.messages.find((m) => m.subject === 'Your Latchkey sign-in code');
  await page.getByLabel('Code from the e-mail').fill(SIX.exec(mail?.text ?? '')?.[1] ?? '');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectDashboard(page);
  await expect(page.getByText('Password and a code by e-mail (lower assurance)').first()).toBeVisible();
});
