import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SECOND } from '../../src/main/engine/clock.js';
import { CHECK_LEASE } from '../../src/main/engine/lockout/lockout.js';
import type { Engine } from '../../src/main/engine/engine.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { failure } from '../support/errors.js';
import { enableTotp } from '../support/mfa.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

/**
 * Attempts in flight at the same time: each must be counted before its password is checked, so a
 * burst gets no more checks than the same attempts one after another would.
 */
let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

/** Runs every attempt at once and returns the code each one ended with ('ok' for a success). */
async function burst(attempts: readonly (() => Promise<unknown>)[]): Promise<(ErrorCode | 'ok')[]> {
  const settled = await Promise.allSettled(attempts.map((attempt) => attempt()));
  return settled.map((outcome) => {
    if (outcome.status === 'fulfilled') return 'ok';
    const code = (outcome.reason as { code?: ErrorCode }).code;
    if (code === undefined) throw outcome.reason;
    return code;
  });
}

const count = (codes: readonly string[], code: string): number => codes.filter((c) => c === code).length;

function signInAttempt(engine: Engine, password: string): () => Promise<unknown> {
  return () => engine.signIn.withPassword({ username: 'alice', password, client: cliClient() });
}

describe('lockout under concurrent attempts', () => {
  it('checks one password at a time for a name, so a burst of 200 cannot reach the right password', async () => {
    const attempts = Array.from({ length: 200 }, (_, i) => signInAttempt(v.engine, i === 196 ? PASSWORDS.alice : PASSWORDS.bob));
    const codes = await burst(attempts);
    expect(codes[196]).toBe('LOCKED_OUT');
    expect(count(codes, 'ok')).toBe(0);
    expect(count(codes, 'INVALID_CREDENTIALS')).toBe(1);
    expect(count(codes, 'LOCKED_OUT')).toBe(199);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(1);
  });

  it('counts each checked attempt exactly once, so sequential bursts reach the delay at the fifth failure', async () => {
    const checked: number[] = [];
    for (let round = 0; round < 8; round += 1) {
      const codes = await burst(Array.from({ length: 10 }, () => signInAttempt(v.engine, PASSWORDS.bob)));
      checked.push(count(codes, 'INVALID_CREDENTIALS'));
    }
    // One check per burst until the fifth failure; then every attempt must wait its second.
    expect(checked).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(5);
    v.vault.clock.advance(SECOND);
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('holds across two connections to one vault file, as two processes would have', async () => {
    const other = await v.vault.open({ hashParameters: QUICK_HASH });
    const attempts = Array.from({ length: 100 }, (_, i) => signInAttempt(i % 2 === 0 ? v.engine : other, PASSWORDS.bob));
    const codes = await burst(attempts);
    expect(count(codes, 'INVALID_CREDENTIALS')).toBe(1);
    expect(other.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(1);
  });

  it('lets the right password in once the checks in flight have ended', async () => {
    await burst(Array.from({ length: 3 }, () => signInAttempt(v.engine, PASSWORDS.bob)));
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(0);
  });

  it('checks one guess at a time of the current password on a held session', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const guesses = Array.from(
      { length: 60 },
      (_, i) => () => v.engine.accounts.changeOwnPassword(alice.caller, i === 59 ? PASSWORDS.alice : PASSWORDS.bob, PASSWORDS.next),
    );
    const codes = await burst(guesses);
    expect(count(codes, 'INVALID_CREDENTIALS')).toBe(1);
    expect(codes[59]).toBe('LOCKED_OUT');
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('checks one guess at a time of the password that turns two-step sign-in off', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await enableTotp(v.engine, v.vault.clock, alice.caller);
    const guesses = Array.from(
      { length: 40 },
      () => () => v.engine.mfa.disableTotp(alice.caller, PASSWORDS.bob, { factor: 'totp', code: '000000' }),
    );
    const codes = await burst(guesses);
    expect(count(codes, 'INVALID_CREDENTIALS')).toBe(1);
    expect(count(codes, 'LOCKED_OUT')).toBe(39);
    expect(v.engine.mfa.status(alice.caller).state).toBe('ENABLED');
  });

  it('releases the check when the password is right but a second step follows', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await enableTotp(v.engine, v.vault.clock, alice.caller);
    await burst([signInAttempt(v.engine, PASSWORDS.alice)]);
    // The password step ended with MFA_REQUIRED: nothing is in flight and nothing was counted.
    const codes = await burst([signInAttempt(v.engine, PASSWORDS.bob)]);
    expect(codes).toEqual(['INVALID_CREDENTIALS']);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(1);
  });

  it('counts a check whose process died as a failure once its lease runs out, and never twice', async () => {
    const other = await v.vault.open({ hashParameters: QUICK_HASH });
    // The reservation commits before the comparison starts; this "process" then stalls past its lease.
    const stalled = failure(signInAttempt(v.engine, PASSWORDS.bob), 'INVALID_CREDENTIALS');
    v.vault.clock.advance(CHECK_LEASE);
    await failure(signInAttempt(other, PASSWORDS.bob), 'INVALID_CREDENTIALS');
    expect(other.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(2);
    await stalled;
    expect(other.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(2);
  });

  it('refuses a second attempt while a check is in flight, until its lease runs out', async () => {
    const other = await v.vault.open({ hashParameters: QUICK_HASH });
    const first = failure(signInAttempt(v.engine, PASSWORDS.bob), 'INVALID_CREDENTIALS');
    const busy = await failure(signInAttempt(other, PASSWORDS.alice), 'LOCKED_OUT');
    expect(busy.details).toMatchObject({ retryAfterSeconds: 1, locked: false });
    await first;
  });

  it('audits every attempt refused while another was in flight', async () => {
    await burst(Array.from({ length: 4 }, () => signInAttempt(v.engine, PASSWORDS.bob)));
    const refused = auditEvents(v.engine, 'signin.failed').filter((event) => event.reason === 'check_in_progress');
    expect(refused).toHaveLength(3);
  });
});
