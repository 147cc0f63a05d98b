import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../../src/main/engine/clock.js';
import type { Authenticator } from '../../support/mfa.js';
import { enableTotp, passwordStep, signInWithCode, wrongCode } from '../../support/mfa.js';
import { AUDITOR } from '../../support/auditor.js';
import { failure } from '../../support/errors.js';
import { addAccount, auditEvents, openVaultWithAdmin, QUICK_HASH, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { cliClient } from '../../support/temp-vault.js';

let setup: VaultWithAdmin;
afterEach(() => setup?.vault.dispose());

interface Person {
  readonly name: string;
  readonly password: string;
  readonly devices: readonly string[];
  authenticator: Authenticator | null;
}

describe('ordinary use', () => {
  it('a day of normal sign-ins for 50 accounts raises no alert', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin, vault } = setup;
    const clock = vault.clock;
    const people: Person[] = [];
    for (let i = 0; i < 50; i += 1) {
      const name = `user${String(i).padStart(2, '0')}`;
      const password = `violet harbour lantern tide ${i * 7919}`;
      await addAccount(engine, admin.caller, name, password);
      // A third of them use a second machine as well.
      people.push({ name, password, devices: i % 3 === 0 ? [`laptop-${i}`, `desk-${i}`] : [`laptop-${i}`], authenticator: null });
    }

    // The day before: each person signs in at each of their machines, and every fifth turns TOTP on.
    for (const [i, person] of people.entries()) {
      for (const device of person.devices) {
        clock.advance(MINUTE);
        const caller =
          person.authenticator === null
            ? (await signIn(engine, person.name, person.password, { device })).caller
            : engine.sessions.validate(
                (await signInWithCode(engine, clock, person.name, person.password, person.authenticator, { device })).token,
              );
        if (i % 5 === 0 && person.authenticator === null) person.authenticator = await enableTotp(engine, clock, caller);
        engine.signIn.signOut(caller);
      }
    }
    const dayStart = (Math.floor(clock.now() / DAY) + 1) * DAY + 8 * HOUR;
    clock.set(dayStart);

    // The day: three sittings each, at their own machines, a mistyped password here and there,
    // a wrong code once, sessions mostly signed out and some left to time out.
    for (let sitting = 0; sitting < 3; sitting += 1) {
      for (const [i, person] of people.entries()) {
        clock.advance(3 * MINUTE);
        const device = person.devices[(i + sitting) % person.devices.length] ?? '';
        if ((i + sitting) % 7 === 0) {
          await failure(() =>
            engine.signIn.withPassword({ username: person.name, password: `${person.password}x`, client: cliClient(device) }),
          );
        }
        let caller;
        if (person.authenticator === null) {
          caller = (await signIn(engine, person.name, person.password, { device })).caller;
        } else {
          if (i === 10 && sitting === 1) {
            const challenge = await passwordStep(engine, person.name, person.password, { device });
            const code = wrongCode(person.authenticator.secret, clock.now());
            await failure(() => engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code }), 'CODE_INVALID');
          }
          const started = await signInWithCode(engine, clock, person.name, person.password, person.authenticator, { device });
          caller = engine.sessions.validate(started.token);
        }
        if (i % 4 !== 0) engine.signIn.signOut(caller);
      }
    }

    const failures = auditEvents(engine, 'signin.failed').filter((event) => event.at >= dayStart);
    const wrongCodes = auditEvents(engine, 'mfa.challenge_failed').filter((event) => event.at >= dayStart);
    expect(failures.length).toBeGreaterThanOrEqual(20);
    expect(wrongCodes).toHaveLength(1);
    expect(auditEvents(engine, 'signin.succeeded').filter((event) => event.at >= dayStart)).toHaveLength(150);
    expect(engine.alerts.list(AUDITOR).filter((alert) => alert.firstSeenAt >= dayStart)).toEqual([]);
    // The day before raised only what a first sign-in at a second machine is: news, not a threat.
    expect(new Set(engine.alerts.list(AUDITOR).map((alert) => alert.kind))).toEqual(new Set(['new_device']));
  });
});
