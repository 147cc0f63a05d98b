import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/main/engine/clock.js';
import { failure } from '../support/errors.js';
import { enableTotp } from '../support/mfa.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin();
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const remembered = (): Promise<SignedIn> => signIn(v.engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
const refresh = (refreshToken: string) => v.engine.sessions.refresh(refreshToken, cliClient());
const isValid = (token: string): boolean => {
  try {
    v.engine.sessions.validate(token);
    return true;
  } catch {
    return false;
  }
};
const refreshTokenOf = (signedIn: { started: { refreshToken: string | null } }): string => {
  const token = signedIn.started.refreshToken;
  if (token === null) throw new Error('expected a refresh token');
  return token;
};

describe('stay signed in', () => {
  it('gives a 256-bit refresh token only when asked to stay signed in', async () => {
    const plain = await signIn(v.engine, 'alice', PASSWORDS.alice);
    expect(plain.started.refreshToken).toBeNull();
    expect(plain.started.session.staySignedIn).toBe(false);
    const kept = await remembered();
    expect(Buffer.from(refreshTokenOf(kept), 'base64url')).toHaveLength(32);
    expect(kept.started.session.staySignedIn).toBe(true);
  });

  it('gives no refresh token when policy turns staying signed in off', async () => {
    v.engine.policy.set(v.admin.caller, 'session.rememberDays', '0');
    expect((await remembered()).started.refreshToken).toBeNull();
  });

  it('trades a refresh token for a new session and a new refresh token, and ends the old session', async () => {
    const first = await remembered();
    v.vault.clock.advance(10 * MINUTE);
    const next = refresh(refreshTokenOf(first));
    expect(next.session.id).not.toBe(first.started.session.id);
    expect(next.token).not.toBe(first.token);
    expect(next.refreshToken).not.toBeNull();
    expect(next.refreshToken).not.toBe(first.started.refreshToken);
    expect(isValid(first.token)).toBe(false);
    expect(v.engine.sessions.validate(next.token)).toMatchObject({ username: 'alice', sessionId: next.session.id });
    expect(auditEvents(v.engine, 'session.refreshed')).toEqual([expect.objectContaining({ sessionId: next.session.id })]);
  });

  it('refreshes a session that has idled out, as on the next launch of the app', async () => {
    const first = await remembered();
    v.vault.clock.advance(8 * HOUR);
    await failure(() => v.engine.sessions.validate(first.token), 'SESSION_EXPIRED');
    const next = refresh(refreshTokenOf(first));
    expect(isValid(next.token)).toBe(true);
  });

  it('refuses a reused refresh token with REFRESH_TOKEN_INVALID, ends the whole family and audits the reuse', async () => {
    const first = await remembered();
    const other = await signIn(v.engine, 'alice', PASSWORDS.alice, { device: 'other' });
    const second = refresh(refreshTokenOf(first));
    const third = refresh(second.refreshToken!);
    const reuse = await failure(() => refresh(refreshTokenOf(first)), 'REFRESH_TOKEN_INVALID');
    expect(reuse.details).toBeUndefined();
    expect(isValid(third.token)).toBe(false);
    await failure(() => refresh(third.refreshToken!), 'REFRESH_TOKEN_INVALID');
    expect(auditEvents(v.engine, 'session.refresh_reuse')).toEqual([
      expect.objectContaining({ outcome: 'denied', target: expect.objectContaining({ name: 'alice' }) }),
    ]);
    expect(
      auditEvents(v.engine, 'session.revoked')
        .filter((e) => e.reason === 'refresh_reuse')
        .map((e) => e.sessionId),
    ).toEqual([third.session.id]);
    // A session outside the family is untouched.
    expect(isValid(other.token)).toBe(true);
  });

  it('answers a reuse with the same error as a token that never existed', async () => {
    const first = await remembered();
    refresh(refreshTokenOf(first));
    const reused = await failure(() => refresh(refreshTokenOf(first)));
    const unknown = await failure(() => refresh('never-issued'));
    expect(reused.toInfo()).toEqual(unknown.toInfo());
  });

  it('never lets a refreshed session outlive the family cap set by session.rememberDays', async () => {
    v.engine.policy.set(v.admin.caller, 'session.rememberDays', '1');
    const first = await remembered();
    const cap = first.started.session.createdAt + DAY;
    expect(first.started.session.absoluteExpiresAt).toBe(first.started.session.createdAt + 12 * HOUR);

    v.vault.clock.set(cap - 20 * MINUTE);
    const late = refresh(refreshTokenOf(first));
    expect(late.session.absoluteExpiresAt).toBe(cap);
    v.vault.clock.set(cap - 1);
    expect(isValid(late.token)).toBe(true);
    v.vault.clock.set(cap);
    const error = await failure(() => v.engine.sessions.validate(late.token), 'SESSION_EXPIRED');
    expect(error.details).toEqual({ reason: 'absolute_timeout' });
    await failure(() => refresh(late.refreshToken!), 'REFRESH_TOKEN_INVALID');
  });

  it('keeps a family alive through daily refreshes for its 30 days and not a moment longer', async () => {
    const first = await remembered();
    const cap = first.started.session.createdAt + 30 * DAY;
    let refreshToken = refreshTokenOf(first);
    for (let day = 1; day < 30; day += 1) {
      v.vault.clock.advance(DAY);
      const next = refresh(refreshToken);
      expect(next.session.absoluteExpiresAt).toBeLessThanOrEqual(cap);
      refreshToken = next.refreshToken!;
    }
    v.vault.clock.set(cap);
    await failure(() => refresh(refreshToken), 'REFRESH_TOKEN_INVALID');
  });

  it('ends the family at sign-out, so its refresh token no longer works', async () => {
    const first = await remembered();
    v.engine.sessions.signOut(first.caller);
    await failure(() => refresh(refreshTokenOf(first)), 'REFRESH_TOKEN_INVALID');
  });

  it('ends the family when its session is revoked', async () => {
    const first = await remembered();
    v.engine.sessions.revoke(v.admin.caller, first.started.session.id);
    await failure(() => refresh(refreshTokenOf(first)), 'REFRESH_TOKEN_INVALID');
  });

  it('lets no refresh token of a disabled account start a session', async () => {
    const first = await remembered();
    v.engine.accounts.disable(v.admin.caller, 'alice');
    v.engine.accounts.enable(v.admin.caller, 'alice');
    await failure(() => refresh(refreshTokenOf(first)), 'REFRESH_TOKEN_INVALID');
  });

  it('restores no password-only session once the account has a second factor, or policy requires one', async () => {
    const beforeTotp = await remembered();
    await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'alice', PASSWORDS.alice)).caller);
    await failure(() => refresh(refreshTokenOf(beforeTotp)), 'REFRESH_TOKEN_INVALID');

    const bob = await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const remembersBob = await signIn(v.engine, bob.username, PASSWORDS.bob, { staySignedIn: true });
    v.engine.policy.set(v.admin.caller, 'mfa.required', 'admins');
    const stillFine = refresh(refreshTokenOf(remembersBob));
    v.engine.policy.set(v.admin.caller, 'mfa.required', 'all');
    await failure(() => refresh(refreshTokenOf({ started: stillFine })), 'REFRESH_TOKEN_INVALID');
  });

  it('ends remembered families when the password changes', async () => {
    const first = await remembered();
    const current = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await v.engine.accounts.changeOwnPassword(current.caller, PASSWORDS.alice, PASSWORDS.next);
    await failure(() => refresh(refreshTokenOf(first)), 'REFRESH_TOKEN_INVALID');
  });
});
