// `npm run screenshots`: walks through every screen of the built renderer on a throwaway vault and
// keychain namespace, saves each in the light and the dark theme to docs/screenshots/, and runs
// axe-core on each. Exits 1 if axe finds a serious or critical violation, or the page reports a
// Content-Security-Policy violation or an error.
//
// Run it inside the throwaway keychain (the npm script does): the browser host and its vault key
// live there. The host runs in test mode, so the script can move the engine's clock: a fortnight of
// sign-in activity for the chart, and half an hour of idleness for the lock screen. For the
// Delivery screen it runs an SMTP server of its own on 127.0.0.1 (smtp-server, a test dependency),
// which takes every message and keeps nothing, and for the phone and the codes by SMS a gateway that
// answers like Twilio's Messages API.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from '@playwright/test';
import Database from 'better-sqlite3';
import * as OTPAuth from 'otpauth';
import { SMTPServer } from 'smtp-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'docs', 'screenshots');
/** Set LATCHKEY_REVIEW_DIR to also keep full-page captures there, for reviewing what lies below the fold. */
const REVIEW = process.env.LATCHKEY_REVIEW_DIR ?? null;
const THEMES = ['light', 'dark'];
const VIEWPORT = { width: 1280, height: 800 };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const PEOPLE = {
  ada: { password: 'orbit lantern velvet harbour', role: 'admin', email: 'ada@example.org' },
  grace: { password: 'copper meadow quietly sings', role: 'user', email: 'grace@example.org' },
  linus: { password: 'seven paper kites at dawn', role: 'user', email: null },
  margaret: { password: 'apollo guidance by moonlight', role: 'admin', email: 'margaret@example.org' },
  ken: { password: 'plan nine from bell labs', role: 'user', email: null },
  barbara: { password: 'liskov swaps the tidy owls', role: 'user', email: 'barbara@example.org' },
};

const sandbox = mkdtempSync(join(tmpdir(), 'latchkey-screens-'));
const vault = join(sandbox, 'vault.db');
const keychainService = `latchkey-screens-${randomBytes(6).toString('hex')}`;
const axeResults = [];
const pageProblems = [];
let host;
let browser;
let relay;
let gateway;

try {
  mkdirSync(OUT, { recursive: true });
  if (REVIEW !== null) mkdirSync(REVIEW, { recursive: true });
  host = await startHost();
  browser = await chromium.launch({
    executablePath: process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  await walkThrough();
} finally {
  await browser?.close();
  await relay?.stop();
  await gateway?.stop();
  host?.stop();
  rmSync(sandbox, { recursive: true, force: true });
}

const failed = report();
process.exit(failed ? 1 : 0);

async function walkThrough() {
  const page = await newPage('ada');
  await page.goto(host.url);

  // First run: the empty vault asks for its first administrator.
  await heading(page, 'Create the first administrator');
  await shoot(page, 'first-run');
  await page.getByLabel('Account name').fill('ada');
  await page.getByLabel('E-mail address (optional)').fill(PEOPLE.ada.email);
  await page.getByLabel('Password', { exact: true }).fill(PEOPLE.ada.password);
  await page.getByLabel('Repeat password').fill(PEOPLE.ada.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await heading(page, 'Security dashboard');

  for (const [username, person] of Object.entries(PEOPLE)) {
    if (username === 'ada') continue;
    await invoke(page, 'admin.accounts.create', {
      username,
      password: person.password,
      role: person.role,
      ...(person.email ? { email: person.email } : {}),
    });
  }

  // A fortnight of sign-ins and failures, one day at a time, from a second window.
  const helper = await newPage('helper');
  await helper.goto(host.url);
  await heading(helper, 'Sign in');
  const signIns = [2, 4, 3, 5, 1, 0, 3, 6, 4, 2, 5, 3];
  const failures = [0, 1, 0, 2, 0, 0, 1, 0, 3, 1, 0, 1];
  const regulars = ['grace', 'linus', 'margaret', 'ken'];
  for (let day = 0; day < signIns.length; day += 1) {
    for (let i = 0; i < signIns[day]; i += 1) {
      const name = regulars[(day + i) % regulars.length];
      await invoke(helper, 'auth.signIn', { username: name, password: PEOPLE[name].password, staySignedIn: false });
      await invoke(helper, 'auth.signOut', {});
    }
    for (let i = 0; i < failures[day]; i += 1) {
      const name = regulars[(day + i + 1) % regulars.length];
      await invoke(helper, 'auth.signIn', { username: name, password: 'not the password', staySignedIn: false }, 'INVALID_CREDENTIALS');
      await invoke(helper, 'auth.signIn', { username: name, password: PEOPLE[name].password, staySignedIn: false });
      await invoke(helper, 'auth.signOut', {});
    }
    await advance(helper, DAY);
  }
  await syncPageClocks([page, helper]);

  // Ada's window has been away for days: the poll finds the session past its absolute limit, which
  // the lock screen reports as an ended session rather than an idle lock.
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await heading(page, 'Your session ended');
  await shoot(page, 'session-ended');
  await page.getByLabel('Password', { exact: true }).fill(PEOPLE.ada.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(page, 'Security dashboard');
  // The lock screen after Lock; an idle timeout, a screen lock or a suspend show it too, worded for that.
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await heading(page, 'Latchkey is locked');
  await shoot(page, 'lock-screen');
  await page.getByLabel('Password', { exact: true }).fill(PEOPLE.ada.password);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await heading(page, 'Security dashboard');

  // The MFA setup wizard: QR code and key, a code from the authenticator, the backup codes.
  await page.getByRole('link', { name: 'Set up two-step sign-in' }).first().click();
  await heading(page, 'Set up two-step sign-in');
  await page.getByRole('img', { name: /QR code/ }).waitFor();
  await shoot(page, 'mfa-setup-scan');
  const adaSecret = (await page.locator('.setup-key code').innerText()).replace(/\s+/g, '');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Authentication code').fill(await totp(page, adaSecret));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.getByRole('list', { name: 'Backup codes' }).waitFor();
  await shoot(page, 'mfa-setup-backup-codes');
  await page.getByLabel('I have saved these backup codes').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await heading(page, 'Security dashboard');

  // Sign out, sign in again: the second factor is asked for; a wrong code first.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await heading(page, 'Sign in');
  await page.getByLabel('Account name').fill('ada');
  await shoot(page, 'sign-in');
  await page.getByLabel('Password', { exact: true }).fill(PEOPLE.ada.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(page, 'Two-step verification');
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').waitFor();
  await shoot(page, 'mfa-challenge');
  await advance(page, 30_000);
  await page.getByLabel('Authentication code').fill(await totp(page, adaSecret));
  await page.getByLabel('Trust this device').check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await heading(page, 'Security dashboard');

  // Policy now asks every account for a second factor: Grace must enroll right after her password.
  await invoke(page, 'admin.policy.set', { key: 'mfa.required', value: 'all' });
  await helper.reload();
  await heading(helper, 'Sign in');
  await helper.getByLabel('Account name').fill('grace');
  await helper.getByLabel('Password').fill(PEOPLE.grace.password);
  await helper.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(helper, 'Set up two-step sign-in');
  await helper.getByRole('img', { name: /QR code/ }).waitFor();
  await shoot(helper, 'forced-enrollment');
  const graceSecret = (await helper.locator('.setup-key code').innerText()).replace(/\s+/g, '');
  await helper.getByLabel('Authentication code').fill(await totp(helper, graceSecret));
  await helper.getByRole('button', { name: 'Confirm code' }).click();
  await heading(helper, 'Save your backup codes');
  await shoot(helper, 'forced-enrollment-backup-codes');
  await helper.getByLabel('I have saved these backup codes').check();
  await helper.getByRole('button', { name: 'Continue to Latchkey' }).click();
  await heading(helper, 'Security dashboard');
  await invoke(page, 'admin.policy.set', { key: 'mfa.required', value: 'admins' });

  // A second window of Ada's (a trusted device now, so no code), some failures, a lock, a disabled account.
  const second = await newPage('ada-second');
  await second.goto(host.url);
  await heading(second, 'Sign in');
  await invoke(second, 'auth.signIn', { username: 'ada', password: PEOPLE.ada.password, staySignedIn: false });
  await invoke(page, 'admin.policy.set', { key: 'lockout.lockAfterFailures', value: '6' });
  for (let attempt = 0; attempt < 6; attempt += 1) {
    if (attempt === 5) await advance(page, 2_000);
    await invoke(second, 'auth.signIn', { username: 'barbara', password: 'guessing again', staySignedIn: false }, 'INVALID_CREDENTIALS');
  }
  await invoke(page, 'admin.policy.set', { key: 'lockout.lockAfterFailures', value: '20' });
  await invoke(second, 'auth.signIn', { username: 'linus', password: 'wrong twice', staySignedIn: false }, 'INVALID_CREDENTIALS');
  await invoke(second, 'auth.signIn', { username: 'linus', password: 'wrong twice', staySignedIn: false }, 'INVALID_CREDENTIALS');
  // One wrong password for Ada herself: the dashboard asks her "Was this you?".
  await invoke(second, 'auth.signIn', { username: 'ada', password: 'not my password', staySignedIn: false }, 'INVALID_CREDENTIALS');
  await invoke(page, 'admin.accounts.setStatus', { username: 'ken', status: 'disabled' });
  await advance(page, 4 * MINUTE);
  await syncPageClocks([page, helper, second]);

  await go(page, 'dashboard', 'Security dashboard');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await settled(page);
  await page.getByRole('table', { name: 'Recent security events' }).waitFor();
  await page.getByText('Was this you?', { exact: true }).waitFor();
  await shoot(page, 'dashboard');
  // Further down: the recent events, and the question about Ada's own failed sign-in.
  await page
    .getByText('Was this you?', { exact: true })
    .evaluate((title) => (title.closest('.alert') ?? title).scrollIntoView({ block: 'center' }));
  await shoot(page, 'dashboard-was-this-you');
  await page.evaluate(() => window.scrollTo(0, 0));

  // Account settings, with the answer to a password that is too common.
  await go(page, 'settings', 'Account settings');
  await page.getByRole('region', { name: 'Change password' }).getByLabel('Current password').fill(PEOPLE.ada.password);
  await page.getByLabel('New password', { exact: true }).fill('password1234');
  await page.getByLabel('Repeat new password').fill('password1234');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('alert').filter({ hasText: 'too common' }).waitFor();
  await shoot(page, 'settings');

  // Ada opens the verification link from her mailbox; the host hands it over and brings the window forward.
  const { link } = await invoke(page, 'test.issueVerificationLink', { username: 'ada' });
  await invoke(page, 'test.openLink', { link });
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.getByText('The e-mail address ada@example.org is verified', { exact: false }).waitFor();
  await page.getByText('Verified', { exact: true }).waitFor();
  await shoot(page, 'email-verified');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await go(page, 'admin/accounts', 'Accounts');
  await page.getByRole('button', { name: 'Manage barbara' }).click();
  await page.getByRole('heading', { name: 'barbara' }).waitFor();
  await shoot(page, 'admin-accounts');
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.getByRole('dialog', { name: 'Delete barbara?' }).waitFor();
  await shoot(page, 'admin-delete-dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Policy, in words: one change just saved (so its row offers Reset to default) and a choice further down waiting for Save changes.
  await go(page, 'admin/policy', 'Policy');
  const idleRow = page.getByRole('listitem').filter({ has: page.getByText('session.idleTimeoutMinutes', { exact: true }) });
  await idleRow.getByRole('spinbutton').fill('15');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('dialog', { name: 'Save these changes?' }).getByRole('button', { name: 'Apply 1 change' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved 1 change.' }).waitFor();
  await page.getByRole('radio', { name: 'Refuse the new sign-in' }).check();
  await page.getByText('1 change not saved yet.').waitFor();
  // Choosing scrolled the page; the picture starts at the screen's title.
  await page.getByRole('heading', { level: 1, name: 'Policy' }).scrollIntoViewIfNeeded();
  await shoot(page, 'admin-policy');
  await page.getByRole('button', { name: 'Discard changes' }).click();

  await go(page, 'admin/audit', 'Audit log');
  await page.getByText(/^Audit chain verified: \d+ events$/).waitFor();
  await page.getByRole('img', { name: /Sign-ins and failed sign-ins per day/ }).waitFor();
  await shoot(page, 'admin-audit');

  // Someone edits an event in the vault file behind Latchkey's back.
  const tampered = new Database(vault);
  try {
    tampered.prepare("UPDATE audit_events SET reason = 'nothing to see here' WHERE seq = ?").run(42);
  } finally {
    tampered.close();
  }
  await page.getByRole('button', { name: 'Verify again' }).click();
  await page.getByText(/^Audit chain BROKEN at event \d+: /).waitFor();
  await shoot(page, 'admin-audit-broken');

  // Delivery: SMTP to a relay on this machine, a test message that went out, a verification mail
  // that failed while the relay was down, and the first verification mails, queued before mail was
  // set up, given up on as expired.
  relay = await startRelay();
  await go(page, 'admin/delivery', 'Delivery');
  const smtpForm = page.getByRole('region', { name: 'E-mail settings (SMTP)' });
  await smtpForm.getByLabel('SMTP server').fill('127.0.0.1');
  await smtpForm.getByLabel('Port').fill(String(relay.port));
  await smtpForm.getByLabel('Security').selectOption('none');
  await smtpForm.getByLabel('Sender').fill('Latchkey <latchkey@example.org>');
  await smtpForm.getByRole('button', { name: 'Save e-mail settings' }).click();
  await smtpForm.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  const tester = page.getByRole('region', { name: 'Send a test message' });
  await tester.getByLabel('Recipient').fill('ada@example.org');
  await tester.getByRole('button', { name: 'Send test message' }).click();
  await tester.getByRole('status').filter({ hasText: 'was sent' }).waitFor();
  await relay.stop();
  await invoke(page, 'email.sendVerification', { username: 'barbara' });
  await relay.start();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByRole('table', { name: 'Outbox messages' }).getByText('Failed', { exact: true }).waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, 'admin-delivery');
  await scrollToRegion(page, 'Outbox');
  await shoot(page, 'admin-delivery-outbox');
  await scrollToRegion(page, 'E-mail settings (SMTP)');
  await shoot(page, 'admin-delivery-settings');
  // Barbara's mail goes out on its retry, so mail is reachable again for the sign-in below.
  for (const message of await invoke(page, 'admin.delivery.list', { state: 'failed' })) {
    await invoke(page, 'admin.delivery.retry', { messageId: message.id });
  }

  // A phone for codes by SMS, proved by the code a Twilio-shaped gateway on this machine received.
  gateway = await startSmsGateway();
  for (const [key, value] of [
    ['sms.baseUrl', gateway.url],
    ['sms.accountSid', gateway.accountSid],
    ['sms.from', '+15005550006'],
    ['sms.region', 'GB'],
  ]) {
    await invoke(page, 'admin.delivery.setSetting', { key, value });
  }
  await invoke(page, 'admin.delivery.setSecret', { key: 'sms.authToken', secret: gateway.authToken });
  await go(page, 'settings', 'Account settings');
  const phoneCard = page.getByRole('region', { name: 'Phone for SMS codes' });
  await phoneCard.getByLabel('Phone number').fill('+44 7400 123456');
  await phoneCard.getByLabel('Current password').fill(PEOPLE.ada.password);
  await phoneCard.getByRole('button', { name: 'Send a code to this phone' }).click();
  await phoneCard.getByLabel('Code from the SMS').waitFor();
  await scrollToRegion(page, 'Phone for SMS codes');
  await shoot(page, 'settings-phone-verify');
  await phoneCard.getByLabel('Code from the SMS').fill(gateway.lastCode());
  await phoneCard.getByRole('button', { name: 'Verify phone' }).click();
  await page.getByRole('status').filter({ hasText: 'is verified' }).waitFor();
  await scrollToRegion(page, 'Phone for SMS codes');
  await shoot(page, 'settings-phone');

  // A minute later, with her trusted device forgotten: the second step offers codes by SMS and by e-mail.
  for (const device of await invoke(page, 'devices.list', {})) await invoke(page, 'devices.revoke', { deviceId: device.id });
  await advance(page, MINUTE + 1_000);
  const laptop = await newPage('ada-laptop');
  await laptop.goto(host.url);
  await heading(laptop, 'Sign in');
  await laptop.getByLabel('Account name').fill('ada');
  await laptop.getByLabel('Password', { exact: true }).fill(PEOPLE.ada.password);
  await laptop.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(laptop, 'Two-step verification');
  await shoot(laptop, 'mfa-challenge-offers');
  await laptop.getByRole('button', { name: /^Send a code by SMS/ }).click();
  await laptop.getByText(/^Sent by SMS/).waitFor();
  await shoot(laptop, 'mfa-challenge-sms');

  // Security: a burst of failures for linus crosses a lowered threshold, beside the alerts the walk already raised.
  await invoke(page, 'admin.policy.set', { key: 'monitor.failureBurst', value: '3' });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await invoke(second, 'auth.signIn', { username: 'linus', password: 'wrong again', staySignedIn: false }, 'INVALID_CREDENTIALS');
  }
  await invoke(page, 'admin.policy.set', { key: 'monitor.failureBurst', value: '10' });
  await go(page, 'admin/security', 'Security');
  await page.getByRole('list', { name: 'Open alerts' }).getByRole('heading', { name: 'Many failed sign-ins for one account' }).waitFor();
  await page
    .getByRole('img', { name: /Sign-ins and failed sign-ins per day/ })
    .first()
    .waitFor();
  await settled(page);
  await shoot(page, 'admin-security');
  await scrollToRegion(page, 'Security report');
  await shoot(page, 'admin-security-report');
}

/**
 * An SMS gateway on 127.0.0.1 that answers like Twilio's Messages API (Basic auth checked, the form
 * read, a JSON reply) and keeps only the last body, to read the code from.
 */
async function startSmsGateway() {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  let lastBody = '';
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status, body) => response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (request.headers.authorization !== expected) return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
      lastBody = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('Body') ?? '';
      return reply(201, { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    accountSid,
    authToken,
    lastCode: () => /\b(\d{6})\b/.exec(lastBody)?.[1] ?? '',
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Scrolls so that the region named `name` starts just below the app's header, which stays at the top. */
async function scrollToRegion(page, name) {
  await page.getByRole('region', { name }).evaluate((region) => {
    const header = document.querySelector('.app-header')?.getBoundingClientRect().height ?? 0;
    window.scrollTo(0, region.getBoundingClientRect().top + window.scrollY - header - 24);
  });
}

/** An SMTP server on 127.0.0.1 that accepts every message and keeps none; it can go down and come back on its port. */
async function startRelay() {
  let server = null;
  let port = 0;
  const relay = {
    get port() {
      return port;
    },
    async start() {
      server = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        logger: false,
        closeTimeout: 100,
        onData(stream, _session, callback) {
          stream.on('end', () => callback());
          stream.resume();
        },
      });
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      port = server.server.address().port;
    },
    async stop() {
      const running = server;
      server = null;
      if (running !== null) await new Promise((resolve) => running.close(resolve));
    },
  };
  await relay.start();
  return relay;
}

/** One browser context per window: its own WebSocket, so its own connection (and session) at the host. */
async function newPage(label) {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text()))
      pageProblems.push(`[${label}] console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => pageProblems.push(`[${label}] page error: ${error.message}`));
  return page;
}

/** Both themes of what the page shows now: a 1280×800 capture each, and axe's verdict on each. */
async function shoot(page, name) {
  await syncPageClocks([page]);
  await settled(page);
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: join(OUT, `${name}-${theme}.png`), animations: 'disabled' });
    if (REVIEW !== null) await review(page, `${name}-${theme}`);
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
      .analyze();
    axeResults.push({ screen: name, theme, violations: result.violations, passes: result.passes.length });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** What lies below the fold, a screen at a time (for a person reviewing the screens, not for the docs). */
async function review(page, name) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const top = await page.evaluate(() => window.scrollY);
  for (let i = 1; i < Math.min(4, Math.ceil(height / VIEWPORT.height)); i += 1) {
    await page.evaluate((y) => window.scrollTo(0, y), i * (VIEWPORT.height - 100));
    await page.screenshot({ path: join(REVIEW, `${name}-below-${i}.png`), animations: 'disabled' });
  }
  await page.evaluate((y) => window.scrollTo(0, y), top);
}

/** No button still busy: the page has what it asked for. */
async function settled(page) {
  await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 15_000 });
}

async function go(page, route, title) {
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, `#/${route}`);
  await heading(page, title);
  await page.waitForLoadState('networkidle');
}

/** A call through the page's own window.latchkey; `expected` names an error code that is the point of the call. */
async function invoke(page, channel, input, expected) {
  const result = await page.evaluate(([c, i]) => window.latchkey.invoke(c, i), [channel, input]);
  if (expected !== undefined) {
    if (result.ok || result.error.code !== expected) throw new Error(`${channel}: expected ${expected}, got ${JSON.stringify(result)}`);
    return result.error;
  }
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** Moves the host's test clock (every window shares it). */
async function advance(page, ms) {
  return (await invoke(page, 'test.advanceClock', { ms })).now;
}

/** The pages' own clocks follow the host's, so that "2 minutes ago" means what the engine means. */
async function syncPageClocks(pages) {
  const now = await advance(pages[0], 0);
  for (const p of pages) await p.clock.setSystemTime(now);
}

/** The current code for a secret, at the host's time (its clock is not the wall clock). */
async function totp(page, secret) {
  const now = await advance(page, 0);
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: now,
  });
}

async function startHost() {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'out/node/browser-host/main.js'), '--vault', vault, '--keychain-service', keychainService, '--test-mode'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the browser host exited (${code}) before it was ready; was it built (npm run build)?`)));
  });
  const { url } = JSON.parse(first);
  return { url, stop: () => child.kill('SIGTERM') };
}

function report() {
  const shots = [...new Set(axeResults.map((r) => r.screen))];
  console.log(`\nScreenshots (${shots.length} screens × ${THEMES.length} themes) in ${OUT}:`);
  for (const screen of shots) console.log(`  ${screen}-{${THEMES.join(',')}}.png`);

  console.log('\naxe-core (WCAG 2.2 A/AA and best practices):');
  console.log('  screen                               theme  passes  critical serious moderate minor');
  let blocking = 0;
  for (const r of axeResults) {
    const count = (impact) => r.violations.filter((v) => v.impact === impact).length;
    blocking += count('critical') + count('serious');
    console.log(
      `  ${r.screen.padEnd(36)} ${r.theme.padEnd(6)} ${String(r.passes).padStart(6)}  ${String(count('critical')).padStart(8)} ${String(count('serious')).padStart(7)} ${String(count('moderate')).padStart(8)} ${String(count('minor')).padStart(5)}`,
    );
    for (const v of r.violations) {
      console.log(`      ${v.impact}: ${v.id} (${v.nodes.length}) ${v.help}`);
      for (const node of v.nodes.slice(0, 3))
        console.log(
          `        ${node.target.join(' ')}${node.failureSummary ? ` — ${node.failureSummary.split('\n').slice(1, 2).join(' ').trim()}` : ''}`,
        );
    }
  }
  console.log(`\n  serious or critical violations: ${blocking}`);
  console.log(`\nPage errors and CSP violations: ${pageProblems.length}`);
  for (const problem of pageProblems) console.log(`  ${problem}`);
  return blocking > 0 || pageProblems.length > 0;
}
