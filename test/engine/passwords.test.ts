import * as argon2 from '@node-rs/argon2';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PasswordHasher } from '../../src/main/engine/passwords/password-hasher.js';
import { checkPasswordPolicy } from '../../src/main/engine/passwords/password-policy.js';
import { PASSWORD_LENGTH_RULE, PASSWORD_LIMITS, hasLostCharacter } from '../../src/shared/password-rules.js';
import { failure } from '../support/errors.js';
import { isLatchkeyError } from '../../src/shared/errors.js';
import { withRawVault } from '../support/raw-vault.js';
import { resealRows, rowSealOf } from '../support/row-seal.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient, createTempVault } from '../support/temp-vault.js';

// A pass-through, so the argon2id checks a sign-in makes can be counted while they still do the real work.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});

describe('password policy', () => {
  let v: VaultWithAdmin;
  beforeEach(async () => {
    v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  });
  afterEach(() => v.vault.dispose());

  async function rejectedRule(password: string, extra: { username?: string; email?: string } = {}): Promise<unknown> {
    const error = await failure(
      () => addAccount(v.engine, v.admin.caller, extra.username ?? 'carol', password, extra.email ? { email: extra.email } : {}),
      'PASSWORD_REJECTED',
    );
    return error.details?.rule;
  }

  it('refuses a password shorter than 15 characters for an account without a second factor', async () => {
    const error = await failure(() => addAccount(v.engine, v.admin.caller, 'carol', 'tangerine-dusk'), 'PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ rule: 'too_short', min: 15 });
    await expect(addAccount(v.engine, v.admin.caller, 'carol', 'tangerine-dusk!')).resolves.toMatchObject({ username: 'carol' });
  });

  it('enforces the same lengths that the forms state up front', () => {
    expect(PASSWORD_LENGTH_RULE).toBe('At least 15 characters; 8 once two-step sign-in is on.');
    const fourteen = 'tangerine-dusk';
    expect([...fourteen]).toHaveLength(PASSWORD_LIMITS.minWithoutSecondFactor - 1);
    expect(() => checkPasswordPolicy(fourteen, { username: 'carol', hasSecondFactor: false })).toThrow(
      /at least 15 characters long \(8 once/,
    );
    expect(() => checkPasswordPolicy(fourteen, { username: 'carol', hasSecondFactor: true })).not.toThrow();
  });

  it('refuses a password longer than 256 characters and accepts one of exactly 256', async () => {
    const long = 'pale lanterns drift over the harbour at dusk; '.repeat(6);
    const error = await failure(() => addAccount(v.engine, v.admin.caller, 'carol', long.slice(0, 257)), 'PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ rule: 'too_long', max: 256 });
    await expect(addAccount(v.engine, v.admin.caller, 'carol', long.slice(0, 256))).resolves.toMatchObject({ username: 'carol' });
  });

  it('counts length in characters, not UTF-16 units or bytes', async () => {
    // 15 astral-plane characters are 30 UTF-16 units and 60 bytes, and still a 15-character password.
    const emoji = '🍋🍊🍉🍇🍓🫐🍒🍑🥭🍍🥥🥝🍅🫒🥑';
    await expect(addAccount(v.engine, v.admin.caller, 'carol', emoji)).resolves.toMatchObject({ username: 'carol' });
    expect(await rejectedRule(emoji.slice(0, -2))).toBe('too_short');
  });

  it('refuses a common password, also with digits or symbols stuck on', async () => {
    expect(await rejectedRule('password1234567890')).toBe('common');
    expect(await rejectedRule('!!!baseball2024!!!')).toBe('common');
    expect(await rejectedRule('aaaaaaaaaaaaaaaaaaaa')).toBe('common');
  });

  it('refuses a password containing the account name', async () => {
    expect(await rejectedRule('my name is carol and I sail', { username: 'Carol' })).toBe('contains_name');
  });

  it('refuses a password containing the e-mail address or its local part', async () => {
    expect(await rejectedRule('mail me: wanderer.k@example.net now', { email: 'wanderer.k@example.net' })).toBe('contains_name');
    expect(await rejectedRule('WANDERER.K rides at midnight', { email: 'wanderer.k@example.net' })).toBe('contains_name');
  });

  it('refuses a password with control characters', async () => {
    expect(await rejectedRule('harbour lanterns\u0007glow')).toBe('control_character');
    expect(await rejectedRule('harbour lanterns\nglow softly')).toBe('control_character');
  });

  it('accepts every printable character and spaces, with no composition rules', async () => {
    await expect(addAccount(v.engine, v.admin.caller, 'carol', 'ünïcödé lånterns ∑ ✓ 灯笼')).resolves.toBeDefined();
  });

  it('applies the same rules when an admin resets a password and when users change their own', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const reset = await failure(() => v.engine.accounts.resetPassword(v.admin.caller, 'alice', 'short one'), 'PASSWORD_REJECTED');
    expect(reset.details?.rule).toBe('too_short');
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const change = await failure(
      () => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, 'alice in the harbour at dawn'),
      'PASSWORD_REJECTED',
    );
    expect(change.details?.rule).toBe('contains_name');
  });

  it('refuses a new password that is the current one, also typed in another Unicode form, once the current is proved', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const same = await failure(
      () => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, PASSWORDS.alice),
      'PASSWORD_REJECTED',
    );
    expect(same.details).toEqual({ rule: 'same_as_current' });
    const fullwidth = 'ｖｉｏｌｅｔ－ｈａｒｂｏｕｒ－ｌａｎｔｅｒｎ－９２';
    expect(fullwidth.normalize('NFKC')).toBe(PASSWORDS.alice);
    await failure(() => v.engine.accounts.changeOwnPassword(alice.caller, PASSWORDS.alice, fullwidth), 'PASSWORD_REJECTED');
    // A wrong current password is refused as such, whatever the new one: no hint that the two match.
    await failure(
      () => v.engine.accounts.changeOwnPassword(alice.caller, 'not the current one', 'not the current one'),
      'INVALID_CREDENTIALS',
    );
    // The password is unchanged: it still signs in.
    await signIn(v.engine, 'alice', PASSWORDS.alice);
  });

  it('signs in with the NFKC form of a password typed in a compatibility form (fullwidth letters)', async () => {
    const fullwidth = 'ｖｉｏｌｅｔ－ｈａｒｂｏｕｒ－ｌａｎｔｅｒｎ－９２';
    expect(fullwidth.normalize('NFKC')).toBe('violet-harbour-lantern-92');
    await addAccount(v.engine, v.admin.caller, 'alice', fullwidth);
    await expect(signIn(v.engine, 'alice', 'violet-harbour-lantern-92')).resolves.toBeDefined();
    await expect(signIn(v.engine, 'alice', fullwidth)).resolves.toBeDefined();
  });

  it('judges a password by its NFKC form, whatever form it was typed in', () => {
    const verdict = (password: string): unknown => {
      try {
        checkPasswordPolicy(password, { username: 'carol', email: null, hasSecondFactor: false });
        return 'accepted';
      } catch (error) {
        return isLatchkeyError(error, 'PASSWORD_REJECTED') ? error.details?.rule : error;
      }
    };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 40 }), (password) => {
        expect(verdict(password)).toBe(verdict(password.normalize('NFKC')));
      }),
    );
  });
});

describe('password hashing', () => {
  it('verifies a password typed in any Unicode normalisation form', async () => {
    const hasher = new PasswordHasher(QUICK_HASH);
    await fc.assert(
      fc.asyncProperty(
        // U+FFFD matches nothing, in any form.
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((password) => !hasLostCharacter(password)),
        fc.constantFrom('NFC', 'NFD', 'NFKC', 'NFKD'),
        async (password, form) => {
          const stored = await hasher.hash(password);
          expect((await hasher.verify(stored, password.normalize(form))).valid).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rehashes a weaker stored hash with the current parameters on the next sign-in, without counting it a password change', async () => {
    const vault = await createTempVault();
    try {
      const weak = await vault.open({ hashParameters: { memoryCost: 8192, timeCost: 1, parallelism: 1 } });
      await weak.accounts.initialise({ username: 'admin', password: PASSWORDS.admin });
      weak.close();
      const storedHash = (): { password_hash: string; password_changed_at: number } =>
        withRawVault(
          vault.path,
          (db) =>
            db.prepare("SELECT password_hash, password_changed_at FROM accounts WHERE username = 'admin'").get() as {
              password_hash: string;
              password_changed_at: number;
            },
        );
      const before = storedHash();
      expect(before.password_hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);

      const engine = await vault.open();
      vault.clock.advance(60_000);
      await engine.signIn.withPassword({ username: 'admin', password: PASSWORDS.admin, client: cliClient() });
      const after = storedHash();
      expect(after.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(after.password_changed_at).toBe(before.password_changed_at);
      expect(auditEvents(engine, 'password.rehashed')).toHaveLength(1);

      // The new hash still opens with the same password, and is not rehashed again.
      await engine.signIn.withPassword({ username: 'admin', password: PASSWORDS.admin, client: cliClient() });
      expect(auditEvents(engine, 'password.rehashed')).toHaveLength(1);
      expect(storedHash().password_hash).toBe(after.password_hash);
    } finally {
      await vault.dispose();
    }
  });

  it('does not rehash on a failed sign-in', async () => {
    const vault = await createTempVault();
    try {
      const weak = await vault.open({ hashParameters: { memoryCost: 8192, timeCost: 1, parallelism: 1 } });
      await weak.accounts.initialise({ username: 'admin', password: PASSWORDS.admin });
      weak.close();
      const engine = await vault.open();
      await failure(
        () => engine.signIn.withPassword({ username: 'admin', password: PASSWORDS.bob, client: cliClient() }),
        'INVALID_CREDENTIALS',
      );
      expect(auditEvents(engine, 'password.rehashed')).toHaveLength(0);
      const stored = withRawVault(vault.path, (db) => db.prepare('SELECT password_hash FROM accounts').pluck().get() as string);
      expect(stored).toMatch(/m=8192,t=1,p=1/);
    } finally {
      await vault.dispose();
    }
  });
});

describe('passwords that lost a character on the way', () => {
  // A lone surrogate has no UTF-8 form: the hash library turns each into U+FFFD, the character a
  // decoder also leaves where it lost one. All three would be one password.
  const tail = ' pale lanterns over the harbour';
  const highs = `\ud800\ud801\ud802${tail}`;
  const lows = `\udc00\udc01\udc02${tail}`;
  const replaced = `\ufffd\ufffd\ufffd${tail}`;

  let v: VaultWithAdmin;
  beforeEach(async () => {
    v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await v.vault.dispose();
  });

  /** What a version that took such a password stored for alice: argon2id of its NFKC form, in a row it sealed. */
  async function storeEarlierHashOf(password: string): Promise<string> {
    const stored = await argon2.hash(password.normalize('NFKC'), { algorithm: 2, outputLen: 32, ...QUICK_HASH });
    const seal = await rowSealOf(v.engine, v.vault.keychain);
    withRawVault(v.vault.path, (db) => {
      db.prepare("UPDATE accounts SET password_hash = ? WHERE username = 'alice'").run(stored);
      resealRows(db, seal, 'accounts', "username = 'alice'");
    });
    return stored;
  }

  const attempt = (username: string, password: string) => () => v.engine.signIn.withPassword({ username, password, client: cliClient() });

  it('refuses a new password holding a lone surrogate or U+FFFD, saying why', async () => {
    for (const password of [highs, lows, replaced, `${PASSWORDS.bob}\ud83d`]) {
      const error = await failure(() => addAccount(v.engine, v.admin.caller, 'carol', password), 'PASSWORD_REJECTED');
      expect(error.details).toEqual({ rule: 'lost_character' });
      expect(error.message).toMatch(/broken character/);
    }
    const reset = await failure(() => v.engine.accounts.resetPassword(v.admin.caller, 'alice', highs), 'PASSWORD_REJECTED');
    expect(reset.details).toEqual({ rule: 'lost_character' });
  });

  it('signs no one in with such a password, not even against a hash stored from one', async () => {
    await storeEarlierHashOf(highs);
    for (const password of [highs, lows, replaced]) await failure(attempt('alice', password), 'INVALID_CREDENTIALS');
  });

  it('counts such a password as a wrong one, answered as for a name with no account', async () => {
    await storeEarlierHashOf(highs);
    const lost = await failure(attempt('alice', lows), 'INVALID_CREDENTIALS');
    const unknown = await failure(attempt('nobody', lows), 'INVALID_CREDENTIALS');
    expect(lost.toInfo()).toEqual(unknown.toInfo());
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(1);
    expect(auditEvents(v.engine, 'signin.failed').map((event) => [event.target?.name, event.reason])).toEqual([
      ['alice', 'wrong_password'],
      [expect.stringMatching(/^unknown name #/), 'unknown_account'],
    ]);
  });

  it('spends on such a password the one argon2id check of the stored hash that any wrong one costs', async () => {
    const stored = await storeEarlierHashOf(highs);
    const verify = vi.mocked(argon2.verify);
    verify.mockClear();
    await failure(attempt('alice', replaced), 'INVALID_CREDENTIALS');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0]).toBe(stored);
  });

  it('matches no stored hash with such a password, wherever a password is checked', async () => {
    const hasher = new PasswordHasher(QUICK_HASH);
    const stored = await argon2.hash(highs, { algorithm: 2, outputLen: 32, ...QUICK_HASH });
    for (const password of [highs, lows, replaced])
      expect(await hasher.verify(stored, password)).toEqual({ valid: false, needsRehash: false });
  });
});
