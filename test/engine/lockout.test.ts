import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/main/engine/clock.js';
import type { ErrorInfo, LatchkeyError } from '../../src/shared/errors.js';
import { failure } from '../support/errors.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const attempt = (username: string, password: string) => () => v.engine.signIn.withPassword({ username, password, client: cliClient() });
const wrong = (username = 'alice'): Promise<LatchkeyError> => failure(attempt(username, PASSWORDS.bob), 'INVALID_CREDENTIALS');
const refused = async (username = 'alice', password: string = PASSWORDS.alice): Promise<LatchkeyError<'LOCKED_OUT'>> =>
  failure(attempt(username, password), 'LOCKED_OUT');

/** Fails `count` times, waiting out each delay as a patient attacker would (the longest is 15 minutes). */
async function failPatiently(count: number, username = 'alice'): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    v.vault.clock.advance(15 * MINUTE);
    await wrong(username);
  }
}

/** The admin's first session has long idled out by the time a lock is tested. */
const freshAdmin = async () => (await signIn(v.engine, 'admin', PASSWORDS.admin)).caller;

describe('lockout', () => {
  it('lets four wrong passwords pass without a delay', async () => {
    for (let i = 0; i < 4; i += 1) await wrong();
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('answers LOCKED_OUT with retryAfterSeconds to an attempt within 1 s of the fifth failure, even with the right password', async () => {
    for (let i = 0; i < 5; i += 1) await wrong();
    const error = await refused();
    expect(error.details).toMatchObject({ retryAfterSeconds: 1, locked: false });
    v.vault.clock.advance(999);
    await refused();
    v.vault.clock.advance(1);
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('doubles the delay with each further failure, up to 15 minutes', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) await wrong();
    for (let failures = 5; failures < 19; failures += 1) {
      const seconds = (await refused()).details?.retryAfterSeconds ?? 0;
      delays.push(seconds);
      v.vault.clock.advance(seconds * SECOND - 1);
      await refused();
      v.vault.clock.advance(1);
      await wrong();
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]);
  });

  it('does not count a refused attempt as a failure', async () => {
    for (let i = 0; i < 5; i += 1) await wrong();
    for (let i = 0; i < 10; i += 1) await refused('alice', PASSWORDS.bob);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(5);
  });

  it('locks the account after 20 failures for an hour, and audits the lock once', async () => {
    await failPatiently(20);
    const error = await refused();
    expect(error.details).toMatchObject({ locked: true, retryAfterSeconds: 60 * 60 });
    expect(auditEvents(v.engine, 'account.locked')).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ name: 'alice' }), reason: 'too_many_failures' }),
    ]);
    const view = v.engine.accounts.show(await freshAdmin(), 'alice');
    expect(view.failedSignIns).toBe(20);
    expect(view.lockedUntil).toBe(v.vault.clock.now() + 60 * MINUTE);
  });

  it('keeps the lock when the vault is closed and opened again', async () => {
    await failPatiently(20);
    v.engine.close();
    const reopened = await v.vault.open({ hashParameters: QUICK_HASH });
    const error = await failure(
      () => reopened.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient() }),
      'LOCKED_OUT',
    );
    expect(error.details).toMatchObject({ locked: true });
  });

  it('lets an admin unlock the account, and audits the unlock', async () => {
    await failPatiently(20);
    const admin = await freshAdmin();
    const view = v.engine.accounts.unlock(admin, 'alice');
    expect(view).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect(auditEvents(v.engine, 'account.unlocked')).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ name: 'admin' }), details: { failures: 20, wasLocked: true } }),
    ]);
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('lets only an admin unlock', async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await signIn(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => v.engine.accounts.unlock(bob.caller, 'alice'), 'NOT_AUTHORISED');
  });

  it('ends the lock by itself after 60 minutes, and counts afresh', async () => {
    await failPatiently(20);
    v.vault.clock.advance(60 * MINUTE - 1);
    await refused();
    v.vault.clock.advance(1);
    await wrong();
    expect(v.engine.accounts.show(await freshAdmin(), 'alice').failedSignIns).toBe(1);
    await expect(signIn(v.engine, 'alice', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('throttles and locks an unknown name exactly as it does a known one', async () => {
    const known: ErrorInfo<'LOCKED_OUT' | 'INVALID_CREDENTIALS'>[] = [];
    const unknown: ErrorInfo<'LOCKED_OUT' | 'INVALID_CREDENTIALS'>[] = [];
    const record = async (name: string, into: ErrorInfo[]): Promise<void> => {
      into.push((await failure(attempt(name, PASSWORDS.bob))).toInfo());
    };
    for (let round = 0; round < 100 && known.at(-1)?.details?.locked !== true; round += 1) {
      await record('alice', known);
      await record('ghost', unknown);
      // Mostly wait out the delay, sometimes retry at once, so both kinds of answer are compared.
      v.vault.clock.advance(round % 3 === 0 ? 0 : 15 * MINUTE);
    }
    expect(unknown).toEqual(known);
    expect(unknown.at(-1)).toMatchObject({ code: 'LOCKED_OUT', details: { locked: true } });
    expect(new Set(known.map((answer) => answer.code))).toEqual(new Set(['INVALID_CREDENTIALS', 'LOCKED_OUT']));
  });

  it('resets the count when an admin resets the password', async () => {
    for (let i = 0; i < 5; i += 1) await wrong();
    await v.engine.accounts.resetPassword(v.admin.caller, 'alice', PASSWORDS.next);
    await expect(signIn(v.engine, 'alice', PASSWORDS.next)).resolves.toBeDefined();
  });

  it('audits a refused attempt as a failed sign-in', async () => {
    for (let i = 0; i < 5; i += 1) await wrong();
    await refused();
    expect(auditEvents(v.engine, 'signin.failed').at(-1)).toMatchObject({ reason: 'locked_out' });
  });

  it('throttles wrong current passwords on a password change like failed sign-ins', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    for (let i = 0; i < 5; i += 1) {
      await failure(() => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.bob, PASSWORDS.next), 'INVALID_CREDENTIALS');
    }
    await failure(() => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, PASSWORDS.next), 'LOCKED_OUT');
    v.vault.clock.advance(SECOND);
    await v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, PASSWORDS.next);
  });
});
