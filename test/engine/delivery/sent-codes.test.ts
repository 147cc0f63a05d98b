import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../../src/main/engine/clock.js';
import type { Engine } from '../../../src/main/engine/engine.js';
import { tokenOfVerificationLink } from '../../../src/main/engine/email/verification-link.js';
import { nextSendAt } from '../../../src/main/engine/mfa/sent-codes.js';
import { failure } from '../../support/errors.js';
import { enableTotp, passwordStep, type Authenticator } from '../../support/mfa.js';
import { vaultBytes, withRawVault } from '../../support/raw-vault.js';
import {
  addAccount,
  auditEvents,
  openVaultWithAdmin,
  QUICK_HASH,
  signIn,
  type SignedIn,
  type VaultWithAdmin,
} from '../../support/signed-in.js';
import { startSmsGateway, type SmsGateway } from '../../support/sms-gateway.js';
import { startSmtpCapture, useSmtpCapture, type SmtpCapture } from '../../support/smtp-capture.js';
import { PASSWORDS } from '../../support/temp-vault.js';

const PHONE = '+44 7400 123456';
const SIX = /\b(\d{6})\b/;

describe('one-time codes by SMS and e-mail, through real servers on loopback', () => {
  let setup: VaultWithAdmin;
  let smtp: SmtpCapture;
  let sms: SmsGateway;
  afterEach(async () => {
    await smtp?.close();
    await sms?.close();
    await setup?.vault.dispose();
  });

  /** A vault with mail and SMS set up, and alice with TOTP on and her address verified from the mail. */
  async function start(): Promise<{ engine: Engine; alice: SignedIn; authenticator: Authenticator } & VaultWithAdmin> {
    smtp = await startSmtpCapture();
    sms = await startSmsGateway();
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin, vault } = setup;
    const set = (key: string, value: string): unknown => engine.delivery.settings.set(admin.caller, key, value);
    useSmtpCapture(engine, admin.caller, smtp);
    set('sms.baseUrl', sms.url);
    set('sms.accountSid', sms.accountSid);
    set('sms.from', '+15005550006');
    set('sms.region', 'GB');
    await engine.delivery.settings.setSecret(admin.caller, 'sms.authToken', sms.authToken);
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    await engine.delivery.sendDue();
    const link = /latchkey:\/\/verify\?token=[\w-]{43}/.exec(
      smtp.messages.find((m) => m.to.includes('alice@example.com'))?.text ?? '',
    )?.[0];
    engine.emailVerification.confirm(tokenOfVerificationLink(link ?? '') ?? '');
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    const authenticator = await enableTotp(engine, vault.clock, alice.caller);
    return { ...setup, engine, alice, authenticator };
  }

  const lastSms = (): string => SIX.exec(sms.messages.at(-1)?.body ?? '')?.[1] ?? '';
  const lastMailCode = (): string => SIX.exec(smtp.messages.at(-1)?.text ?? '')?.[1] ?? '';

  async function provePhone(engine: Engine, alice: SignedIn): Promise<void> {
    const clock = setup.vault.clock;
    const sent = await engine.phones.add(alice.caller, PHONE, PASSWORDS.alice);
    expect(sent).toMatchObject({ channel: 'sms', to: '+44••••••••56', sent: true });
    expect(sms.messages.at(-1)?.to).toBe('+447400123456');
    expect(engine.phones.verify(alice.caller, lastSms())).toMatchObject({ masked: '+44••••••••56' });
    // The phone's proof counts toward the SMS limits like any code sent to it.
    clock.advance(MINUTE);
  }

  it('proves a phone by a code sent to it, then offers SMS at the sign-in, and an SMS code finishes it once', async () => {
    const { engine, alice, vault } = await start();
    const before = await passwordStep(engine, 'alice', PASSWORDS.alice);
    expect(before.factors).not.toContain('sms_code');
    expect(before.codeChannels).toEqual([
      { channel: 'sms', to: null, problem: 'no_destination' },
      { channel: 'email', to: 'a•••@example.com', problem: null },
    ]);
    await failure(() => engine.signIn.sendCode(before.challengeId, 'sms'), 'CONFLICT').then((error) =>
      expect(error.message).toMatch(/No verified phone is on this account/),
    );
    await provePhone(engine, alice);

    const challenge = await passwordStep(engine, 'alice', PASSWORDS.alice);
    expect(challenge.factors).toEqual(['totp', 'backup_code', 'sms_code', 'email_code']);
    expect(challenge.codeChannels).toContainEqual({ channel: 'sms', to: '+44••••••••56', problem: null });
    const sent = await engine.signIn.sendCode(challenge.challengeId, 'sms');
    expect(sent).toMatchObject({
      channel: 'sms',
      sent: true,
      expiresAt: vault.clock.now() + 10 * MINUTE,
      resendAt: vault.clock.now() + MINUTE,
      attemptsLeft: 3,
    });
    const code = lastSms();
    const signedIn = engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'sms_code', code });
    expect(signedIn.session.assurance).toBe('two_factor');

    const again = await passwordStep(engine, 'alice', PASSWORDS.alice);
    await failure(() => engine.signIn.answer({ challengeId: again.challengeId, factor: 'sms_code', code }), 'CODE_INVALID');
    // Nothing of a code in clear in the vault file.
    expect(vaultBytes(vault.path).includes(code)).toBe(false);
    expect(JSON.stringify(auditEvents(engine))).not.toContain(code);
  });

  it('refuses an e-mailed code after 10 minutes, after 3 wrong tries, and once a newer code is sent', async () => {
    const { engine, vault } = await start();
    const challenge = await passwordStep(engine, 'alice', PASSWORDS.alice);
    await engine.signIn.sendCode(challenge.challengeId, 'email');
    const first = lastMailCode();
    vault.clock.advance(10 * MINUTE);
    await failure(
      () => engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'email_code', code: first }),
      'CHALLENGE_INVALID',
    );

    const second = await passwordStep(engine, 'alice', PASSWORDS.alice);
    await engine.signIn.sendCode(second.challengeId, 'email');
    const right = lastMailCode();
    const wrong = right === '000000' ? '111111' : '000000';
    // The code's own tries are told apart from the step's: once the code is void, a new one may be asked for.
    for (const [attemptsLeft, codeAttemptsLeft] of [
      [4, 2],
      [3, 1],
      [2, 0],
    ]) {
      const refused = await failure(
        () => engine.signIn.answer({ challengeId: second.challengeId, factor: 'email_code', code: wrong }),
        'CODE_INVALID',
      );
      expect(refused.details).toEqual({ attemptsLeft, codeAttemptsLeft });
    }
    await failure(() => engine.signIn.answer({ challengeId: second.challengeId, factor: 'email_code', code: right }), 'CODE_INVALID');

    vault.clock.advance(MINUTE);
    const third = await passwordStep(engine, 'alice', PASSWORDS.alice);
    await engine.signIn.sendCode(third.challengeId, 'email');
    const older = lastMailCode();
    vault.clock.advance(MINUTE);
    await engine.signIn.sendCode(third.challengeId, 'email');
    const newer = lastMailCode();
    if (older !== newer) {
      await failure(() => engine.signIn.answer({ challengeId: third.challengeId, factor: 'email_code', code: older }), 'CODE_INVALID');
    }
    // Five wrong codes by now: the lockout's first delay (1 s) applies to the next answer.
    vault.clock.advance(2 * SECOND);
    const signedIn = engine.signIn.answer({ challengeId: third.challengeId, factor: 'email_code', code: newer });
    expect(signedIn.session.assurance).toBe('email_code');
  });

  it('sends at most one code a minute and five an hour per account and channel, and a resend never resets them', async () => {
    const { engine, vault } = await start();
    const challenge = await passwordStep(engine, 'alice', PASSWORDS.alice);
    await engine.signIn.sendCode(challenge.challengeId, 'email');
    const soon = await failure(() => engine.signIn.sendCode(challenge.challengeId, 'email'), 'RATE_LIMITED');
    expect(soon.details).toEqual({ retryAt: vault.clock.now() + MINUTE, retryAfterSeconds: 60 });

    let step = challenge;
    for (let sent = 1; sent < 5; sent += 1) {
      vault.clock.advance(MINUTE);
      // Each sign-in step lasts 5 minutes: a new one every so often, as a person would start again.
      if (sent % 4 === 0) step = await passwordStep(engine, 'alice', PASSWORDS.alice);
      await engine.signIn.sendCode(step.challengeId, 'email');
    }
    vault.clock.advance(MINUTE);
    const fresh = await passwordStep(engine, 'alice', PASSWORDS.alice);
    const hourly = await failure(() => engine.signIn.sendCode(fresh.challengeId, 'email'), 'RATE_LIMITED');
    expect(hourly.message).toMatch(/5 codes/);
    expect(smtp.messages.filter((m) => /sign-in code/.test(m.subject ?? ''))).toHaveLength(5);
  });

  it('offers no e-mailed code when policy turns it off, nor a code by a channel whose last attempt failed', async () => {
    const { engine, admin, alice } = await start();
    await provePhone(engine, alice);
    engine.policy.set(admin.caller, 'mfa.emailFallback', 'off');
    const challenge = await passwordStep(engine, 'alice', PASSWORDS.alice);
    expect(challenge.factors).not.toContain('email_code');
    expect(challenge.codeChannels).toContainEqual({ channel: 'email', to: null, problem: 'policy_off' });
    await failure(() => engine.signIn.sendCode(challenge.challengeId, 'email'), 'CONFLICT').then((error) =>
      expect(error.message).toMatch(/turned off/),
    );

    sms.failNext(503, { message: 'gateway overloaded' });
    await engine.signIn.sendCode(challenge.challengeId, 'sms').then((sent) => expect(sent.sent).toBe(false));
    const after = await passwordStep(engine, 'alice', PASSWORDS.alice);
    expect(after.factors).not.toContain('sms_code');
    expect(after.codeChannels).toContainEqual({ channel: 'sms', to: null, problem: 'unreachable' });

    // Once an administrator takes SMS away, the reason says so.
    await engine.delivery.settings.unset(admin.caller, 'sms.accountSid');
    expect((await passwordStep(engine, 'alice', PASSWORDS.alice)).codeChannels).toContainEqual({
      channel: 'sms',
      to: null,
      problem: 'not_configured',
    });
  });

  it('asks no second step of an account without TOTP, so no code is sent for it', async () => {
    const { engine, admin } = await start();
    await addAccount(engine, admin.caller, 'bob', PASSWORDS.bob, { email: 'bob@example.com' });
    const bob = await signIn(engine, 'bob', PASSWORDS.bob);
    expect(engine.mfa.status(bob.caller).state).toBe('DISABLED');
    // Without a second factor there is no challenge at all, so no code to send.
    expect(bob.started.session.assurance).toBe('password');
  });

  it('adds a phone only with the current password, counted like a sign-in’s, and sends nothing without it', async () => {
    const { engine, alice } = await start();
    const sent = sms.messages.length;
    await failure(() => engine.phones.add(alice.caller, PHONE, 'not alice’s password'), 'INVALID_CREDENTIALS');
    expect(sms.messages).toHaveLength(sent);
    expect(engine.phones.view(alice.caller)).toBeNull();
    const refusal = auditEvents(engine).find((event) => event.type === 'phone.added');
    expect(refusal).toMatchObject({ outcome: 'failure', reason: 'wrong_current_password' });
    // A typo in the number costs no password attempt: it is read before the password is checked.
    await failure(() => engine.phones.add(alice.caller, 'call me', 'not alice’s password'), 'INVALID_INPUT');
    expect(auditEvents(engine).filter((event) => event.type === 'phone.added')).toHaveLength(1);
  });

  it('refuses a wrong phone code, voids it after 3, and proves the phone with a new one', async () => {
    const { engine, alice, vault } = await start();
    await engine.phones.add(alice.caller, PHONE, PASSWORDS.alice);
    const right = lastSms();
    const wrong = right === '000000' ? '111111' : '000000';
    expect((await failure(() => engine.phones.verify(alice.caller, wrong), 'CODE_INVALID')).details).toEqual({ attemptsLeft: 2 });
    await failure(() => engine.phones.verify(alice.caller, wrong), 'CODE_INVALID');
    expect((await failure(() => engine.phones.verify(alice.caller, wrong), 'CODE_INVALID')).details).toEqual({ attemptsLeft: 0 });
    await failure(() => engine.phones.verify(alice.caller, right), 'CODE_INVALID');
    vault.clock.advance(MINUTE + SECOND);
    await engine.phones.resend(alice.caller);
    expect(engine.phones.verify(alice.caller, lastSms()).verifiedAt).toBe(vault.clock.now());
    engine.phones.remove(alice.caller);
    expect(engine.phones.view(alice.caller)).toBeNull();
    expect(
      auditEvents(engine)
        .filter((e) => e.type.startsWith('phone.'))
        .map((e) => e.type),
    ).toEqual(['phone.added', 'phone.verified', 'phone.removed']);
  });
});

describe('cleanup of codes and messages', () => {
  let setup: VaultWithAdmin;
  let smtp: SmtpCapture;
  afterEach(async () => {
    await smtp?.close();
    await setup?.vault.dispose();
  });

  it('drops codes past their time and sends older than an hour, and erases the body a refused message kept for a retry', async () => {
    smtp = await startSmtpCapture();
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin, vault } = setup;
    useSmtpCapture(engine, admin.caller, smtp);
    smtp.rejectNext(550, 'no such mailbox');
    await engine.delivery.sendDue(); // the admin's verification mail, refused for good: its body stays for a retry
    expect(withRawVault(vault.path, (db) => db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE payload_enc IS NOT NULL').get())).toEqual({
      n: 1,
    });
    const alice = await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    await engine.delivery.sendDue();
    engine.emailVerification.confirm(
      tokenOfVerificationLink(/latchkey:\/\/verify\?token=[\w-]{43}/.exec(smtp.messages.at(-1)?.text ?? '')?.[0] ?? '') ?? '',
    );
    const session = await signIn(engine, alice.username, PASSWORDS.alice);
    await enableTotp(engine, vault.clock, session.caller);
    const challenge = await passwordStep(engine, 'alice', PASSWORDS.alice);
    await engine.signIn.sendCode(challenge.challengeId, 'email');

    expect(await engine.cleanUp()).toMatchObject({ sentCodes: 0, codeSends: 0, messageBodies: 0 });
    vault.clock.advance(25 * 60 * MINUTE);
    expect(await engine.cleanUp()).toMatchObject({ sentCodes: 1, codeSends: 1, messageBodies: 1 });
    expect(withRawVault(vault.path, (db) => db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE payload_enc IS NOT NULL').get())).toEqual({
      n: 0,
    });
  });
});

describe('when the next code may be sent', () => {
  const now = 10 * 60 * MINUTE;
  it('waits a minute after the last send, and an hour after the fifth-last once five are in the hour', () => {
    expect(nextSendAt([], now)).toBe(now);
    expect(nextSendAt([now - 30 * SECOND], now)).toBe(now + 30 * SECOND);
    const five = [50, 40, 30, 20, 10].map((m) => now - m * MINUTE);
    expect(nextSendAt(five, now)).toBe(five[0]! + 60 * MINUTE);
  });
});
