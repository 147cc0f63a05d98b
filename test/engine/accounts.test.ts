import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isValidUsername, normaliseUsername } from '../../src/shared/fields.js';
import { failure } from '../support/errors.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, createTempVault } from '../support/temp-vault.js';

describe('first run', () => {
  it('starts with no account and no default password', async () => {
    const vault = await createTempVault();
    try {
      const engine = await vault.open();
      expect(engine.accounts.isInitialised()).toBe(false);
      await failure(() => signIn(engine, 'admin', 'admin'), 'INVALID_CREDENTIALS');
    } finally {
      await vault.dispose();
    }
  });

  it('creates the first admin once, and answers ALREADY_INITIALISED after that', async () => {
    const vault = await createTempVault();
    try {
      const engine = await vault.open();
      const admin = await engine.accounts.initialise({ username: 'Root', password: PASSWORDS.admin, role: 'user' });
      expect(admin).toMatchObject({ username: 'root', role: 'admin', status: 'active' });
      expect(engine.accounts.isInitialised()).toBe(true);
      expect(auditEvents(engine).map((e) => e.type)).toEqual(['vault.initialised', 'account.created']);
      await failure(() => engine.accounts.initialise({ username: 'other', password: PASSWORDS.bob }), 'ALREADY_INITIALISED');
      await failure(() => engine.accounts.find('other'), 'NOT_FOUND');
    } finally {
      await vault.dispose();
    }
  });
});

describe('accounts', () => {
  let v: VaultWithAdmin;
  beforeEach(async () => {
    v = await openVaultWithAdmin();
  });
  afterEach(() => v.vault.dispose());

  it('lets an admin add an account, audited', async () => {
    const alice = await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.org' });
    expect(alice).toMatchObject({ username: 'alice', role: 'user', status: 'active', email: 'alice@example.org', failedSignIns: 0 });
    expect(auditEvents(v.engine, 'account.created').at(-1)).toMatchObject({
      actor: { name: 'admin' },
      target: { id: alice.id, name: 'alice' },
      details: { role: 'user', hasEmail: true },
    });
  });

  it('refuses a second account whose name differs only in case or compatibility form, with CONFLICT', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    await failure(() => addAccount(v.engine, v.admin.caller, 'ALICE', PASSWORDS.bob), 'CONFLICT');
    await failure(() => addAccount(v.engine, v.admin.caller, 'Ａｌｉｃｅ', PASSWORDS.bob), 'CONFLICT');
    expect(v.engine.accounts.list(v.admin.caller).map((a) => a.username)).toEqual(['admin', 'alice']);
  });

  it('refuses an account name that is empty, too long or has spaces, with INVALID_INPUT', async () => {
    for (const name of ['', '   ', 'a'.repeat(65), 'two words', '-dash-first']) {
      const error = await failure(() => addAccount(v.engine, v.admin.caller, name, PASSWORDS.alice), 'INVALID_INPUT');
      expect(error.details).toEqual({ field: 'username' });
    }
  });

  it('refuses a malformed e-mail address with INVALID_INPUT', async () => {
    const error = await failure(
      () => addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice, { email: 'not an address' }),
      'INVALID_INPUT',
    );
    expect(error.details).toEqual({ field: 'email' });
  });

  it('lets no one but an admin add or list accounts', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await failure(() => addAccount(v.engine, alice.caller, 'mallory', PASSWORDS.bob), 'NOT_AUTHORISED');
    await failure(() => v.engine.accounts.list(alice.caller), 'NOT_AUTHORISED');
    await failure(() => addAccount(v.engine, alice.caller, 'mallory', PASSWORDS.bob, { role: 'admin' }), 'NOT_AUTHORISED');
    await failure(() => v.engine.accounts.disable(alice.caller, 'admin'), 'NOT_AUTHORISED');
    await failure(() => v.engine.accounts.delete(alice.caller, 'admin'), 'NOT_AUTHORISED');
    await failure(() => v.engine.accounts.resetPassword(alice.caller, 'admin', PASSWORDS.next), 'NOT_AUTHORISED');
  });

  it("shows users their own account and no one else's", async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(v.engine.accounts.show(alice.caller, 'alice').username).toBe('alice');
    await failure(() => v.engine.accounts.show(alice.caller, 'admin'), 'NOT_AUTHORISED');
    await failure(() => v.engine.accounts.show(v.admin.caller, 'nobody'), 'NOT_FOUND');
  });

  it('cannot disable the last active admin', async () => {
    await failure(() => v.engine.accounts.disable(v.admin.caller, 'admin'), 'CONFLICT');
    expect(v.engine.accounts.show(v.admin.caller, 'admin').status).toBe('active');
  });

  it('cannot delete the last active admin', async () => {
    await failure(() => v.engine.accounts.delete(v.admin.caller, 'admin'), 'CONFLICT');
    expect(v.engine.accounts.show(v.admin.caller, 'admin').status).toBe('active');
  });

  it('lets one admin disable another while a second stays active', async () => {
    await addAccount(v.engine, v.admin.caller, 'deputy', PASSWORDS.bob, { role: 'admin' });
    const deputy = await signIn(v.engine, 'deputy', PASSWORDS.bob);
    expect(v.engine.accounts.disable(deputy.caller, 'admin').status).toBe('disabled');
    // Now the deputy is the last active admin.
    await failure(() => v.engine.accounts.disable(deputy.caller, 'deputy'), 'CONFLICT');
  });

  it('changes a role, audited, keeps the last active admin, and a demoted admin loses the rights at the next call', async () => {
    await failure(() => v.engine.accounts.setRole(v.admin.caller, 'admin', 'user'), 'CONFLICT');
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await signIn(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => v.engine.accounts.setRole(bob.caller, 'bob', 'admin'), 'NOT_AUTHORISED');

    expect(v.engine.accounts.setRole(v.admin.caller, 'bob', 'admin').role).toBe('admin');
    expect(auditEvents(v.engine, 'account.role_changed').at(-1)).toMatchObject({
      actor: expect.objectContaining({ name: 'admin' }),
      target: expect.objectContaining({ name: 'bob' }),
      details: { role: 'admin', previousRole: 'user' },
    });
    // Bob's session, begun as a user, is an administrator's from its next call.
    expect(v.engine.accounts.list(v.engine.sessions.validate(bob.token)).length).toBe(2);

    // With two administrators, one may be made a user again; then that one is the last.
    expect(v.engine.accounts.setRole(v.admin.caller, 'admin', 'user').role).toBe('user');
    await failure(() => v.engine.accounts.list(v.engine.sessions.validate(v.admin.token)), 'NOT_AUTHORISED');
    await failure(() => v.engine.accounts.setRole(v.engine.sessions.validate(bob.token), 'bob', 'user'), 'CONFLICT');
    // Unchanged asks change nothing and write nothing.
    const events = auditEvents(v.engine).length;
    expect(v.engine.accounts.setRole(v.engine.sessions.validate(bob.token), 'bob', 'admin').role).toBe('admin');
    expect(auditEvents(v.engine)).toHaveLength(events);
  });

  it('deletes an account with its sessions, audited, and frees its name', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    v.engine.accounts.delete(v.admin.caller, 'alice');
    await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    await failure(() => v.engine.accounts.show(v.admin.caller, 'alice'), 'NOT_FOUND');
    expect(auditEvents(v.engine, 'account.deleted')).toHaveLength(1);
    await expect(addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.next)).resolves.toBeDefined();
  });

  it('audits disabling and enabling an account', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    v.engine.accounts.disable(v.admin.caller, 'alice');
    v.engine.accounts.enable(v.admin.caller, 'alice');
    expect(
      auditEvents(v.engine)
        .filter((e) => e.type.startsWith('account.') && e.target?.name === 'alice')
        .map((e) => e.type),
    ).toEqual(['account.created', 'account.disabled', 'account.enabled']);
  });

  it("refuses an admin's reset of their own password: that needs the current one", async () => {
    await failure(() => v.engine.accounts.resetPassword(v.admin.caller, 'admin', PASSWORDS.next), 'INVALID_INPUT');
  });
});

describe('account names', () => {
  it('normalise idempotently', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        const once = normaliseUsername(name);
        expect(normaliseUsername(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('stay valid once normalised, whatever case or width they were typed in', () => {
    const letters = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(letters, (name) => {
        const fullwidth = [...name.toUpperCase()].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
        expect(normaliseUsername(fullwidth)).toBe(name);
        expect(normaliseUsername(name.toUpperCase())).toBe(name);
        expect(isValidUsername(normaliseUsername(name))).toBe(true);
      }),
    );
  });
});
