import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../../../src/main/engine/clock.js';
import { failure } from '../../support/errors.js';
import { enableTotp, nextCode, passwordStep, signInWithCode, type Authenticator } from '../../support/mfa.js';
import { vaultBytes } from '../../support/raw-vault.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { PASSWORDS, cliClient } from '../../support/temp-vault.js';

let v: VaultWithAdmin;
let alice: Authenticator;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'alice', PASSWORDS.alice)).caller);
});
afterEach(() => v.vault.dispose());

/** Signs alice in with a code and ticks "trust this device"; returns the session and the device token. */
async function trustThisDevice(password: string = PASSWORDS.alice) {
  const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', password, alice, { trustDevice: true, device: 'alice-laptop' });
  if (signedIn.deviceToken === null) throw new Error('expected a device token');
  return { signedIn, caller: v.engine.sessions.validate(signedIn.token), deviceToken: signedIn.deviceToken };
}

const withDevice = (deviceToken: string, username = 'alice', password: string = PASSWORDS.alice) =>
  v.engine.signIn.withPassword({ username, password, client: cliClient('alice-laptop'), deviceToken });

/** The device no longer skips the code: the password step asks for one again. */
const asksForCode = (deviceToken: string, password: string = PASSWORDS.alice) =>
  passwordStep(v.engine, 'alice', password, { deviceToken, device: 'alice-laptop' });

/** Turns TOTP on again for alice after it was cleared, so a void device can be told from "no MFA at all". */
async function reenable(password: string = PASSWORDS.alice): Promise<void> {
  const again = await signIn(v.engine, 'alice', password);
  alice = await enableTotp(v.engine, v.vault.clock, again.caller);
}

describe('trust this device', () => {
  it('gives a 256-bit device token when asked, records the device for 30 days, and audits device.trusted', async () => {
    const { deviceToken, caller } = await trustThisDevice();
    expect(Buffer.from(deviceToken, 'base64url')).toHaveLength(32);
    expect(v.engine.trustedDevices.list(caller)).toEqual([
      expect.objectContaining({
        deviceName: 'alice-laptop',
        createdAt: v.vault.clock.now(),
        expiresAt: v.vault.clock.now() + 30 * DAY,
        lastUsedAt: null,
      }),
    ]);
    expect(auditEvents(v.engine, 'device.trusted')).toEqual([
      expect.objectContaining({ device: 'alice-laptop', details: expect.objectContaining({ days: 30 }) }),
    ]);
    expect(v.engine.mfa.status(caller).trustedDevices).toBe(1);
  });

  it('gives no token when not asked', async () => {
    const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, alice);
    expect(signedIn.deviceToken).toBeNull();
  });

  it('keeps only a hash of the token in the vault', async () => {
    const { deviceToken } = await trustThisDevice();
    const bytes = vaultBytes(v.vault.path);
    expect(bytes.includes(Buffer.from(deviceToken))).toBe(false);
    expect(bytes.includes(Buffer.from(deviceToken, 'base64url'))).toBe(false);
  });

  it('skips the code on the next sign-in with the device token, marking the session trusted_device', async () => {
    const { deviceToken } = await trustThisDevice();
    v.vault.clock.advance(DAY);
    const started = await withDevice(deviceToken);
    expect(started.session).toMatchObject({ username: 'alice', assurance: 'trusted_device' });
    expect(auditEvents(v.engine, 'signin.succeeded').at(-1)?.details).toMatchObject({ factors: 'password+trusted_device' });
    expect(v.engine.trustedDevices.list(v.engine.sessions.validate(started.token))[0]?.lastUsedAt).toBe(v.vault.clock.now());
  });

  it('still needs the right password on a trusted device', async () => {
    const { deviceToken } = await trustThisDevice();
    await failure(() => withDevice(deviceToken, 'alice', PASSWORDS.bob), 'INVALID_CREDENTIALS');
  });

  it('does not skip the code for another account', async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'bob', PASSWORDS.bob)).caller);
    const { deviceToken } = await trustThisDevice();
    await passwordStep(v.engine, 'bob', PASSWORDS.bob, { deviceToken });
  });

  it('does not skip the code with a token the vault never issued', async () => {
    await trustThisDevice();
    await asksForCode(Buffer.alloc(32, 7).toString('base64url'));
  });

  it('stops skipping once the device is revoked', async () => {
    const { deviceToken, caller } = await trustThisDevice();
    const [device] = v.engine.trustedDevices.list(caller);
    v.engine.trustedDevices.revoke(caller, device!.id);
    expect(v.engine.trustedDevices.list(caller)).toEqual([]);
    expect(auditEvents(v.engine, 'device.revoked')).toEqual([expect.objectContaining({ details: { deviceId: device!.id } })]);
    await asksForCode(deviceToken);
  });

  it("cannot be revoked from another account's session", async () => {
    const { caller } = await trustThisDevice();
    const [device] = v.engine.trustedDevices.list(caller);
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await signIn(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => v.engine.trustedDevices.revoke(bob.caller, device!.id), 'NOT_FOUND');
    expect(v.engine.trustedDevices.list(caller)).toHaveLength(1);
  });

  it('stops skipping once TOTP is disabled, even after it is turned on again', async () => {
    const { deviceToken, caller } = await trustThisDevice();
    await v.engine.mfa.disableTotp(caller, PASSWORDS.alice, { factor: 'totp', code: nextCode(v.vault.clock, alice.secret) });
    await reenable();
    await asksForCode(deviceToken);
  });

  it('stops skipping once the password changes', async () => {
    const { deviceToken, caller } = await trustThisDevice();
    await v.engine.accounts.changeOwnPassword(caller, PASSWORDS.alice, PASSWORDS.next);
    expect(auditEvents(v.engine, 'password.changed').at(-1)?.details).toMatchObject({ trustedDevicesRevoked: 1 });
    await asksForCode(deviceToken, PASSWORDS.next);
  });

  it('stops skipping once an admin resets the password', async () => {
    const { deviceToken } = await trustThisDevice();
    await v.engine.accounts.resetPassword(v.admin.caller, 'alice', PASSWORDS.next);
    await asksForCode(deviceToken, PASSWORDS.next);
  });

  it('stops skipping after an admin resets MFA, whose next sign-in carries the notice mfa_reset_by_admin once', async () => {
    const { deviceToken, signedIn } = await trustThisDevice();
    v.engine.mfa.reset(v.admin.caller, 'alice');
    expect(auditEvents(v.engine, 'mfa.reset')).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'admin' }) })]);
    await failure(() => v.engine.sessions.validate(signedIn.token), 'SESSION_EXPIRED');

    const first = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(first.started.notices).toEqual(['mfa_reset_by_admin']);
    expect(first.started.session.assurance).toBe('password');
    const second = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(second.started.notices).toEqual([]);

    alice = await enableTotp(v.engine, v.vault.clock, second.caller);
    await asksForCode(deviceToken);
  });

  it('lets only an admin reset MFA', async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await signIn(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => v.engine.mfa.reset(bob.caller, 'alice'), 'NOT_AUTHORISED');
    expect(v.engine.accounts.show(v.admin.caller, 'alice').mfaState).toBe('ENABLED');
  });

  it('gives no token when policy mfa.trustDeviceDays is 0', async () => {
    v.engine.policy.set(v.admin.caller, 'mfa.trustDeviceDays', '0');
    const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, alice, { trustDevice: true });
    expect(signedIn.deviceToken).toBeNull();
    expect(signedIn.session.assurance).toBe('two_factor');
    expect(auditEvents(v.engine, 'device.trusted')).toEqual([]);
  });

  it('stops skipping at once on a device already trusted when policy mfa.trustDeviceDays becomes 0', async () => {
    const { deviceToken, caller } = await trustThisDevice();
    v.engine.policy.set(v.admin.caller, 'mfa.trustDeviceDays', '0');
    await asksForCode(deviceToken);
    expect(v.engine.trustedDevices.list(caller)).toEqual([]);
    expect(v.engine.mfa.status(caller).trustedDevices).toBe(0);
  });

  it('holds a device already trusted to a lowered mfa.trustDeviceDays', async () => {
    const { deviceToken, caller } = await trustThisDevice();
    const trustedAt = v.vault.clock.now();
    v.engine.policy.set(v.admin.caller, 'mfa.trustDeviceDays', '7');
    expect(v.engine.trustedDevices.list(caller)).toEqual([expect.objectContaining({ expiresAt: trustedAt + 7 * DAY })]);
    v.vault.clock.advance(7 * DAY - 1);
    expect((await withDevice(deviceToken)).session.assurance).toBe('trusted_device');
    v.vault.clock.advance(1);
    await asksForCode(deviceToken);
  });

  it('skips the code for 30 days: on day 29 still, and a device trusted 31 days ago no longer', async () => {
    const { deviceToken } = await trustThisDevice();
    v.vault.clock.advance(29 * DAY);
    expect((await withDevice(deviceToken)).session.assurance).toBe('trusted_device');
    v.vault.clock.advance(2 * DAY);
    await asksForCode(deviceToken);
  });
});
