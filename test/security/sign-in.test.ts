import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, MINUTE, SECOND } from '../../src/main/engine/clock.js';
import { createRouter, newConnection } from '../../src/main/ipc/router.js';
import type { ClientInfo } from '../../src/shared/client.js';
import type { LatchkeyError } from '../../src/shared/errors.js';
import type { Result } from '../../src/shared/result.js';
import type { ChallengeView } from '../../src/shared/views.js';
import { failure } from '../support/errors.js';
import { passwordStep, wrongCode } from '../support/mfa.js';
import { vaultBytes } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';
import { oathtoolCode, requireWitnesses } from '../support/witnesses.js';
import { TOTP_STEP, column, enrolWithOathtool, sha256, signInWithOathtool, type Enrolled } from './kit.js';

/**
 * security-parameters.md, "Sign-in and lockout", checked as an auditor would: through the engine's
 * sign-in (and, for what a host keeps, the router the desktop app uses), with an injected clock
 * moved to each boundary, codes from oathtool, and the vault file read directly.
 */

let v: VaultWithAdmin;
let alice: SignedIn;
beforeAll(() => requireWitnesses());
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const clock = () => v.vault.clock;
const path = (): string => v.vault.path;
const sessionsOf = (accountId: string): number =>
  column<number>(path(), 'SELECT count(*) FROM sessions WHERE account_id = ?', accountId)[0] ?? -1;
const attempt = (password: string, options: { username?: string; deviceToken?: string } = {}) =>
  v.engine.signIn.withPassword({
    username: options.username ?? 'alice',
    password,
    client: cliClient(),
    ...(options.deviceToken === undefined ? {} : { deviceToken: options.deviceToken }),
  });
const WRONG = 'not alice’s password at all';

describe('Sign-in and lockout › MFA challenge: valid 5 minutes, at most 5 code attempts, single use; no session until the second factor passes', () => {
  let enrolled: Enrolled;
  beforeEach(async () => {
    enrolled = await enrolWithOathtool(v.engine, clock(), alice.caller);
  });

  const answer = (challenge: ChallengeView, code: string) =>
    v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code });
  const currentCode = (): string => oathtoolCode(enrolled.secret, { at: clock().now() });

  it('starts no session at the password step; answers a challenge 1 ms before its 5 minutes, and refuses one at 5 minutes', async () => {
    const before = sessionsOf(alice.caller.accountId);
    const first = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    expect(first.expiresAt - clock().now()).toBe(5 * MINUTE);
    expect(sessionsOf(alice.caller.accountId)).toBe(before);
    clock().advance(5 * MINUTE - 1);
    expect(answer(first, currentCode()).session.assurance).toBe('two_factor');

    const second = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    clock().advance(5 * MINUTE);
    await failure(() => answer(second, currentCode()), 'CHALLENGE_INVALID');
  });

  it('lets the fifth attempt be the right code, and refuses the right code after five wrong ones', async () => {
    const first = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    clock().advance(TOTP_STEP);
    for (let i = 1; i <= 4; i += 1) {
      const error = await failure(() => answer(first, wrongCode(enrolled.secret, clock().now())), 'CODE_INVALID');
      expect(error.details).toMatchObject({ attemptsLeft: 5 - i });
    }
    answer(first, currentCode());

    const second = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    clock().advance(TOTP_STEP);
    for (let i = 1; i <= 5; i += 1) await failure(() => answer(second, wrongCode(enrolled.secret, clock().now())), 'CODE_INVALID');
    // Past the lockout's delay after five failures, so only the challenge's own limit is in play.
    clock().advance(2 * SECOND);
    await failure(() => answer(second, currentCode()), 'CHALLENGE_INVALID');
  });

  it('is single use: a challenge that started a session is refused with the next valid code', async () => {
    const challenge = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    clock().advance(TOTP_STEP);
    answer(challenge, currentCode());
    clock().advance(TOTP_STEP);
    await failure(() => answer(challenge, currentCode()), 'CHALLENGE_INVALID');
  });
});

describe('Sign-in and lockout › failed attempts: after 5 a delay of 1, 2, 4 … s capped at 15 min; after 20 a lock for 1 hour or until an admin unlocks; kept in the vault; audited', () => {
  const refused = (password = PASSWORDS.alice): Promise<LatchkeyError> => failure(() => attempt(password), 'LOCKED_OUT');
  const fail = (): Promise<LatchkeyError> => failure(() => attempt(WRONG), 'INVALID_CREDENTIALS');

  /** Fails `count` times, each time as soon as the delay allows. */
  async function failAsSoonAsAllowed(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      clock().advance(15 * MINUTE);
      await fail();
    }
  }

  it('checks each attempt at once up to the 5th failure, then waits 1 s, doubling to 15 min, to the millisecond; the 20th locks for 60 min', async () => {
    for (let i = 0; i < 4; i += 1) await fail();
    const waits: number[] = [];
    for (let failures = 5; failures <= 19; failures += 1) {
      await fail();
      const { retryAt, retryAfterSeconds, locked } = (await refused()).details as {
        retryAt: number;
        retryAfterSeconds: number;
        locked: boolean;
      };
      expect(locked).toBe(false);
      expect(retryAt - clock().now()).toBe(retryAfterSeconds * SECOND);
      waits.push(retryAfterSeconds);
      clock().set(retryAt - 1);
      await refused();
      clock().set(retryAt);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900]);

    await fail();
    const lock = (await refused()).details as { retryAt: number; locked: boolean };
    expect(lock.locked).toBe(true);
    expect(lock.retryAt - clock().now()).toBe(60 * MINUTE);
    clock().set(lock.retryAt - 1);
    expect(((await refused()).details as { locked: boolean }).locked).toBe(true);
    clock().set(lock.retryAt);
    await signIn(v.engine, 'alice', PASSWORDS.alice);
  });

  it('keeps the lock in the vault for another engine on the file, audits it once, and lets an admin unlock it, audited', async () => {
    await failAsSoonAsAllowed(20);
    const other = await v.vault.open({ hashParameters: QUICK_HASH });
    const error = await failure(
      () => other.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient() }),
      'LOCKED_OUT',
    );
    expect(error.details).toMatchObject({ locked: true });
    const admin = (await signIn(other, 'admin', PASSWORDS.admin)).caller;
    other.accounts.unlock(admin, 'alice');
    await signIn(other, 'alice', PASSWORDS.alice);
    expect(column(path(), "SELECT type FROM audit_events WHERE type IN ('account.locked', 'account.unlocked') ORDER BY seq")).toEqual([
      'account.locked',
      'account.unlocked',
    ]);
  });
});

describe('Sign-in and lockout › responses: the same error for "no such account" and "wrong password"', () => {
  it('answers an unknown name, a name that cannot exist and a wrong password word for word alike, and keeps no unknown name in the file', async () => {
    const answers = [];
    for (const username of ['nobody-here', 'not a valid name!', 'alice']) {
      const error = await failure(() => attempt(WRONG, { username }));
      answers.push({ code: error.code, message: error.message, details: error.details });
    }
    expect(answers[0]).toEqual({ code: 'INVALID_CREDENTIALS', message: expect.any(String), details: undefined });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Each is counted the same way, under a keyed digest of the name.
    expect(column(path(), 'SELECT failures FROM sign_in_failures')).toEqual([1, 1, 1]);
    const bytes = vaultBytes(path());
    expect(bytes.includes(Buffer.from('nobody-here'))).toBe(false);
    expect(bytes.includes(Buffer.from('not a valid name!'))).toBe(false);
  });
});

describe('Sign-in and lockout › trusted device: 30 days on that device only; its token in the keychain, its hash in the vault; voided by revocation, MFA off, a password change', () => {
  let enrolled: Enrolled;
  beforeEach(async () => {
    enrolled = await enrolWithOathtool(v.engine, clock(), alice.caller);
  });

  async function trustADevice(device: string): Promise<{ token: string; caller: SignedIn['caller'] }> {
    const signedIn = await signInWithOathtool(v.engine, clock(), 'alice', PASSWORDS.alice, enrolled.secret, { trustDevice: true, device });
    if (signedIn.deviceToken === null) throw new Error('no device token was given');
    return { token: signedIn.deviceToken, caller: signedIn.caller };
  }
  const skipsTheCode = async (deviceToken: string, password: string = PASSWORDS.alice): Promise<boolean> => {
    try {
      const started = await attempt(password, { deviceToken });
      expect(started.session.assurance).toBe('trusted_device');
      return true;
    } catch (error) {
      if ((error as LatchkeyError).code !== 'MFA_REQUIRED') throw error;
      return false;
    }
  };

  it('skips the code, as a single-factor trusted_device sign-in, until 1 ms before 30 days and not at 30 days; the vault holds only the SHA-256', async () => {
    const { token } = await trustADevice('laptop');
    const trustedAt = clock().now();
    expect(column<Buffer>(path(), 'SELECT token_hash FROM trusted_devices')).toEqual([sha256(token)]);
    expect(vaultBytes(path()).includes(Buffer.from(token))).toBe(false);
    clock().set(trustedAt + 30 * DAY - 1);
    expect(await skipsTheCode(token)).toBe(true);
    clock().set(trustedAt + 30 * DAY);
    expect(await skipsTheCode(token)).toBe(false);
  });

  it('voids one device when it is revoked, every device when the password changes, and every device when TOTP is turned off', async () => {
    const laptop = await trustADevice('laptop');
    const desktop = await trustADevice('desktop');
    const id = v.engine.trustedDevices.list(desktop.caller).find((device) => device.deviceName === 'laptop')?.id ?? '';
    v.engine.trustedDevices.revoke(desktop.caller, id);
    expect(await skipsTheCode(laptop.token)).toBe(false);
    expect(await skipsTheCode(desktop.token)).toBe(true);

    await v.engine.accounts.changeOwnPassword(desktop.caller, PASSWORDS.alice, PASSWORDS.next);
    expect(await skipsTheCode(desktop.token, PASSWORDS.next)).toBe(false);
    expect(column(path(), 'SELECT count(*) FROM trusted_devices WHERE revoked_at IS NULL')).toEqual([0]);
    const after = await signInWithOathtool(v.engine, clock(), 'alice', PASSWORDS.next, enrolled.secret);

    const tablet = await signInWithOathtool(v.engine, clock(), 'alice', PASSWORDS.next, enrolled.secret, {
      trustDevice: true,
      device: 'tablet',
    });
    clock().advance(TOTP_STEP);
    await v.engine.mfa.disableTotp(after.caller, PASSWORDS.next, {
      factor: 'totp',
      code: oathtoolCode(enrolled.secret, { at: clock().now() }),
    });
    await enrolWithOathtool(v.engine, clock(), after.caller);
    expect(await skipsTheCode(tablet.deviceToken ?? '', PASSWORDS.next)).toBe(false);
  });

  /** The app's router, as the desktop app has it, and a sign-in through it that trusts the device. */
  async function trustThroughTheApp(): Promise<{
    call: (channel: string, input: unknown) => Promise<Result<unknown>>;
    answers: Result<unknown>[];
  }> {
    const desktop: ClientInfo = { host: 'desktop', deviceName: 'workstation', osUser: 'tester', ip: null, userAgent: 'Latchkey/test' };
    const router = createRouter({ engine: v.engine, version: 'test', kind: 'desktop', osUser: 'tester' });
    const window = newConnection(desktop);
    const answers: Result<unknown>[] = [];
    const call = async (channel: string, input: unknown): Promise<Result<unknown>> => {
      const result = await router.route(window, channel, input);
      answers.push(result);
      return result;
    };
    const step = await call('auth.signIn', { username: 'alice', password: PASSWORDS.alice });
    if (step.ok || step.error.code !== 'MFA_REQUIRED' || step.error.details === undefined)
      throw new Error('expected the password step to ask for a code');
    clock().advance(TOTP_STEP);
    const signedIn = await call('auth.answerChallenge', {
      challengeId: step.error.details.challengeId,
      factor: 'totp',
      code: oathtoolCode(enrolled.secret, { at: clock().now() }),
      trustDevice: true,
    });
    expect(signedIn.ok).toBe(true);
    return { call, answers };
  }
  const keptByTheApp = (): Promise<string | null> => v.vault.keychain.get(`device:${v.engine.vaultId}:tester:alice`);

  it('keeps the device token in the keychain of the app that asked, never in an answer to its window', async () => {
    const { answers } = await trustThroughTheApp();
    const kept = await keptByTheApp();
    expect(kept).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(column<Buffer>(path(), 'SELECT token_hash FROM trusted_devices')).toEqual([sha256(kept ?? '')]);
    expect(JSON.stringify(answers)).not.toContain(kept);
  });

  it("drops a kept device token from the app's keychain once it no longer skips the code, as the CLI does", async () => {
    const { call } = await trustThroughTheApp();
    const [device] = v.engine.trustedDevices.list(alice.caller);
    v.engine.trustedDevices.revoke(alice.caller, device?.id ?? '');
    const again = await call('auth.signIn', { username: 'alice', password: PASSWORDS.alice });
    expect(again.ok ? 'signed in' : again.error.code).toBe('MFA_REQUIRED');
    expect(await keptByTheApp()).toBeNull();
  });

  it('keeps the device token through a wrong password, which says nothing about the device', async () => {
    const { call } = await trustThroughTheApp();
    const kept = await keptByTheApp();
    const wrong = await call('auth.signIn', { username: 'alice', password: WRONG });
    expect(wrong.ok ? 'signed in' : wrong.error.code).toBe('INVALID_CREDENTIALS');
    expect(await keptByTheApp()).toBe(kept);
  });
});

describe('Sign-in and lockout › admin-enforced MFA: policy requires MFA for all accounts or for admins; who lacks it enrolls right after the password', () => {
  it('with "admins", sends an admin without TOTP into enrollment with no session, and lets a user in with the password', async () => {
    v.engine.policy.set(v.admin.caller, 'mfa.required', 'admins');
    const before = sessionsOf(v.admin.caller.accountId);
    await passwordStep(v.engine, 'admin', PASSWORDS.admin, { expect: 'MFA_ENROLLMENT_REQUIRED' });
    expect(sessionsOf(v.admin.caller.accountId)).toBe(before);
    expect((await attempt(PASSWORDS.alice)).session.assurance).toBe('password');
  });

  it('with "all", sends a user into enrollment, which a code from oathtool completes with a two-factor session', async () => {
    v.engine.policy.set(v.admin.caller, 'mfa.required', 'all');
    const challenge = await passwordStep(v.engine, 'alice', PASSWORDS.alice, { expect: 'MFA_ENROLLMENT_REQUIRED' });
    const { secret } = await v.engine.signIn.beginEnrollment(challenge.challengeId);
    const signedIn = v.engine.signIn.confirmEnrollment(challenge.challengeId, oathtoolCode(secret, { at: clock().now() }));
    expect(signedIn.session.assurance).toBe('two_factor');
    expect(signedIn.backupCodes).toHaveLength(10);
  });
});
