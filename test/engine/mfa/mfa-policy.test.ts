import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/main/engine/clock.js';
import { failure } from '../../support/errors.js';
import { codeAt, enableTotp, nextCode, passwordStep, wrongCode } from '../../support/mfa.js';
import { countRows } from '../../support/raw-vault.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { PASSWORDS, cliClient } from '../../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const now = (): number => v.vault.clock.now();
function requireMfa(who: 'off' | 'admins' | 'all'): void {
  v.engine.policy.set(v.admin.caller, 'mfa.required', who);
}
const enrollmentStep = (username = 'alice', password: string = PASSWORDS.alice, options: { staySignedIn?: boolean } = {}) =>
  passwordStep(v.engine, username, password, { ...options, expect: 'MFA_ENROLLMENT_REQUIRED' });
const sessionsOf = (username: string): number =>
  countRows(v.vault.path, 'sessions', `account_id = (SELECT id FROM accounts WHERE username = '${username}')`);

describe('policy mfa.required = all', () => {
  beforeEach(() => requireMfa('all'));

  it('sends an account without MFA into enrollment after the password, with a challenge id and no session', async () => {
    const challenge = await enrollmentStep();
    expect(challenge).toEqual({
      challengeId: expect.stringMatching(/^chal_/),
      factors: [],
      expiresAt: now() + 15 * MINUTE,
      attemptsLeft: 5,
      codeChannels: [],
    });
    expect(sessionsOf('alice')).toBe(0);
    expect(auditEvents(v.engine, 'mfa.challenge_issued').at(-1)).toMatchObject({
      details: { challengeId: challenge.challengeId, purpose: 'enroll' },
    });
  });

  it('still answers a wrong password with INVALID_CREDENTIALS', async () => {
    await failure(
      () => v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.bob, client: cliClient() }),
      'INVALID_CREDENTIALS',
    );
    expect(countRows(v.vault.path, 'mfa_challenges')).toBe(0);
  });

  it('turns TOTP on through the enrollment challenge, starts a two_factor session and shows the backup codes', async () => {
    const challenge = await enrollmentStep();
    const setup = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Latchkey:alice\?/);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').mfaState).toBe('SETUP_IN_PROGRESS');
    expect(sessionsOf('alice')).toBe(0);

    const signedIn = v.engine.signIn.confirmEnrollment(challenge.challengeId, codeAt(setup.secret, now()));
    expect(signedIn.session).toMatchObject({ username: 'alice', assurance: 'two_factor' });
    expect(signedIn.backupCodes).toHaveLength(10);
    expect(signedIn.backupCodesLeft).toBe(10);
    const caller = v.engine.sessions.validate(signedIn.token);
    expect(v.engine.mfa.status(caller)).toMatchObject({ state: 'ENABLED', required: true, backupCodesLeft: 10 });
    expect(sessionsOf('alice')).toBe(1);
  });

  it('asks for a code as usual at the next sign-in after enrollment', async () => {
    const challenge = await enrollmentStep();
    const setup = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    v.engine.signIn.confirmEnrollment(challenge.challengeId, codeAt(setup.secret, now()));
    const next = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    expect(next.factors).toEqual(['totp', 'backup_code']);
    const signedIn = v.engine.signIn.answer({ challengeId: next.challengeId, factor: 'totp', code: nextCode(v.vault.clock, setup.secret) });
    expect(signedIn.session.assurance).toBe('two_factor');
  });

  it('carries stay-signed-in through enrollment to a refresh token', async () => {
    const challenge = await enrollmentStep('alice', PASSWORDS.alice, { staySignedIn: true });
    const setup = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    const signedIn = v.engine.signIn.confirmEnrollment(challenge.challengeId, codeAt(setup.secret, now()));
    expect(signedIn.refreshToken).not.toBeNull();
  });

  it('trusts the device from the enrollment step when asked, so the next sign-in there skips the code', async () => {
    const challenge = await enrollmentStep();
    const setup = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    const signedIn = v.engine.signIn.confirmEnrollment(challenge.challengeId, codeAt(setup.secret, now()), { trustDevice: true });
    expect(signedIn.deviceToken).not.toBeNull();
    const again = await v.engine.signIn.withPassword({
      username: 'alice',
      password: PASSWORDS.alice,
      client: cliClient(),
      deviceToken: signedIn.deviceToken,
    });
    expect(again.session.assurance).toBe('trusted_device');
  });

  it('refuses a wrong code at enrollment with CODE_INVALID, and the challenge is void after 5 attempts', async () => {
    const challenge = await enrollmentStep();
    const setup = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    for (let i = 0; i < 5; i += 1) {
      await failure(() => v.engine.signIn.confirmEnrollment(challenge.challengeId, wrongCode(setup.secret, now())), 'CODE_INVALID');
    }
    await failure(() => v.engine.signIn.confirmEnrollment(challenge.challengeId, codeAt(setup.secret, now())), 'CHALLENGE_INVALID');
    expect(sessionsOf('alice')).toBe(0);
  });

  it('is single use: the enrollment challenge cannot start a second session', async () => {
    const challenge = await enrollmentStep();
    const setup = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    v.engine.signIn.confirmEnrollment(challenge.challengeId, codeAt(setup.secret, now()));
    await failure(() => v.engine.signIn.beginEnrollment(challenge.challengeId), 'CHALLENGE_INVALID');
    await failure(
      () => v.engine.signIn.confirmEnrollment(challenge.challengeId, nextCode(v.vault.clock, setup.secret)),
      'CHALLENGE_INVALID',
    );
    expect(sessionsOf('alice')).toBe(1);
  });

  it('does not let an enrollment challenge be answered as a code challenge, nor the reverse', async () => {
    const enroll = await enrollmentStep();
    await failure(() => v.engine.signIn.answer({ challengeId: enroll.challengeId, factor: 'totp', code: '123456' }), 'CHALLENGE_INVALID');
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    requireMfa('off');
    await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'bob', PASSWORDS.bob)).caller);
    requireMfa('all');
    const verify = await passwordStep(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => v.engine.signIn.beginEnrollment(verify.challengeId), 'CHALLENGE_INVALID');
  });

  it('gives an enrollment challenge 15 minutes, the life of a setup', async () => {
    const challenge = await enrollmentStep();
    v.vault.clock.advance(15 * MINUTE);
    await failure(() => v.engine.signIn.beginEnrollment(challenge.challengeId), 'CHALLENGE_INVALID');
  });
});

describe('policy mfa.required = admins', () => {
  beforeEach(() => requireMfa('admins'));

  it('sends an admin without MFA into enrollment', async () => {
    await addAccount(v.engine, v.admin.caller, 'carol', PASSWORDS.bob, { role: 'admin' });
    await enrollmentStep('carol', PASSWORDS.bob);
    await enrollmentStep('admin', PASSWORDS.admin);
  });

  it('lets a user without MFA sign in with the password alone', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(alice.started.session.assurance).toBe('password');
    expect(v.engine.mfa.status(alice.caller).required).toBe(false);
  });
});

describe('policy mfa.required = off', () => {
  it('lets an account without MFA sign in with the password alone', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(alice.started.session.assurance).toBe('password');
  });
});

describe('the password rule once a second factor is on', () => {
  /** Nine characters, not a common password, not built from the name. */
  const NINE = 'qz7!Vx2#k';

  it('lets an account with TOTP ENABLED choose a 9-character password', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const authenticator = await enableTotp(v.engine, v.vault.clock, alice.caller);
    await v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, NINE);
    const challenge = await passwordStep(v.engine, 'alice', NINE);
    expect(
      v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code: nextCode(v.vault.clock, authenticator.secret) })
        .session.username,
    ).toBe('alice');
  });

  it('refuses the same 9-character password as too_short for an account without a second factor', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const error = await failure(() => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, NINE), 'PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ rule: 'too_short', min: 15 });
  });

  it('does not lower the minimum while the setup is only in progress', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await v.engine.mfa.beginTotp(alice.caller);
    const error = await failure(() => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, NINE), 'PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ rule: 'too_short' });
  });
});
