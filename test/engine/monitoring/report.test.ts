import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../../src/main/engine/caller.js';
import { DAY, HOUR, MINUTE } from '../../../src/main/engine/clock.js';
import type { Engine } from '../../../src/main/engine/engine.js';
import type { ManualClock } from '../../../src/main/engine/clock.js';
import { AUDITOR } from '../../support/auditor.js';
import { failure } from '../../support/errors.js';
import { type Authenticator, codeAt, passwordStep, signInWithCode, wrongCode } from '../../support/mfa.js';
import { addAccount, openVaultWithAdmin, QUICK_HASH, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { cliClient, PASSWORDS } from '../../support/temp-vault.js';

let setup: VaultWithAdmin;
afterEach(() => setup?.vault.dispose());

const PASSWORD = {
  alice: PASSWORDS.alice,
  bob: PASSWORDS.bob,
  carol: 'copper lantern under quiet snow',
  dave: 'seven patient herons at dawn',
} as const;

/** TOTP turned on `tookMs` after setup began. */
async function enableTotpTaking(engine: Engine, clock: ManualClock, caller: Caller, tookMs: number): Promise<Authenticator> {
  const started = await engine.mfa.beginTotp(caller);
  clock.advance(tookMs);
  const { backupCodes } = engine.mfa.confirmTotp(caller, codeAt(started.secret, clock.now()));
  return { secret: started.secret, backupCodes };
}

const wrongPassword = (engine: Engine, username: string): Promise<unknown> =>
  failure(() => engine.signIn.withPassword({ username, password: 'not the password at all', client: cliClient() }));

describe('the security report', () => {
  it('gives the figures of a vault whose contents are known', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin, vault } = setup;
    const clock = vault.clock;
    for (const name of ['alice', 'bob', 'carol', 'dave'] as const) await addAccount(engine, admin.caller, name, PASSWORD[name]);
    // Day 0: three people turn TOTP on, in 2, 4 and 1 minutes.
    const authenticators: Record<string, Authenticator> = {};
    for (const [name, took] of [
      ['alice', 2 * MINUTE],
      ['bob', 4 * MINUTE],
      ['dave', 1 * MINUTE],
    ] as const) {
      const signedIn = await signIn(engine, name, PASSWORD[name]);
      authenticators[name] = await enableTotpTaking(engine, clock, signedIn.caller, took);
      engine.signIn.signOut(signedIn.caller);
    }

    // Day 1, fifteen days later.
    const day1 = (Math.floor(clock.now() / DAY) + 15) * DAY;
    clock.set(day1 + 10 * HOUR);
    await wrongPassword(engine, 'alice');
    clock.advance(MINUTE);
    await wrongPassword(engine, 'alice');
    clock.advance(MINUTE);
    const alice = await signInWithCode(engine, clock, 'alice', PASSWORD.alice, authenticators['alice'] as Authenticator, {
      device: 'phone',
    });
    const challenge = await passwordStep(engine, 'bob', PASSWORD.bob);
    await failure(() =>
      engine.signIn.answer({
        challengeId: challenge.challengeId,
        factor: 'totp',
        code: wrongCode(authenticators['bob']?.secret ?? '', clock.now()),
      }),
    );
    const bob = await signInWithCode(engine, clock, 'bob', PASSWORD.bob, authenticators['bob'] as Authenticator);
    const carol = await signIn(engine, 'carol', PASSWORD.carol);
    const startedAt = clock.now();
    await signIn(engine, 'carol', PASSWORD.carol);
    await wrongPassword(engine, 'mallory');
    clock.set(startedAt + 10 * MINUTE);
    engine.signIn.signOut(engine.sessions.validate(bob.token));
    clock.set(startedAt + 20 * MINUTE);
    engine.signIn.signOut(carol.caller);
    clock.set(startedAt + 29 * MINUTE);
    engine.signIn.signOut(engine.sessions.validate(alice.token));

    // Day 2: carol is locked out by a strict policy.
    clock.set(day1 + DAY + 9 * HOUR);
    engine.policy.set(admin.caller, 'lockout.delayAfterFailures', '1');
    engine.policy.set(admin.caller, 'lockout.lockAfterFailures', '2');
    await wrongPassword(engine, 'carol');
    clock.advance(MINUTE);
    await wrongPassword(engine, 'carol');

    const week = engine.reports.report(AUDITOR, 7);
    expect(week.days).toHaveLength(7);
    expect(week.from).toBe(day1 - 5 * DAY);
    const [first, second] = week.days.slice(5);
    expect(week.days.slice(0, 5).every((day) => day.activeSessions === 0 && Object.keys(day.signIns).length === 0)).toBe(true);
    expect(first).toEqual({
      start: day1,
      signIns: { two_factor: 2, password: 2 },
      failures: { wrong_password: 2, unknown_account: 1 },
      activeSessions: 4,
      sessionsStarted: 4,
      lockouts: 0,
      mfaVerifications: { succeeded: 2, failed: 1 },
    });
    expect(second).toMatchObject({ signIns: {}, failures: { wrong_password: 2 }, lockouts: 1, activeSessions: 0 });
    expect(week.totals).toEqual({ signIns: 4, failures: 5, lockouts: 1, sessionsStarted: 4 });
    // Sessions of 10, 20 and 29 minutes ended (a fourth is still open).
    expect(week.medianSessionMs).toBe(20 * MINUTE);
    expect(week.mfaVerification).toEqual({ succeeded: 2, failed: 1, rate: 2 / 3, target: 0.95 });
    expect(week.totpSetup).toEqual({ confirmed: 0, medianMs: null, targetMs: 5 * MINUTE });
    // admin, alice, bob, carol, dave are active; alice, bob and dave have TOTP.
    expect(week.mfaAdoption).toEqual({ withSecondFactor: 3, activeAccounts: 5, rate: 0.6, target: 0.8 });
    // Every account signed in at the test's device; alice also at her phone.
    expect(week.devicesPerAccount).toEqual({ accounts: 5, median: 1, max: 2 });
    expect(week.unresolvedAlerts).toEqual({ info: 1, warning: 0, high: 0, critical: 0 });

    const month = engine.reports.report(AUDITOR, 30);
    expect(month.totpSetup).toEqual({ confirmed: 3, medianMs: 2 * MINUTE, targetMs: 5 * MINUTE });
    expect(month.totals.signIns).toBe(4 + 4);
    // The setup sessions lasted as long as their setups: 1, 2, 4 minutes, then 10, 20, 29.
    expect(month.medianSessionMs).toBe(4 * MINUTE);
  });

  it('covers 7, 30 or 90 days only', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    expect(setup.engine.reports.report(AUDITOR, 90).days).toHaveLength(90);
    await failure(() => setup.engine.reports.report(AUDITOR, 14), 'INVALID_INPUT');
  });
});
