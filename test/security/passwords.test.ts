import { argon2id } from '@noble/hashes/argon2.js';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.js';
import type { HashParameters } from '../../src/main/engine/passwords/password-hasher.js';
import { failure } from '../support/errors.js';
import { enableTotp } from '../support/mfa.js';
import { withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

/**
 * security-parameters.md, "Passwords", checked as an auditor would: through the engine, with the
 * stored PHC string read straight from the vault file and recomputed by an argon2id implementation
 * the engine does not use (@noble/hashes, pure JavaScript; the engine uses @node-rs/argon2).
 */

let v: VaultWithAdmin | undefined;
afterEach(async () => {
  await v?.vault.dispose();
  v = undefined;
});

async function vaultWithAdmin(options: { hashParameters?: HashParameters } = {}): Promise<VaultWithAdmin> {
  v = await openVaultWithAdmin(options);
  return v;
}

function storedHash(vault: VaultWithAdmin, username: string): string {
  return withRawVault(
    vault.vault.path,
    (db) => db.prepare('SELECT password_hash FROM accounts WHERE username = ?').pluck().get(username) as string,
  );
}

/** PHC string fields (https://github.com/P-H-C/phc-string-format), base64 without padding. */
function parsePhc(phc: string): { algorithm: string; version: number; m: number; t: number; p: number; salt: Buffer; tag: Buffer } {
  const match = /^\$(argon2id)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  if (match === null) throw new Error(`not an argon2id PHC string: ${phc}`);
  const [, algorithm = '', version, m, t, p, salt = '', tag = ''] = match;
  return {
    algorithm,
    version: Number(version),
    m: Number(m),
    t: Number(t),
    p: Number(p),
    salt: Buffer.from(salt, 'base64'),
    tag: Buffer.from(tag, 'base64'),
  };
}

/** Random-looking, never common, never built from a name: `length` characters of it. */
const password = (length: number): string => 'vX7#qLm2@pR9zK4!wT6&'.repeat(20).slice(0, length);

describe('Passwords › hash: argon2id, m = 19456 KiB, t = 2, p = 1, 16-byte salt, 32-byte tag, PHC string', () => {
  it('stores a PHC string with exactly these parameters, whose tag an independent argon2id recomputes from the password and salt', async () => {
    const vault = await vaultWithAdmin();
    await addAccount(vault.engine, vault.admin.caller, 'alice', PASSWORDS.alice);
    const phc = parsePhc(storedHash(vault, 'alice'));
    expect({ algorithm: phc.algorithm, version: phc.version, m: phc.m, t: phc.t, p: phc.p }).toEqual({
      algorithm: 'argon2id',
      version: 19,
      m: 19456,
      t: 2,
      p: 1,
    });
    expect(phc.salt).toHaveLength(16);
    expect(phc.tag).toHaveLength(32);
    const witness = argon2id(PASSWORDS.alice, phc.salt, { t: phc.t, m: phc.m, p: phc.p, dkLen: 32, version: 0x13 });
    expect(Buffer.from(witness).equals(phc.tag)).toBe(true);
  });

  it('salts every hash afresh: the same password on two accounts gives two salts and two tags', async () => {
    const vault = await vaultWithAdmin();
    await addAccount(vault.engine, vault.admin.caller, 'alice', PASSWORDS.next);
    await addAccount(vault.engine, vault.admin.caller, 'bob', PASSWORDS.next);
    const [a, b] = [parsePhc(storedHash(vault, 'alice')), parsePhc(storedHash(vault, 'bob'))];
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.tag.equals(b.tag)).toBe(false);
  });
});

describe('Passwords › rehash: on sign-in when the stored parameters are below the current ones, or the hash is a legacy one', () => {
  const CURRENT = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

  it('replaces a hash one KiB or one pass below the current cost, and leaves one at exactly the current cost as it was', async () => {
    const vault = await vaultWithAdmin();
    for (const [name, hashParameters] of [
      ['lowmemory', { memoryCost: 19455, timeCost: 2, parallelism: 1 }],
      ['lowtime', { memoryCost: 19456, timeCost: 1, parallelism: 1 }],
    ] as const) {
      const older = await vault.vault.open({ hashParameters });
      await addAccount(older, vault.admin.caller, name, PASSWORDS.bob);
      older.close();
    }
    await addAccount(vault.engine, vault.admin.caller, 'current', PASSWORDS.bob);
    const before = {
      lowmemory: storedHash(vault, 'lowmemory'),
      lowtime: storedHash(vault, 'lowtime'),
      current: storedHash(vault, 'current'),
    };
    expect(before.lowmemory).toMatch(/\$m=19455,t=2,p=1\$/);
    expect(before.lowtime).toMatch(/\$m=19456,t=1,p=1\$/);

    for (const name of ['lowmemory', 'lowtime', 'current']) await signIn(vault.engine, name, PASSWORDS.bob);
    expect(storedHash(vault, 'lowmemory')).toMatch(CURRENT);
    expect(storedHash(vault, 'lowtime')).toMatch(CURRENT);
    expect(storedHash(vault, 'current')).toBe(before.current);
    // The upgraded hashes still open with the same password.
    for (const name of ['lowmemory', 'lowtime']) await signIn(vault.engine, name, PASSWORDS.bob);
  });

  it('replaces an imported bcrypt hash by argon2id at the first sign-in', async () => {
    const vault = await vaultWithAdmin();
    // The classic crypt_blowfish test vector for "U*U": a hash no code here made.
    const bcrypt = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
    const report = await vault.engine.accountImport.run(
      vault.admin.caller,
      JSON.stringify([{ username: 'legacy', password_hash: bcrypt }]),
      'json',
    );
    expect(report.imported).toBe(1);
    expect(storedHash(vault, 'legacy')).toBe(bcrypt);
    await signIn(vault.engine, 'legacy', 'U*U');
    expect(storedHash(vault, 'legacy')).toMatch(CURRENT);
  });
});

describe('Passwords › length: at least 15 characters without a second factor, 8 with one; at most 256', () => {
  it('refuses 14 characters and takes 15 for an account without a second factor', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    const error = await failure(() => addAccount(vault.engine, vault.admin.caller, 'alice', password(14)), 'PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ rule: 'too_short', min: 15 });
    await addAccount(vault.engine, vault.admin.caller, 'alice', password(15));
    await signIn(vault.engine, 'alice', password(15));
  });

  it('refuses 7 characters and takes 8 once the account has TOTP on', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    await enableTotp(vault.engine, vault.vault.clock, vault.admin.caller);
    const error = await failure(
      () => vault.engine.accounts.changeOwnPassword(vault.admin.caller, PASSWORDS.admin, password(7)),
      'PASSWORD_REJECTED',
    );
    expect(error.details).toMatchObject({ rule: 'too_short', min: 8 });
    await vault.engine.accounts.changeOwnPassword(vault.admin.caller, PASSWORDS.admin, password(8));
    expect(parsePhc(storedHash(vault, 'admin')).algorithm).toBe('argon2id');
  });

  it('takes 256 characters and refuses 257', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    const error = await failure(() => addAccount(vault.engine, vault.admin.caller, 'alice', password(257)), 'PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ rule: 'too_long', max: 256 });
    await addAccount(vault.engine, vault.admin.caller, 'alice', password(256));
    await signIn(vault.engine, 'alice', password(256));
  });
});

describe('Passwords › normalisation: NFKC before hashing, every printable character and space allowed, never truncated', () => {
  it('signs in with any Unicode form of the same password: composed, decomposed, and fullwidth', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    const composed = 'Crème brûlée at the Café Noir';
    await addAccount(vault.engine, vault.admin.caller, 'alice', composed);
    await signIn(vault.engine, 'alice', composed.normalize('NFD'));
    const fullwidth = 'Ｃｒèｍｅ ｂｒûｌéｅ ａｔ ｔｈｅ Ｃａｆé Ｎｏｉｒ';
    expect(fullwidth.normalize('NFKC')).toBe(composed);
    await signIn(vault.engine, 'alice', fullwidth);
  });

  it('takes spaces, symbols, emoji and any script, with no composition rule', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    const passwords = ['tranquil meadows', '    leading spaces, trailing spaces    ', '🔑🚪🦊 under the 月 and 星 ✨', 'Ωμέγα ρήμα λέξη'];
    for (const [i, chosen] of passwords.entries()) {
      await addAccount(vault.engine, vault.admin.caller, `person${i}`, chosen);
      await signIn(vault.engine, `person${i}`, chosen);
    }
  });

  it('checks every character: the first 72 bytes, or the password with its last character changed, do not sign in', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    const long = password(200);
    await addAccount(vault.engine, vault.admin.caller, 'alice', long);
    for (const wrong of [long.slice(0, 72), `${long.slice(0, -1)}x`, long.slice(0, 199)]) {
      await failure(() => signIn(vault.engine, 'alice', wrong), 'INVALID_CREDENTIALS');
    }
    await signIn(vault.engine, 'alice', long);
  });
});

describe('Passwords › blocklist: common or breached passwords, and ones built from the account name or e-mail, are refused', () => {
  it('refuses breached passwords long enough to pass the length rule', async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    // Well-known entries of breach corpora, each at least 15 characters.
    for (const breached of ['passwordpassword', '1qaz2wsx3edc4rfv', 'qwertyuiop12345', '1234567890qwerty']) {
      const error = await failure(() => addAccount(vault.engine, vault.admin.caller, 'alice', breached), 'PASSWORD_REJECTED');
      expect(error.details).toMatchObject({ rule: 'common' });
    }
  });

  it("refuses a password containing the account's name, its e-mail address or the address's local part", async () => {
    const vault = await vaultWithAdmin({ hashParameters: QUICK_HASH });
    const email = 'zebra.keeper@example.org';
    for (const built of ['marguerite-harbour-lantern', 'my zebra.keeper@example.org', 'zebra.keeper rides at dawn']) {
      const error = await failure(() => addAccount(vault.engine, vault.admin.caller, 'marguerite', built, { email }), 'PASSWORD_REJECTED');
      expect(error.details).toMatchObject({ rule: 'contains_name' });
    }
    await addAccount(vault.engine, vault.admin.caller, 'marguerite', PASSWORDS.alice, { email });
  });
});

describe('Passwords › comparison: an unknown account costs the same work as a known one', () => {
  /** How long one refused sign-in takes, in ms. */
  async function timeRefusal(engine: Engine, username: string): Promise<number> {
    const start = performance.now();
    await failure(
      () => engine.signIn.withPassword({ username, password: 'not the password at all', client: cliClient() }),
      'INVALID_CREDENTIALS',
    );
    return performance.now() - start;
  }

  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

  it('takes as long to refuse a name with no account as a wrong password, at the shipped cost', async () => {
    const vault = await vaultWithAdmin();
    const names = ['alice', 'bob'] as const;
    for (const name of names) await addAccount(vault.engine, vault.admin.caller, name, PASSWORDS[name]);
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a busy moment of the machine weighs on both; four per account stay below the
    // lockout delay, and eight of each keep one slow moment from moving a median.
    for (let i = 0; i < 4; i += 1) {
      for (const name of names) {
        known.push(await timeRefusal(vault.engine, name));
        unknown.push(await timeRefusal(vault.engine, `nobody${name}${i}`));
      }
    }
    // Skipping the dummy hash would make the unknown name a hundred times quicker; a shared CI machine
    // makes single timings noisy, so only the medians are compared, with a wide margin.
    const ratio = median(unknown) / median(known);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
