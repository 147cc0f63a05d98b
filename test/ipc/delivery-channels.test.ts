import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../src/shared/client.js';
import type { DeliveryStatusView, OutboxMessageView, SentCodeView } from '../../src/shared/delivery.js';
import type { ChallengeView, TotpSetupView } from '../../src/shared/views.js';
import type { Result } from '../../src/shared/result.js';
import type { Engine } from '../../src/main/engine/engine.js';
import { createRouter, newConnection, type Connection, type Router } from '../../src/main/ipc/router.js';
import { codeAt } from '../support/mfa.js';
import { QUICK_HASH } from '../support/signed-in.js';
import { startSmsGateway, type SmsGateway } from '../support/sms-gateway.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { PASSWORDS, createTempVault, type TempVault } from '../support/temp-vault.js';
import { errorCode, value } from './envelope.js';

/**
 * The delivery and verification channels through the real router, with a real SMTP server on
 * loopback standing where the mail server would be: the handlers pass the caller on, and a mail
 * someone asked for is tried before the answer comes back.
 */

const desktop: ClientInfo = { host: 'desktop', deviceName: 'workstation', osUser: 'tester', ip: null, userAgent: 'Latchkey/test' };
const TOKEN_LINE = /^[A-Za-z0-9_-]{43}$/m;
const LINK = /latchkey:\/\/verify\?token=[A-Za-z0-9_-]{43}/;

let vault: TempVault;
let engine: Engine;
let router: Router;
let smtp: SmtpCapture;
let admin: Connection;

async function call(connection: Connection, channel: string, input: unknown = {}): Promise<Result<unknown>> {
  return router.route(connection, channel, input);
}

async function configureSmtp(): Promise<void> {
  for (const [key, setting] of [
    ['smtp.host', '127.0.0.1'],
    ['smtp.secure', 'none'],
    ['smtp.port', String(smtp.port)],
    ['smtp.from', 'Latchkey <latchkey@example.org>'],
  ] as const) {
    value(await call(admin, 'admin.delivery.setSetting', { key, value: setting }));
  }
}

async function outbox(): Promise<OutboxMessageView[]> {
  return value<OutboxMessageView[]>(await call(admin, 'admin.delivery.list', {}));
}

async function signedIn(username: string, password: string): Promise<Connection> {
  const connection = newConnection(desktop);
  value(await call(connection, 'auth.signIn', { username, password }));
  return connection;
}

beforeEach(async () => {
  smtp = await startSmtpCapture();
  vault = await createTempVault();
  engine = await vault.open({ hashParameters: QUICK_HASH });
  router = createRouter({ engine, version: '9.9.9', kind: 'desktop', osUser: 'tester' });
  admin = newConnection(desktop);
  value(await call(admin, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
  value(await call(admin, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
});
afterEach(async () => {
  await smtp.close();
  await vault.dispose();
});

describe('the delivery channels', () => {
  it('keep a secret in the keychain and answer only whether it is set', async () => {
    const secret = 'a-password-that-must-stay-in-main';
    value(await call(admin, 'admin.delivery.setSecret', { key: 'smtp.password', secret }));
    const status = value<DeliveryStatusView>(await call(admin, 'admin.delivery.status'));
    expect(status.settings.find((s) => s.key === 'smtp.password')).toMatchObject({ secret: true, set: true, value: null });
    expect(JSON.stringify(status)).not.toContain(secret);
    expect(JSON.stringify(value(await call(admin, 'admin.audit.list', {})))).not.toContain(secret);

    value(await call(admin, 'admin.delivery.unsetSetting', { key: 'smtp.password' }));
    const after = value<DeliveryStatusView>(await call(admin, 'admin.delivery.status'));
    expect(after.settings.find((s) => s.key === 'smtp.password')).toMatchObject({ set: false });
  });

  it('refuse a setting that is not a delivery key, and a secret sent as a setting, before the engine', async () => {
    expect(errorCode(await call(admin, 'admin.delivery.setSetting', { key: 'smtp.password', value: 'x' }))).toBe('INVALID_INPUT');
    expect(errorCode(await call(admin, 'admin.delivery.setSetting', { key: 'session.idleTimeoutMinutes', value: '5' }))).toBe(
      'INVALID_INPUT',
    );
    expect(errorCode(await call(admin, 'admin.delivery.setSecret', { key: 'smtp.host', secret: 'x' }))).toBe('INVALID_INPUT');
  });

  it('are for administrators only', async () => {
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice }));
    const alice = await signedIn('alice', PASSWORDS.alice);
    expect(errorCode(await call(alice, 'admin.delivery.status'))).toBe('NOT_AUTHORISED');
    expect(errorCode(await call(alice, 'admin.delivery.setSecret', { key: 'sms.authToken', secret: 'x' }))).toBe('NOT_AUTHORISED');
    expect(errorCode(await call(newConnection(desktop), 'admin.delivery.list', {}))).toBe('SESSION_EXPIRED');
  });

  it('send a test message at once and show it sent, with E-mail ready and the plain-SMTP warning', async () => {
    await configureSmtp();
    const status = value<DeliveryStatusView>(await call(admin, 'admin.delivery.status'));
    expect(status.channels.find((c) => c.channel === 'email')).toMatchObject({ configured: true, problems: [] });
    expect(status.channels.find((c) => c.channel === 'email')?.warning).toMatch(/without TLS/);

    const sent = value<OutboxMessageView>(await call(admin, 'admin.delivery.sendTest', { channel: 'email', to: 'ops@example.org' }));
    expect(sent).toMatchObject({ kind: 'test', state: 'sent', attempts: 1, recipient: 'o•••@example.org' });
    expect(smtp.messages.map((m) => m.to)).toEqual([['ops@example.org']]);
  });

  it('try a new account’s verification mail at once: failed in words while the server is down, sent after Retry', async () => {
    await configureSmtp();
    await smtp.stop();
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice, email: 'alice@example.com' }));
    const [failed] = await outbox();
    expect(failed).toMatchObject({ username: 'alice', kind: 'verification', state: 'failed', attempts: 1 });
    expect(failed?.lastError).toMatch(/refused the connection/);
    expect(errorCode(await call(admin, 'admin.delivery.retry', { messageId: `msg_${'0'.repeat(32)}` }))).toBe('NOT_FOUND');

    await smtp.start();
    const retried = value<OutboxMessageView>(await call(admin, 'admin.delivery.retry', { messageId: failed?.id }));
    expect(retried).toMatchObject({ state: 'sent', lastError: null });
    expect(smtp.messages[0]?.to).toEqual(['alice@example.com']);
  });

  it('cancel a message that has not gone, and refuse to cancel it twice', async () => {
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice, email: 'alice@example.com' }));
    const [waiting] = await outbox();
    expect(waiting).toMatchObject({ state: 'queued', attempts: 0 });
    const cancelled = value<OutboxMessageView>(await call(admin, 'admin.delivery.cancel', { messageId: waiting?.id }));
    expect(cancelled).toMatchObject({ state: 'abandoned', lastError: 'cancelled by root' });
    expect(errorCode(await call(admin, 'admin.delivery.cancel', { messageId: waiting?.id }))).toBe('CONFLICT');
    expect(value<OutboxMessageView[]>(await call(admin, 'admin.delivery.list', { state: 'queued' }))).toEqual([]);
  });
});

describe('e-mail verification from a session', () => {
  async function aliceWithAddress(): Promise<Connection> {
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice, email: 'alice@example.com' }));
    return signedIn('alice', PASSWORDS.alice);
  }

  it('says the mail waits when e-mail is not set up', async () => {
    const alice = await aliceWithAddress();
    expect(value(await call(alice, 'email.sendVerification', {}))).toMatchObject({ username: 'alice', delivery: 'not_configured' });
  });

  it('mails the caller’s own address, and the token pasted from the mail verifies it', async () => {
    await configureSmtp();
    const alice = await aliceWithAddress();
    smtp.messages.splice(0);
    expect(value(await call(alice, 'email.sendVerification', {}))).toMatchObject({ username: 'alice', delivery: 'sent' });
    const token = TOKEN_LINE.exec(smtp.messages[0]?.text ?? '')?.[0] ?? '';
    expect(token).not.toBe('');

    expect(value(await call(alice, 'email.confirmToken', { token: `  ${token}\n` }))).toEqual({
      username: 'alice',
      email: 'alice@example.com',
    });
    const status = value<{ signedIn: { account: { emailVerifiedAt: number | null } } }>(await call(alice, 'app.status'));
    expect(status.signedIn.account.emailVerifiedAt).toBe(vault.clock.now());
    expect(errorCode(await call(alice, 'email.confirmToken', { token }))).toBe('LINK_INVALID');
    expect(errorCode(await call(alice, 'email.sendVerification', {}))).toBe('CONFLICT');
  });

  it('takes the whole link from the mail as well as its token', async () => {
    await configureSmtp();
    const alice = await aliceWithAddress();
    const link = LINK.exec(smtp.messages[0]?.text ?? '')?.[0] ?? '';
    expect(value(await call(alice, 'email.confirmToken', { token: link }))).toMatchObject({ username: 'alice' });
  });

  it('lets an administrator send it for another account, and no one else', async () => {
    await configureSmtp();
    const alice = await aliceWithAddress();
    value(await call(admin, 'admin.accounts.create', { username: 'bob', password: PASSWORDS.bob, email: 'bob@example.com' }));
    expect(errorCode(await call(alice, 'email.sendVerification', { username: 'bob' }))).toBe('NOT_AUTHORISED');
    expect(value(await call(admin, 'email.sendVerification', { username: 'bob' }))).toMatchObject({ username: 'bob', delivery: 'sent' });
  });
});

describe('the phone and sign-in code channels', () => {
  let sms: SmsGateway;
  beforeEach(async () => {
    sms = await startSmsGateway();
    for (const [key, setting] of [
      ['sms.baseUrl', sms.url],
      ['sms.accountSid', sms.accountSid],
      ['sms.from', '+15005550006'],
      ['sms.region', 'GB'],
    ] as const) {
      value(await call(admin, 'admin.delivery.setSetting', { key, value: setting }));
    }
    value(await call(admin, 'admin.delivery.setSecret', { key: 'sms.authToken', secret: sms.authToken }));
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice }));
  });
  afterEach(async () => {
    await sms.close();
  });

  const lastSms = (): string => /\b(\d{6})\b/.exec(sms.messages.at(-1)?.body ?? '')?.[1] ?? '';

  it('add a phone with the current password, prove it by SMS, and a sign-in then offers and sends a code to it', async () => {
    const alice = await signedIn('alice', PASSWORDS.alice);
    expect(errorCode(await call(alice, 'phone.add', { phone: '07400 123456', currentPassword: 'not it' }))).toBe('INVALID_CREDENTIALS');
    expect(value(await call(alice, 'phone.get'))).toBeNull();

    const sent = value<SentCodeView>(await call(alice, 'phone.add', { phone: '07400 123456', currentPassword: PASSWORDS.alice }));
    expect(sent).toMatchObject({ channel: 'sms', to: '+44••••••••56', sent: true, attemptsLeft: 3 });
    expect(sms.messages.at(-1)?.to).toBe('+447400123456');
    expect(errorCode(await call(alice, 'phone.resend'))).toBe('RATE_LIMITED');
    expect(value(await call(alice, 'phone.verify', { code: lastSms() }))).toMatchObject({ masked: '+44••••••••56' });
    expect(value(await call(alice, 'phone.get'))).toMatchObject({ masked: '+44••••••••56', verifiedAt: expect.any(Number) });

    // SMS is offered only next to an authenticator app.
    const setup = value<TotpSetupView>(await call(alice, 'mfa.beginTotp'));
    value(await call(alice, 'mfa.confirmTotp', { code: codeAt(setup.secret, vault.clock.now()) }));

    const window = newConnection(desktop);
    const step = await call(window, 'auth.signIn', { username: 'alice', password: PASSWORDS.alice });
    expect(step.ok).toBe(false);
    const challenge = (step as { ok: false; error: { code: 'MFA_REQUIRED'; details: ChallengeView } }).error.details;
    expect(challenge.factors).toContain('sms_code');
    expect(challenge.codeChannels).toEqual([
      { channel: 'sms', to: '+44••••••••56', problem: null },
      { channel: 'email', to: null, problem: 'no_destination' },
    ]);
    expect(errorCode(await call(window, 'auth.sendCode', { challengeId: challenge.challengeId, channel: 'email' }))).toBe('CONFLICT');
    vault.clock.advance(60_000);
    const code = value<SentCodeView>(await call(window, 'auth.sendCode', { challengeId: challenge.challengeId, channel: 'sms' }));
    expect(code).toMatchObject({ channel: 'sms', to: '+44••••••••56', sent: true });
    const answered = value<{ session: { assurance: string } }>(
      await call(window, 'auth.answerChallenge', { challengeId: challenge.challengeId, factor: 'sms_code', code: lastSms() }),
    );
    expect(answered.session.assurance).toBe('two_factor');

    value(await call(alice, 'phone.remove'));
    expect(value(await call(alice, 'phone.get'))).toBeNull();
    expect(errorCode(await call(alice, 'phone.remove'))).toBe('NOT_FOUND');
  });

  it('refuse a phone that is not a number before the engine, and every phone channel without a session', async () => {
    const alice = await signedIn('alice', PASSWORDS.alice);
    expect(errorCode(await call(alice, 'phone.add', { phone: 'call me maybe', currentPassword: PASSWORDS.alice }))).toBe('INVALID_INPUT');
    expect(errorCode(await call(alice, 'phone.add', { phone: '+44 7400 123456'.padEnd(41, '0'), currentPassword: PASSWORDS.alice }))).toBe(
      'INVALID_INPUT',
    );
    const nobody = newConnection(desktop);
    for (const channel of ['phone.get', 'phone.resend', 'phone.remove'] as const) {
      expect(errorCode(await call(nobody, channel))).toBe('SESSION_EXPIRED');
    }
    expect(sms.messages).toHaveLength(0);
  });
});
