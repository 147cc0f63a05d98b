import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecondFactor } from '../../../src/shared/views.js';
import { failure } from '../../support/errors.js';
import { codeAt, enableTotp, nextCode, passwordStep, signInWithCode, wrongCode, type Authenticator } from '../../support/mfa.js';
import { countRows } from '../../support/raw-vault.js';
import {
  QUICK_HASH,
  addAccount,
  auditEvents,
  openVaultWithAdmin,
  signIn,
  type SignedIn,
  type VaultWithAdmin,
} from '../../support/signed-in.js';
import { PASSWORDS, cliClient } from '../../support/temp-vault.js';

let v: VaultWithAdmin;
let authenticator: Authenticator;
/** The session turning TOTP off, and another of alice's that should end with it. */
let here: { token: string; caller: SignedIn['caller'] };
let elsewhere: string;
let deviceToken: string;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  authenticator = await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'alice', PASSWORDS.alice)).caller);
  const trusted = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator, { trustDevice: true });
  deviceToken = trusted.deviceToken!;
  elsewhere = trusted.token;
  const current = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator);
  here = { token: current.token, caller: v.engine.sessions.validate(current.token) };
});
afterEach(() => v.vault.dispose());

const disable = (password: string, code: string, factor: SecondFactor = 'totp') =>
  v.engine.mfa.disableTotp(here.caller, password, { factor, code });
const isLive = (token: string): boolean => {
  try {
    v.engine.sessions.validate(token);
    return true;
  } catch {
    return false;
  }
};

/** Everything TOTP brings is as it was before the refused attempt. */
function expectUnchanged(): void {
  expect(v.engine.mfa.status(here.caller)).toMatchObject({ state: 'ENABLED', backupCodesLeft: 10, trustedDevices: 1 });
  expect(isLive(elsewhere)).toBe(true);
  expect(auditEvents(v.engine, 'mfa.totp_disabled')).toEqual([]);
}

describe('turning TOTP off', () => {
  it('goes from ENABLED to DISABLED with the password and a current code, and audits mfa.totp_disabled', async () => {
    await disable(PASSWORDS.alice, nextCode(v.vault.clock, authenticator.secret));
    expect(v.engine.mfa.status(here.caller)).toMatchObject({ state: 'DISABLED', enabledAt: null });
    expect(auditEvents(v.engine, 'mfa.totp_disabled')).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ name: 'alice' }), sessionId: here.caller.sessionId }),
    ]);
    expect(countRows(v.vault.path, 'totp_credentials')).toBe(0);
  });

  it('accepts a backup code instead of a TOTP code', async () => {
    await disable(PASSWORDS.alice, authenticator.backupCodes[0]!, 'backup_code');
    expect(v.engine.mfa.status(here.caller).state).toBe('DISABLED');
  });

  it('voids the backup codes and trusted devices, and ends the other sessions but not this one', async () => {
    await disable(PASSWORDS.alice, nextCode(v.vault.clock, authenticator.secret));
    expect(v.engine.mfa.status(here.caller)).toMatchObject({ backupCodesLeft: 0, trustedDevices: 0 });
    expect(countRows(v.vault.path, 'backup_codes')).toBe(0);
    expect(countRows(v.vault.path, 'trusted_devices', "revoke_reason = 'mfa_disabled'")).toBe(1);
    expect(isLive(elsewhere)).toBe(false);
    expect(isLive(here.token)).toBe(true);
  });

  it('makes the next sign-in a password-only one, whatever device token is offered', async () => {
    await disable(PASSWORDS.alice, nextCode(v.vault.clock, authenticator.secret));
    const started = await v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient(), deviceToken });
    expect(started.session.assurance).toBe('password');
  });

  it('refuses a wrong password with INVALID_CREDENTIALS and changes nothing', async () => {
    await failure(() => disable(PASSWORDS.bob, nextCode(v.vault.clock, authenticator.secret)), 'INVALID_CREDENTIALS');
    expectUnchanged();
    expect(auditEvents(v.engine, 'signin.failed').at(-1)).toMatchObject({ reason: 'wrong_password_for_mfa_change' });
  });

  it('refuses a wrong TOTP code with CODE_INVALID and changes nothing', async () => {
    await failure(() => disable(PASSWORDS.alice, wrongCode(authenticator.secret, v.vault.clock.now())), 'CODE_INVALID');
    expectUnchanged();
  });

  it('refuses a wrong backup code with CODE_INVALID and changes nothing', async () => {
    await failure(() => disable(PASSWORDS.alice, 'ABCDE-FGHJK-MNP', 'backup_code'), 'CODE_INVALID');
    expectUnchanged();
  });

  it('refuses the code whose step was already used to sign in, with CODE_REPLAYED, and changes nothing', async () => {
    const spent = codeAt(authenticator.secret, v.vault.clock.now());
    await failure(() => disable(PASSWORDS.alice, spent), 'CODE_REPLAYED');
    expectUnchanged();
    expect(auditEvents(v.engine, 'mfa.code_replayed')).toHaveLength(1);
  });

  it('counts wrong codes toward the lockout, so a held session cannot guess the code without limit', async () => {
    const right = nextCode(v.vault.clock, authenticator.secret);
    for (let i = 0; i < 5; i += 1) {
      await failure(() => disable(PASSWORDS.alice, wrongCode(authenticator.secret, v.vault.clock.now())), 'CODE_INVALID');
    }
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(5);
    await failure(() => disable(PASSWORDS.alice, right), 'LOCKED_OUT');
    // The refused sixth attempt is audited too, but not counted.
    expect(auditEvents(v.engine, 'signin.failed').map((e) => e.reason)).toEqual([
      ...Array<string>(5).fill('wrong_totp_for_mfa_change'),
      'locked_out',
    ]);
    expectUnchanged();
  });

  it('refuses when TOTP is not on, with MFA_STATE_INVALID', async () => {
    await disable(PASSWORDS.alice, nextCode(v.vault.clock, authenticator.secret));
    await failure(() => disable(PASSWORDS.alice, nextCode(v.vault.clock, authenticator.secret)), 'MFA_STATE_INVALID');
  });

  it('makes the next sign-in ask for the password only', async () => {
    await disable(PASSWORDS.alice, nextCode(v.vault.clock, authenticator.secret));
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
    // And a fresh TOTP asks for a code again.
    await enableTotp(v.engine, v.vault.clock, here.caller);
    await passwordStep(v.engine, 'alice', PASSWORDS.alice);
  });
});
