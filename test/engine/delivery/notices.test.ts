import { afterEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/main/engine/clock.js';
import type { Engine } from '../../../src/main/engine/engine.js';
import { tokenOfVerificationLink } from '../../../src/main/engine/email/verification-link.js';
import { failure } from '../../support/errors.js';
import { enableTotp, signInWithCode } from '../../support/mfa.js';
import { addAccount, auditEvents, openVaultWithAdmin, QUICK_HASH, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { startSmtpCapture, useSmtpCapture, type SmtpCapture, type CapturedMail } from '../../support/smtp-capture.js';
import { PASSWORDS } from '../../support/temp-vault.js';

describe('security notices by e-mail, to a verified address', () => {
  let setup: VaultWithAdmin;
  let smtp: SmtpCapture;
  afterEach(async () => {
    await smtp?.close();
    await setup?.vault.dispose();
  });

  async function start(options: { verify?: boolean } = {}): Promise<VaultWithAdmin & { engine: Engine }> {
    smtp = await startSmtpCapture();
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin } = setup;
    useSmtpCapture(engine, admin.caller, smtp);
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    await engine.delivery.sendDue();
    if (options.verify !== false) {
      const link = /latchkey:\/\/verify\?token=[\w-]{43}/.exec(toAlice().at(-1)?.text ?? '')?.[0] ?? '';
      engine.emailVerification.confirm(tokenOfVerificationLink(link) ?? '');
    }
    return setup;
  }

  const toAlice = (): CapturedMail[] => smtp.messages.filter((m) => m.to.includes('alice@example.com'));
  const notices = (): string[] =>
    toAlice()
      .slice(1)
      .map((m) => m.subject ?? '');
  const deliver = async (engine: Engine): Promise<void> => void (await engine.delivery.sendDue());

  it('tells of a sign-in from a device never seen before, not of the first sign-in nor of a known device', async () => {
    const { engine } = await start();
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await deliver(engine);
    expect(notices()).toEqual([]);
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'kiosk-7' });
    await deliver(engine);
    expect(notices()).toEqual(['New sign-in to your Latchkey account']);
    const mail = toAlice().at(-1);
    expect(mail?.text).toContain('kiosk-7');
    // A notice carries no link and no secret: a forged one could lure nobody anywhere.
    expect(`${mail?.text ?? ''}${String(mail?.html)}`).not.toMatch(/latchkey:\/\/|https?:\/\//);
  });

  it('tells of a changed password, two-step sign-in turned off, backup codes running low, and a locked account', async () => {
    const { engine, vault, admin } = await start();
    const alice = await signIn(engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    const authenticator = await enableTotp(engine, vault.clock, alice.caller);
    for (const code of authenticator.backupCodes.slice(0, 8)) {
      vault.clock.advance(1000);
      await signInWithCode(engine, vault.clock, 'alice', PASSWORDS.alice, authenticator, { factor: 'backup_code', code, device: 'laptop' });
    }
    await deliver(engine);
    expect(notices()).toEqual(['You are running out of Latchkey backup codes']);
    expect(toAlice().at(-1)?.text).toContain('Only 2 backup codes are left');

    engine.mfa.reset(admin.caller, 'alice');
    await engine.accounts.resetPassword(admin.caller, 'alice', PASSWORDS.bob);
    for (let i = 0; i < 20; i += 1) {
      vault.clock.advance(HOUR / 4);
      await failure(() =>
        engine.signIn.withPassword({ username: 'alice', password: 'not her password at all', client: cliClientOf('laptop') }),
      );
    }
    await deliver(engine);
    expect(notices()).toEqual([
      'You are running out of Latchkey backup codes',
      'Two-step sign-in was turned off for your Latchkey account',
      'Your Latchkey password was changed',
      'Your Latchkey account was locked',
    ]);
  });

  it('mails a link to a changed address, tells the old verified one, and needs the current password to change one’s own', async () => {
    const { engine } = await start();
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    await failure(
      () => engine.accounts.setEmail(alice.caller, 'alice', 'alice@example.net', 'not my password at all'),
      'INVALID_CREDENTIALS',
    );
    await failure(() => engine.accounts.setEmail(alice.caller, 'alice', 'alice@example.net'), 'INVALID_INPUT');
    const changed = await engine.accounts.setEmail(alice.caller, 'alice', 'alice@example.net', PASSWORDS.alice);
    expect(changed).toMatchObject({ email: 'alice@example.net', emailVerifiedAt: null });
    await deliver(engine);
    expect(notices()).toEqual(['The e-mail address of your Latchkey account was changed']);
    const link = smtp.messages.find((m) => m.to.includes('alice@example.net'));
    expect(link?.subject).toBe('Confirm your e-mail address for Latchkey');
    expect(auditEvents(engine, 'account.email_changed').map((e) => e.outcome)).toEqual(['failure', 'success']);
  });

  it('sends nothing to an address that is not verified', async () => {
    const { engine, admin } = await start({ verify: false });
    await engine.accounts.resetPassword(admin.caller, 'alice', PASSWORDS.bob);
    await deliver(engine);
    expect(toAlice()).toHaveLength(1); // the verification mail only
  });
});

function cliClientOf(device: string): { host: 'cli'; deviceName: string; osUser: string; ip: null; userAgent: string } {
  return { host: 'cli', deviceName: device, osUser: 'tester', ip: null, userAgent: 'latchkey-test/1' };
}
