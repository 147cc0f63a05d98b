import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, SECOND } from '../../src/main/engine/clock.js';
import { failure } from '../support/errors.js';
import { withRawVault } from '../support/raw-vault.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin();
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
});
afterEach(() => v.vault.dispose());

const alice = (device?: string): Promise<SignedIn> => signIn(v.engine, 'alice', PASSWORDS.alice, device ? { device } : {});
const bob = (): Promise<SignedIn> => signIn(v.engine, 'bob', PASSWORDS.bob);
const isValid = (token: string): boolean => {
  try {
    v.engine.sessions.validate(token);
    return true;
  } catch {
    return false;
  }
};
const lastActiveAt = (sessionId: string): number =>
  withRawVault(v.vault.path, (db) => db.prepare('SELECT last_active_at FROM sessions WHERE id = ?').pluck().get(sessionId) as number);

describe('session tokens', () => {
  it('gives a session id of sess_ and 128 random bits and a 256-bit token', async () => {
    const { started } = await alice();
    expect(started.session.id).toMatch(/^sess_[0-9a-f]{32}$/);
    expect(Buffer.from(started.token, 'base64url')).toHaveLength(32);
  });

  it('stores only the SHA-256 of the token, never the token', async () => {
    const { token, started } = await alice();
    const stored = withRawVault(v.vault.path, (db) =>
      db.prepare('SELECT token_hash FROM sessions WHERE id = ?').pluck().get(started.session.id),
    ) as Buffer;
    expect(stored).toHaveLength(32);
    expect(stored.equals(Buffer.from(token, 'base64url'))).toBe(false);
  });

  it('refuses a token that was never issued', () => {
    expect(isValid('not-a-token')).toBe(false);
    expect(isValid(Buffer.alloc(32).toString('base64url'))).toBe(false);
  });
});

describe('session expiry', () => {
  it('keeps a session alive until just before its idle timeout', async () => {
    const { token } = await alice();
    v.vault.clock.advance(30 * MINUTE - 1);
    expect(v.engine.sessions.validate(token).username).toBe('alice');
  });

  it('refuses a session whose idle timeout has passed, and audits the expiry', async () => {
    const { token, started } = await alice();
    v.vault.clock.advance(30 * MINUTE);
    const error = await failure(() => v.engine.sessions.validate(token), 'SESSION_EXPIRED');
    expect(error.details).toEqual({ reason: 'idle_timeout' });
    expect(auditEvents(v.engine, 'session.expired')).toEqual([
      expect.objectContaining({
        sessionId: started.session.id,
        reason: 'idle_timeout',
        target: expect.objectContaining({ name: 'alice' }),
      }),
    ]);
    // Once ended it stays ended, even if the clock were to go back.
    v.vault.clock.advance(-10 * MINUTE);
    await failure(() => v.engine.sessions.validate(token), 'SESSION_EXPIRED');
  });

  it('refuses a session after its absolute timeout even with activity every few minutes', async () => {
    const { token, started } = await alice();
    const signedInAt = v.vault.clock.now();
    while (v.vault.clock.now() + 5 * MINUTE < signedInAt + 12 * HOUR) {
      v.vault.clock.advance(5 * MINUTE);
      v.engine.sessions.validate(token);
    }
    v.vault.clock.set(signedInAt + 12 * HOUR);
    const error = await failure(() => v.engine.sessions.validate(token), 'SESSION_EXPIRED');
    expect(error.details).toEqual({ reason: 'absolute_timeout' });
    expect(auditEvents(v.engine, 'session.expired').map((e) => [e.sessionId, e.reason])).toEqual([
      [started.session.id, 'absolute_timeout'],
    ]);
  });

  it('reports the earlier of the idle and the absolute deadline as the expiry', async () => {
    const { started } = await alice();
    const at = started.session.createdAt;
    expect(started.session.expiresAt).toBe(at + 30 * MINUTE);
    expect(started.session.absoluteExpiresAt).toBe(at + 12 * HOUR);
  });

  it('writes last activity at most once a minute', async () => {
    const { token, started } = await alice();
    const id = started.session.id;
    const t0 = v.vault.clock.now();
    expect(lastActiveAt(id)).toBe(t0);
    v.vault.clock.advance(30 * SECOND);
    v.engine.sessions.validate(token);
    expect(lastActiveAt(id)).toBe(t0);
    v.vault.clock.advance(30 * SECOND);
    v.engine.sessions.validate(token);
    expect(lastActiveAt(id)).toBe(t0 + MINUTE);
    v.vault.clock.advance(59 * SECOND);
    v.engine.sessions.validate(token);
    expect(lastActiveAt(id)).toBe(t0 + MINUTE);
    v.vault.clock.advance(SECOND);
    v.engine.sessions.validate(token);
    expect(lastActiveAt(id)).toBe(t0 + 2 * MINUTE);
  });

  it('counts idle time from the last recorded activity', async () => {
    const { token } = await alice();
    v.vault.clock.advance(20 * MINUTE);
    v.engine.sessions.validate(token);
    v.vault.clock.advance(20 * MINUTE);
    expect(isValid(token)).toBe(true);
    v.vault.clock.advance(30 * MINUTE);
    expect(isValid(token)).toBe(false);
  });

  it('applies a shortened idle timeout to sessions already running', async () => {
    const { token } = await alice();
    v.engine.policy.set(v.admin.caller, 'session.idleTimeoutMinutes', '5');
    v.vault.clock.advance(5 * MINUTE);
    await failure(() => v.engine.sessions.validate(token), 'SESSION_EXPIRED');
  });

  it('keeps a session valid after the vault is closed and opened again by another engine', async () => {
    const { token, started } = await alice();
    v.engine.close();
    const reopened = await v.vault.open();
    v.vault.clock.advance(10 * MINUTE);
    const caller = reopened.sessions.validate(token);
    expect(caller).toMatchObject({ sessionId: started.session.id, username: 'alice' });
  });
});

describe('session limit', () => {
  it('evicts the oldest session at the sixth sign-in and audits the eviction', async () => {
    const sessions: SignedIn[] = [];
    for (let i = 0; i < 5; i += 1) {
      sessions.push(await alice(`device-${i}`));
      v.vault.clock.advance(SECOND);
    }
    const sixth = await alice('device-5');
    expect(sessions.map((s) => isValid(s.token))).toEqual([false, true, true, true, true]);
    expect(isValid(sixth.token)).toBe(true);
    expect(auditEvents(v.engine, 'session.evicted')).toEqual([
      expect.objectContaining({ sessionId: sessions[0]?.started.session.id, reason: 'evicted', device: 'device-0' }),
    ]);
    expect(v.engine.sessions.list(sixth.caller)).toHaveLength(5);
  });

  it('evicts the first session begun even when several began in the same millisecond', async () => {
    const sessions: SignedIn[] = [];
    for (let i = 0; i < 5; i += 1) sessions.push(await alice(`device-${i}`));
    await alice('device-5');
    expect(sessions.map((s) => isValid(s.token))).toEqual([false, true, true, true, true]);
  });

  it('refuses the sixth sign-in with SESSION_LIMIT_REACHED in deny mode, and audits the refusal', async () => {
    v.engine.policy.set(v.admin.caller, 'session.limitMode', 'deny');
    const sessions: SignedIn[] = [];
    for (let i = 0; i < 5; i += 1) sessions.push(await alice());
    const error = await failure(() => alice(), 'SESSION_LIMIT_REACHED');
    expect(error.details).toEqual({ limit: 5 });
    expect(sessions.every((s) => isValid(s.token))).toBe(true);
    expect(auditEvents(v.engine, 'session.limit_denied')).toEqual([
      expect.objectContaining({ outcome: 'denied', target: expect.objectContaining({ name: 'alice' }) }),
    ]);
    expect(auditEvents(v.engine, 'session.evicted')).toHaveLength(0);
  });

  it('does not count timed-out sessions against the limit', async () => {
    v.engine.policy.set(v.admin.caller, 'session.limitMode', 'deny');
    for (let i = 0; i < 5; i += 1) await alice();
    v.vault.clock.advance(31 * MINUTE);
    await expect(alice()).resolves.toBeDefined();
    expect(auditEvents(v.engine, 'session.expired')).toHaveLength(5);
  });

  it('counts sessions per account', async () => {
    for (let i = 0; i < 5; i += 1) await alice();
    const b = await bob();
    expect(auditEvents(v.engine, 'session.evicted')).toHaveLength(0);
    expect(isValid(b.token)).toBe(true);
  });
});

describe('revoking sessions', () => {
  it('lets a user end one of their own sessions', async () => {
    const laptop = await alice('laptop');
    const phone = await alice('phone');
    const view = v.engine.sessions.revoke(laptop.caller, phone.started.session.id);
    expect(view).toMatchObject({ active: false, endReason: 'revoked' });
    expect(isValid(phone.token)).toBe(false);
    expect(isValid(laptop.token)).toBe(true);
    expect(auditEvents(v.engine, 'session.revoked').at(-1)).toMatchObject({
      sessionId: phone.started.session.id,
      actor: { name: 'alice' },
      reason: 'revoked',
    });
  });

  it("answers NOT_FOUND when a non-admin tries to end another account's session", async () => {
    const a = await alice();
    const b = await bob();
    await failure(() => v.engine.sessions.revoke(a.caller, b.started.session.id), 'NOT_FOUND');
    await failure(() => v.engine.sessions.revoke(a.caller, 'sess_doesnotexist'), 'NOT_FOUND');
    expect(isValid(b.token)).toBe(true);
  });

  it("lets an admin end any account's session, recorded as revoked by an admin", async () => {
    const a = await alice();
    expect(v.engine.sessions.revoke(v.admin.caller, a.started.session.id)).toMatchObject({ endReason: 'revoked_by_admin' });
    expect(isValid(a.token)).toBe(false);
  });

  it('ends every other session of the caller and keeps the current one', async () => {
    const current = await alice('laptop');
    const others = [await alice('phone'), await alice('tablet')];
    const b = await bob();
    expect(v.engine.sessions.revokeOthers(current.caller)).toBe(2);
    expect(others.map((s) => isValid(s.token))).toEqual([false, false]);
    expect(isValid(current.token)).toBe(true);
    expect(isValid(b.token)).toBe(true);
  });

  it('lets only an admin end all sessions of an account', async () => {
    const a = [await alice(), await alice()];
    const b = await bob();
    await failure(() => v.engine.sessions.revokeAccount(b.caller, a[0]!.caller.accountId), 'NOT_AUTHORISED');
    expect(a.every((s) => isValid(s.token))).toBe(true);
    expect(v.engine.sessions.revokeAccount(v.admin.caller, a[0]!.caller.accountId)).toBe(2);
    expect(a.some((s) => isValid(s.token))).toBe(false);
    expect(isValid(b.token)).toBe(true);
  });

  it('ends the session at sign-out and audits it', async () => {
    const a = await alice();
    v.engine.sessions.signOut(a.caller);
    expect(isValid(a.token)).toBe(false);
    expect(auditEvents(v.engine, 'signout')).toEqual([expect.objectContaining({ sessionId: a.started.session.id })]);
  });

  it('ends every other session when users change their password, and keeps the current one', async () => {
    const current = await alice('laptop');
    const other = await alice('phone');
    await v.engine.accounts.changeOwnPassword(current.caller, PASSWORDS.alice, PASSWORDS.next);
    expect(isValid(current.token)).toBe(true);
    expect(isValid(other.token)).toBe(false);
    expect(auditEvents(v.engine, 'session.revoked').at(-1)).toMatchObject({ reason: 'password_changed' });
    await failure(() => alice(), 'INVALID_CREDENTIALS');
    await expect(signIn(v.engine, 'alice', PASSWORDS.next)).resolves.toBeDefined();
  });

  it('refuses a password change with a wrong current password and ends no session', async () => {
    const current = await alice('laptop');
    const other = await alice('phone');
    await failure(() => v.engine.accounts.changeOwnPassword(current.caller, PASSWORDS.bob, PASSWORDS.next), 'INVALID_CREDENTIALS');
    expect(isValid(other.token)).toBe(true);
    expect(auditEvents(v.engine, 'password.changed').at(-1)).toMatchObject({ outcome: 'failure', reason: 'wrong_current_password' });
  });

  it("ends all of an account's sessions when an admin resets its password", async () => {
    const a = [await alice(), await alice()];
    await v.engine.accounts.resetPassword(v.admin.caller, 'alice', PASSWORDS.next);
    expect(a.some((s) => isValid(s.token))).toBe(false);
    expect(auditEvents(v.engine, 'password.reset')).toHaveLength(1);
    expect(isValid(v.admin.token)).toBe(true);
  });

  it("ends an account's sessions when it is disabled, and then answers ACCOUNT_DISABLED at sign-in", async () => {
    const a = [await alice(), await alice()];
    v.engine.accounts.disable(v.admin.caller, 'alice');
    expect(a.some((s) => isValid(s.token))).toBe(false);
    expect(auditEvents(v.engine, 'session.revoked').filter((e) => e.reason === 'account_disabled')).toHaveLength(2);
    await failure(() => alice(), 'ACCOUNT_DISABLED');
    v.engine.accounts.enable(v.admin.caller, 'alice');
    await expect(alice()).resolves.toBeDefined();
  });

  it("lists a user's own live sessions, and another account's only for an admin", async () => {
    const a = await alice();
    await alice();
    const b = await bob();
    expect(v.engine.sessions.list(a.caller).map((s) => s.username)).toEqual(['alice', 'alice']);
    await failure(() => v.engine.sessions.list(a.caller, { accountId: b.caller.accountId }), 'NOT_AUTHORISED');
    await failure(() => v.engine.sessions.list(a.caller, { allAccounts: true }), 'NOT_AUTHORISED');
    expect(v.engine.sessions.list(v.admin.caller, { allAccounts: true })).toHaveLength(4);
  });
});
