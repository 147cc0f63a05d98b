import { readFileSync } from 'node:fs';
import * as argon2 from '@node-rs/argon2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PasswordHasher } from '../../src/main/engine/passwords/password-hasher.js';
import { failure } from '../support/errors.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

// A pass-through, so every argon2id call the engine makes can be counted while it still does the real work.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, hash: vi.fn(real.hash), verify: vi.fn(real.verify) };
});

/** `$argon2id$v=19$m=…,t=…,p=…`: the algorithm and cost part of a PHC string. */
const costOf = (phc: string): string => phc.split('$').slice(0, 4).join('$');

describe('sign-in', () => {
  let v: VaultWithAdmin;
  beforeEach(async () => {
    v = await openVaultWithAdmin();
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await v.vault.dispose();
  });

  const attempt = (username: string, password: string) => () => v.engine.signIn.withPassword({ username, password, client: cliClient() });

  it('starts a session for the right password and audits the success', async () => {
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(alice.caller).toMatchObject({ username: 'alice', role: 'user' });
    expect(alice.started.session).toMatchObject({ username: 'alice', assurance: 'password', host: 'cli', active: true });
    expect(alice.started.refreshToken).toBeNull();
    const succeeded = auditEvents(v.engine, 'signin.succeeded').at(-1);
    expect(succeeded).toMatchObject({ target: { name: 'alice' }, sessionId: alice.started.session.id, outcome: 'success' });
  });

  it('finds the account whatever the case or compatibility form of the name typed', async () => {
    await expect(signIn(v.engine, ' ALICE ', PASSWORDS.alice)).resolves.toBeDefined();
    await expect(signIn(v.engine, 'ａｌｉｃｅ', PASSWORDS.alice)).resolves.toBeDefined();
  });

  it('answers an unknown name and a wrong password with the same error and message', async () => {
    const unknown = await failure(attempt('nobody', PASSWORDS.alice), 'INVALID_CREDENTIALS');
    const wrong = await failure(attempt('alice', PASSWORDS.bob), 'INVALID_CREDENTIALS');
    const malformed = await failure(attempt('no such name!', PASSWORDS.alice), 'INVALID_CREDENTIALS');
    expect(unknown.toInfo()).toEqual(wrong.toInfo());
    expect(malformed.toInfo()).toEqual(wrong.toInfo());
    expect(wrong.details).toBeUndefined();
  });

  it('records why a sign-in failed in the audit log, though the caller is not told', async () => {
    await failure(attempt('nobody', PASSWORDS.alice));
    await failure(attempt('alice', PASSWORDS.bob));
    const reasons = auditEvents(v.engine, 'signin.failed').map((event) => [event.target?.name, event.reason]);
    expect(reasons).toEqual([
      [expect.stringMatching(/^unknown name #[0-9a-f]{12}$/), 'unknown_account'],
      ['alice', 'wrong_password'],
    ]);
  });

  it('keeps no trace of a name that has no account, in case it was a password typed in the wrong field', async () => {
    const typedInNameField = 'pink-elephant-sings-at-dawn';
    await failure(attempt(typedInNameField, PASSWORDS.alice));
    await failure(attempt(typedInNameField, PASSWORDS.alice));
    const raw = readFileSync(v.vault.path);
    expect(raw.includes(Buffer.from(typedInNameField))).toBe(false);
    const [first, second] = auditEvents(v.engine, 'signin.failed').map((event) => event.target?.name);
    expect(first).toBe(second);
  });

  it('spends one argon2id verification at the current cost on an unknown name, as on a wrong password', async () => {
    const hash = vi.mocked(argon2.hash);
    const verify = vi.mocked(argon2.verify);
    const verifyNothing = vi.spyOn(PasswordHasher.prototype, 'verifyNothing');
    const stored = v.engine.accounts.find('alice').password_hash;
    hash.mockClear();
    verify.mockClear();

    // The first unknown name of a freshly opened engine is the one most exposed to timing: it must
    // not pay for building anything on top of the one verification.
    await failure(attempt('nobody', PASSWORDS.alice), 'INVALID_CREDENTIALS');
    expect(verifyNothing).toHaveBeenCalledTimes(1);
    expect(hash).not.toHaveBeenCalled();
    expect(verify).toHaveBeenCalledTimes(1);
    const dummy = verify.mock.calls[0]?.[0];
    expect(typeof dummy).toBe('string');
    expect(costOf(dummy as string)).toBe(costOf(stored));

    hash.mockClear();
    verify.mockClear();
    await failure(attempt('alice', PASSWORDS.bob), 'INVALID_CREDENTIALS');
    expect(hash).not.toHaveBeenCalled();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0]).toBe(stored);
    expect(verifyNothing).toHaveBeenCalledTimes(1);
  });

  it('spends the same verification on a name that is not even valid', async () => {
    const verify = vi.mocked(argon2.verify);
    verify.mockClear();
    await failure(attempt('x'.repeat(300), PASSWORDS.alice), 'INVALID_CREDENTIALS');
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('answers ACCOUNT_DISABLED only to the right password of a disabled account', async () => {
    v.engine.accounts.disable(v.admin.caller, 'alice');
    await failure(attempt('alice', PASSWORDS.alice), 'ACCOUNT_DISABLED');
    await failure(attempt('alice', PASSWORDS.bob), 'INVALID_CREDENTIALS');
  });

  it('clears the failure count after a successful sign-in', async () => {
    for (let i = 0; i < 3; i += 1) await failure(attempt('alice', PASSWORDS.bob), 'INVALID_CREDENTIALS');
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(3);
    await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(0);
  });
});
