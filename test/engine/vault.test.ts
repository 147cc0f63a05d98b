import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/main/engine/crypto/field-cipher.js';
import { openEngine } from '../../src/main/engine/engine.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import type { SecretStore } from '../../src/main/secrets/secret-store.js';
import { LatchkeyError } from '../../src/shared/errors.js';
import { failure } from '../support/errors.js';
import { fileSha256, withRawVault } from '../support/raw-vault.js';
import { addAccount, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, keychainServiceForTest } from '../support/temp-vault.js';
import { AUDITOR } from '../support/auditor.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin();
});
afterEach(() => v.vault.dispose());

const reopen = () => openEngine({ vaultPath: v.vault.path, secrets: v.vault.keychain, clock: v.vault.clock });

describe('a vault written by a newer Latchkey', () => {
  function markNewer(journalMode: 'wal' | 'delete'): string {
    v.engine.close();
    withRawVault(v.vault.path, (db) => {
      db.pragma(`journal_mode = ${journalMode}`);
      db.pragma('user_version = 999');
    });
    expect(existsSync(`${v.vault.path}-wal`)).toBe(false);
    return fileSha256(v.vault.path);
  }

  it('is refused with VAULT_TOO_NEW and its file is left byte for byte as it was', async () => {
    const before = markNewer('wal');
    const error = await failure(reopen, 'VAULT_TOO_NEW');
    expect(error.details).toMatchObject({ vaultSchema: 999 });
    expect(fileSha256(v.vault.path)).toBe(before);
  });

  it('is left untouched even when its journal is not in WAL mode', async () => {
    const before = markNewer('delete');
    await failure(reopen, 'VAULT_TOO_NEW');
    expect(fileSha256(v.vault.path)).toBe(before);
  });
});

describe('the vault key', () => {
  it('is refused with VAULT_KEY_MISSING when the keychain does not hold it, and nothing is stored in its place', async () => {
    v.engine.close();
    const elsewhere = new OsKeychain(keychainServiceForTest());
    const error = await failure(
      () => openEngine({ vaultPath: v.vault.path, secrets: elsewhere, clock: v.vault.clock }),
      'VAULT_KEY_MISSING',
    );
    expect(error.details).toMatchObject({ vaultId: v.engine.vaultId, service: elsewhere.service });
    expect(await elsewhere.get(v.engine.vaultId)).toBeNull();
  });

  it('is refused with VAULT_KEY_MISSING when the keychain holds another key for the vault', async () => {
    v.engine.close();
    const elsewhere = new OsKeychain(keychainServiceForTest());
    await elsewhere.set(v.engine.vaultId, randomBytes(32).toString('base64'));
    try {
      await failure(() => openEngine({ vaultPath: v.vault.path, secrets: elsewhere, clock: v.vault.clock }), 'VAULT_KEY_MISSING');
    } finally {
      await elsewhere.delete(v.engine.vaultId);
    }
  });

  it('opens the vault again with the same keychain', async () => {
    v.engine.close();
    const again = await v.vault.open();
    expect(again.vaultId).toBe(v.engine.vaultId);
    expect(again.accounts.isInitialised()).toBe(true);
  });
});

describe('a new vault whose first open stopped half way', () => {
  it('adopts the key the keychain already holds, and starts its audit chain with it', async () => {
    // What an open that stored the key and then died before writing the vault's side leaves behind.
    const path = `${v.vault.dir}/half-made.db`;
    const first = await openEngine({ vaultPath: path, secrets: v.vault.keychain, clock: v.vault.clock });
    const vaultId = first.vaultId;
    const key = await v.vault.keychain.get(vaultId);
    first.close();
    withRawVault(path, (db) => db.prepare("DELETE FROM meta WHERE key <> 'vault_id'").run());

    const again = await openEngine({ vaultPath: path, secrets: v.vault.keychain, clock: v.vault.clock });
    try {
      expect(again.vaultId).toBe(vaultId);
      expect(await v.vault.keychain.get(vaultId)).toBe(key);
      await again.accounts.initialise({ username: 'admin', password: PASSWORDS.admin });
      expect(await again.audit.verify(AUDITOR)).toMatchObject({ intact: true });
    } finally {
      again.close();
    }
  });
});

describe('opening a path where there is no vault yet', () => {
  /** A keychain that cannot be reached, as with no Secret Service running. */
  const noKeychain: SecretStore = {
    service: 'latchkey-test-unreachable',
    get: () => Promise.reject(new LatchkeyError('KEYCHAIN_UNAVAILABLE', 'no keychain')),
    set: () => Promise.reject(new LatchkeyError('KEYCHAIN_UNAVAILABLE', 'no keychain')),
    delete: () => Promise.reject(new LatchkeyError('KEYCHAIN_UNAVAILABLE', 'no keychain')),
  };

  it('with create: false, is refused with NOT_INITIALISED and leaves no file or folder', async () => {
    const folder = join(v.vault.dir, 'not-yet');
    const path = join(folder, 'vault.db');
    const error = await failure(() => openEngine({ vaultPath: path, secrets: v.vault.keychain, create: false }), 'NOT_INITIALISED');
    expect(error.message).toContain(path);
    expect(existsSync(folder)).toBe(false);
  });

  it('with create: false, still opens a vault that exists', async () => {
    v.engine.close();
    const again = await openEngine({ vaultPath: v.vault.path, secrets: v.vault.keychain, clock: v.vault.clock, create: false });
    try {
      expect(again.vaultId).toBe(v.engine.vaultId);
    } finally {
      again.close();
    }
  });

  it('says in words why a path it cannot use is refused, when its folder is a file', async () => {
    const path = join(v.vault.path, 'inside-a-file.db');
    for (const create of [true, false]) {
      const error = await failure(() => openEngine({ vaultPath: path, secrets: v.vault.keychain, create }), 'VAULT_UNREADABLE');
      expect(error.message).toBe(`The vault file at ${path} could not be opened: a part of the path is a file, not a folder.`);
    }
  });

  it('leaves no half-made file or folder behind when the keychain cannot be reached', async () => {
    const folder = join(v.vault.dir, 'new', 'deeper');
    const path = join(folder, 'vault.db');
    await failure(() => openEngine({ vaultPath: path, secrets: noKeychain }), 'KEYCHAIN_UNAVAILABLE');
    expect(readdirSync(v.vault.dir)).not.toContain('new');
  });

  it('leaves a folder that was already there, and removes only what it made', async () => {
    const path = join(v.vault.dir, 'second.db');
    await failure(() => openEngine({ vaultPath: path, secrets: noKeychain }), 'KEYCHAIN_UNAVAILABLE');
    expect(readdirSync(v.vault.dir).filter((name) => name.startsWith('second.db'))).toEqual([]);
    expect(existsSync(v.vault.path)).toBe(true);
  });

  it('never removes an existing vault that fails to open', async () => {
    v.engine.close();
    const before = fileSha256(v.vault.path);
    await failure(() => openEngine({ vaultPath: v.vault.path, secrets: noKeychain }), 'KEYCHAIN_UNAVAILABLE');
    expect(fileSha256(v.vault.path)).toBe(before);
  });
});

describe('what the file holds', () => {
  it('creates the vault file readable and writable by its owner only', () => {
    if (process.platform === 'win32') return;
    expect(statSync(v.vault.path).mode & 0o777).toBe(0o600);
  });

  it('stores the e-mail address encrypted: the plain address is nowhere in the file', async () => {
    const email = 'alice.liddell@wonderland.example';
    const alice = await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice, { email });
    expect(alice.email).toBe(email);
    const sealed = withRawVault(v.vault.path, (db) =>
      db.prepare("SELECT email_enc FROM accounts WHERE username = 'alice'").pluck().get(),
    ) as string;
    expect(sealed).toMatch(/^v1\./);
    v.engine.close();
    const bytes = readFileSync(v.vault.path);
    expect(bytes.includes(Buffer.from(email, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('alice.liddell', 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('alice', 'utf8'))).toBe(true);
    const again = await v.vault.open();
    expect(again.accounts.show(v.admin.caller, 'alice').email).toBe(email);
  });

  it('refuses an encrypted value moved to another row with VAULT_UNREADABLE', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.org' });
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob, { email: 'bob@example.org' });
    withRawVault(v.vault.path, (db) =>
      db.prepare("UPDATE accounts SET email_enc = (SELECT email_enc FROM accounts WHERE username = 'alice') WHERE username = 'bob'").run(),
    );
    const error = await failure(() => v.engine.accounts.show(v.admin.caller, 'bob'), 'VAULT_UNREADABLE');
    expect(error.message).not.toContain('alice@example.org');
    expect(v.engine.accounts.show(v.admin.caller, 'alice').email).toBe('alice@example.org');
  });

  it('keeps no password, session token or refresh token anywhere in the file', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
    await failure(() => signIn(v.engine, 'alice', PASSWORDS.bob));
    const passwords = [PASSWORDS.admin, PASSWORDS.alice, PASSWORDS.bob];
    const tokens = [v.admin.token, alice.token, alice.started.refreshToken!];
    v.engine.close();
    const bytes = readFileSync(v.vault.path);
    for (const secret of [...passwords, ...tokens]) expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
    // Nor the tokens' raw 256 bits.
    for (const token of tokens) expect(bytes.includes(Buffer.from(token, 'base64url'))).toBe(false);
  });
});

describe('field cipher', () => {
  const cipher = new FieldCipher(randomBytes(32));
  // Table and column names are identifiers in the code; the row id may be anything.
  const identifier = fc.stringMatching(/^[a-z_]{1,16}$/);
  const location = fc.record({ table: identifier, column: identifier, rowId: fc.string({ unit: 'binary', minLength: 1 }) });
  const text = fc.string({ unit: 'binary', maxLength: 200 });
  const unreadable = (work: () => unknown): boolean => {
    try {
      work();
      return false;
    } catch (error) {
      return error instanceof LatchkeyError && error.code === 'VAULT_UNREADABLE';
    }
  };

  it('round-trips any text at any location', () => {
    fc.assert(
      fc.property(text, location, (plain, at) => {
        expect(cipher.decrypt(cipher.encrypt(plain, at), at)).toBe(plain);
      }),
    );
  });

  it('seals the same text differently each time', () => {
    fc.assert(
      fc.property(text, location, (plain, at) => {
        expect(cipher.encrypt(plain, at)).not.toBe(cipher.encrypt(plain, at));
      }),
    );
  });

  it('refuses a sealed value with any byte changed', () => {
    fc.assert(
      fc.property(text, location, fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, at, position, flip) => {
        const sealed = cipher.encrypt(plain, at);
        const raw = Buffer.from(sealed.slice(3), 'base64url');
        const index = position % raw.length;
        raw[index] = raw[index]! ^ flip;
        expect(unreadable(() => cipher.decrypt(`v1.${raw.toString('base64url')}`, at))).toBe(true);
      }),
    );
  });

  it('refuses a sealed value cut short or lengthened', () => {
    fc.assert(
      fc.property(text, location, fc.integer({ min: 1, max: 40 }), fc.boolean(), (plain, at, n, cut) => {
        const raw = Buffer.from(cipher.encrypt(plain, at).slice(3), 'base64url');
        const changed = cut ? raw.subarray(0, Math.max(0, raw.length - n)) : Buffer.concat([raw, randomBytes(n)]);
        expect(unreadable(() => cipher.decrypt(`v1.${changed.toString('base64url')}`, at))).toBe(true);
      }),
    );
  });

  it('refuses a sealed value read at another location', () => {
    fc.assert(
      fc.property(text, location, location, (plain, at, elsewhere) => {
        fc.pre(JSON.stringify(at) !== JSON.stringify(elsewhere));
        expect(unreadable(() => cipher.decrypt(cipher.encrypt(plain, at), elsewhere))).toBe(true);
      }),
    );
  });

  it('refuses a value sealed with another key', () => {
    const other = new FieldCipher(randomBytes(32));
    fc.assert(
      fc.property(text, location, (plain, at) => {
        expect(unreadable(() => other.decrypt(cipher.encrypt(plain, at), at))).toBe(true);
      }),
    );
  });
});
