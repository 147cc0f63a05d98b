import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../src/shared/client.js';
import type { Result } from '../../src/shared/result.js';
import { MINUTE } from '../../src/main/engine/clock.js';
import type { Engine } from '../../src/main/engine/engine.js';
import { createRouter, newConnection, type Connection, type Router } from '../../src/main/ipc/router.js';
import { testChannels } from '../../src/browser-host/test-channels.js';
import { PASSWORDS, createTempVault, type TempVault } from '../support/temp-vault.js';
import { AUDITOR } from '../support/auditor.js';
import { errorCode, value } from './envelope.js';

const desktop: ClientInfo = { host: 'desktop', deviceName: 'workstation', osUser: 'tester', ip: null, userAgent: 'Latchkey/test' };

let vault: TempVault;
let engine: Engine;
let router: Router;

/** A router as the app has it, or (`testMode`) as the browser host's test mode has it, with the test channels. */
function open(testMode = false): Router {
  return createRouter({
    engine,
    version: '9.9.9',
    kind: 'desktop',
    osUser: 'tester',
    ...(testMode ? { testChannels: testChannels(vault.clock) } : {}),
  });
}

async function call(connection: Connection, channel: string, input: unknown = {}): Promise<Result<unknown>> {
  return router.route(connection, channel, input);
}

beforeEach(async () => {
  vault = await createTempVault();
  engine = await vault.open();
  router = open();
});
afterEach(async () => {
  await vault.dispose();
});

describe('the IPC router', () => {
  it('refuses an unknown channel without calling anything', async () => {
    expect(errorCode(await call(newConnection(desktop), 'fs.readFile', { path: '/etc/passwd' }))).toBe('INVALID_INPUT');
  });

  it('refuses input that fails the schema, naming fields but never echoing values', async () => {
    const secret = 'a password that must not come back';
    const result = await call(newConnection(desktop), 'auth.signIn', { username: 'x', password: secret, extra: true });
    expect(errorCode(result)).toBe('INVALID_INPUT');
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('signs in, keeps the token in the connection, and never returns it to the renderer', async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    const signedIn = await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin });
    expect(value<{ session: { username: string } }>(signedIn).session.username).toBe('root');
    expect(connection.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(signedIn)).not.toContain(connection.token);
    const status = value<{ signedIn: { account: { role: string } } | null }>(await call(connection, 'app.status'));
    expect(status.signedIn?.account.role).toBe('admin');
  });

  it('answers SESSION_EXPIRED to a session channel without a session, and NOT_AUTHORISED to a user on an admin channel', async () => {
    const admin = newConnection(desktop);
    value(await call(admin, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    expect(errorCode(await call(newConnection(desktop), 'sessions.list', {}))).toBe('SESSION_EXPIRED');
    value(await call(admin, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice }));
    const user = newConnection(desktop);
    value(await call(user, 'auth.signIn', { username: 'alice', password: PASSWORDS.alice }));
    expect(errorCode(await call(user, 'admin.accounts.list', {}))).toBe('NOT_AUTHORISED');
    expect(value<unknown[]>(await call(admin, 'admin.accounts.list', {}))).toHaveLength(2);
  });

  it('refuses an audit filter past its maximum length as input, before any query', async () => {
    const admin = newConnection(desktop);
    value(await call(admin, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(admin, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    expect(errorCode(await call(admin, 'admin.audit.list', { type: 'a'.repeat(60_000) }))).toBe('INVALID_INPUT');
    expect(value<unknown[]>(await call(admin, 'admin.audit.list', { type: 'signin' })).length).toBeGreaterThan(0);
  });

  it('shows the lock screen once the session idles out, and a peek is not activity', async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    for (let minute = 0; minute < 30; minute += 5) {
      vault.clock.advance(5 * MINUTE);
      const peek = value<{ state: string }>(await call(connection, 'app.peek'));
      if (minute < 25) expect(peek.state).toBe('signed_in');
    }
    expect(value(await call(connection, 'app.peek'))).toEqual({ state: 'locked', lockedUsername: 'root', reason: 'idle' });
    expect(connection.token).toBeNull();
  });

  it('tells a session revoked by an administrator from an idle lock', async () => {
    const admin = newConnection(desktop);
    value(await call(admin, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(admin, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice }));
    const alice = newConnection(desktop);
    const signedIn = value<{ account: { id: string } }>(await call(alice, 'auth.signIn', { username: 'alice', password: PASSWORDS.alice }));
    expect(value(await call(admin, 'admin.sessions.revokeAccount', { accountId: signedIn.account.id }))).toBe(1);
    expect(value(await call(alice, 'app.peek'))).toEqual({ state: 'locked', lockedUsername: 'alice', reason: 'ended' });
    expect(value(await call(alice, 'app.status'))).toMatchObject({ lockedUsername: 'alice', lockReason: 'ended' });
    value(await call(alice, 'auth.signIn', { username: 'alice', password: PASSWORDS.alice }));
    expect(value(await call(alice, 'app.peek'))).toEqual({ state: 'signed_in', lockedUsername: null, reason: null });
  });

  it('raises an alert when a window keeps calling for a session it does not have, and still refuses each call', async () => {
    const admin = newConnection(desktop);
    value(await call(admin, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(admin, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    value(await call(admin, 'admin.policy.set', { key: 'monitor.refusedCallsPerMinute', value: '10' }));
    const probe = newConnection({ ...desktop, deviceName: 'probe-box' });
    for (let i = 0; i < 12; i += 1) expect(errorCode(await call(probe, 'sessions.list', {}))).toBe('SESSION_EXPIRED');
    const alerts = value<{ kind: string; summary: string }[]>(await call(admin, 'admin.alerts.list', {}));
    expect(alerts.filter((alert) => alert.kind === 'calls_without_session')).toEqual([
      expect.objectContaining({ summary: expect.stringMatching(/^10 calls that need a session were made without one from probe-box/) }),
    ]);
  });

  it("tells every window, signed in or not, when this machine's clock is behind the vault's time", async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    expect(value(await call(connection, 'app.status'))).toMatchObject({ clockSkew: null });
    const start = vault.clock.now();
    vault.clock.advance(3 * 60 * MINUTE);
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    vault.clock.set(start);
    const status = value<{ clockSkew: { direction: string; byMs: number } | null }>(await call(newConnection(desktop), 'app.status'));
    expect(status.clockSkew?.direction).toBe('behind');
    expect(status.clockSkew?.byMs).toBeGreaterThanOrEqual(3 * 60 * MINUTE - MINUTE);
  });

  it('offers "stay signed in" and "trust this device" for the number of days policy allows, 0 meaning not at all', async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    expect(value(await call(connection, 'app.status'))).toMatchObject({ offers: { staySignedInDays: 30, trustDeviceDays: 30 } });
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    value(await call(connection, 'admin.policy.set', { key: 'session.rememberDays', value: '0' }));
    value(await call(connection, 'admin.policy.set', { key: 'mfa.trustDeviceDays', value: '7' }));
    expect(value(await call(connection, 'app.status'))).toMatchObject({ offers: { staySignedInDays: 0, trustDeviceDays: 7 } });
  });

  it('locks from the host side (screen lock, suspend): the session ends and the name is kept for the lock screen', async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    const signedIn = value<{ session: { id: string } }>(
      await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }),
    );
    await router.lock(connection);
    expect(value(await call(connection, 'app.peek'))).toEqual({ state: 'locked', lockedUsername: 'root', reason: 'idle' });
    const other = newConnection(desktop);
    value(await call(other, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    const sessions = value<{ id: string }[]>(await call(other, 'sessions.list', {}));
    expect(sessions.map((s) => s.id)).not.toContain(signedIn.session.id);
  });

  it('resumes a "stay signed in" session from the keychain in a new window, and not after sign-out', async () => {
    const first = newConnection(desktop);
    value(await call(first, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(first, 'auth.signIn', { username: 'root', password: PASSWORDS.admin, staySignedIn: true }));
    const relaunched = newConnection(desktop);
    const status = value<{ signedIn: { session: { staySignedIn: boolean } } | null }>(await call(relaunched, 'app.status'));
    expect(status.signedIn?.session.staySignedIn).toBe(true);
    value(await call(relaunched, 'auth.signOut'));
    const again = value<{ signedIn: unknown }>(await call(newConnection(desktop), 'app.status'));
    expect(again.signedIn).toBeNull();
  });

  it('ends the session of a closed window; "stay signed in" still restores the next one', async () => {
    const first = newConnection(desktop);
    value(await call(first, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(first, 'auth.signIn', { username: 'root', password: PASSWORDS.admin, staySignedIn: true }));
    const closedId = value<{ signedIn: { session: { id: string } } }>(await call(first, 'app.status')).signedIn.session.id;
    await router.release(first);
    expect(first.token).toBeNull();

    const next = newConnection(desktop);
    const status = value<{ signedIn: { session: { id: string } } | null }>(await call(next, 'app.status'));
    expect(status.signedIn?.session.id).toMatch(/^sess_/);
    expect(status.signedIn?.session.id).not.toBe(closedId);
    const admin = engine.sessions.validate(next.token ?? '');
    const sessions = engine.sessions.list(admin, { includeEnded: true });
    expect(sessions.find((session) => session.id === closedId)).toMatchObject({ active: false, endReason: 'window_closed' });
    expect(sessions.filter((session) => session.active)).toHaveLength(1);
  });

  it("refuses the test clock outside the browser host's test mode, and moves it inside", async () => {
    expect(errorCode(await call(newConnection(desktop), 'test.advanceClock', { ms: 1000 }))).toBe('NOT_AUTHORISED');
    router = open(true);
    const before = vault.clock.now();
    expect(value(await call(newConnection(desktop), 'test.advanceClock', { ms: 1000 }))).toEqual({ now: before + 1000 });
  });

  it('acts on a verification link the OS hands over and tells the window once; anything else is ignored', async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin, email: 'root@example.org' }));
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    const { link } = engine.emailVerification.issue(engine.sessions.validate(connection.token ?? ''), 'root');

    expect(router.openLink('https://example.com/verify')).toBe(false);
    expect(router.openLink(link)).toBe(true);
    expect(router.openLink(link)).toBe(true);
    const notices = value<{ kind: string }[]>(await call(newConnection(desktop), 'app.notices'));
    expect(notices).toMatchObject([
      { kind: 'email_verified', username: 'root', email: 'root@example.org' },
      { kind: 'link_refused', error: { code: 'LINK_INVALID' } },
    ]);
    expect(JSON.stringify(notices)).not.toContain(link.split('=')[1]);
    expect(value(await call(connection, 'app.notices'))).toEqual([]);
    const status = value<{ signedIn: { account: { emailVerifiedAt: number | null } } }>(await call(connection, 'app.status'));
    expect(status.signedIn.account.emailVerifiedAt).toBe(vault.clock.now());
  });

  it('anchors the audit log outside the vault before a call that wrote to it returns', async () => {
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    const { events } = await engine.audit.verify(AUDITOR);
    expect(await vault.keychain.get(`audit-anchor:${engine.vaultId}`)).toMatch(new RegExp(`^${events}\\.`));
  });

  it('keeps only the newest notices when links flood in', async () => {
    for (let i = 0; i < 20; i += 1) router.openLink(`latchkey://verify?token=${String(i).padStart(43, 'x')}`);
    expect(value<unknown[]>(await call(newConnection(desktop), 'app.notices'))).toHaveLength(8);
  });

  it("offers the link channels only in the browser host's test mode", async () => {
    const connection = newConnection(desktop);
    expect(errorCode(await call(connection, 'test.openLink', { link: 'latchkey://verify?token=x' }))).toBe('NOT_AUTHORISED');
    expect(errorCode(await call(connection, 'test.issueVerificationLink', { username: 'root' }))).toBe('NOT_AUTHORISED');
    router = open(true);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin, email: 'root@example.org' }));
    expect(errorCode(await call(connection, 'test.issueVerificationLink', { username: 'root' }))).toBe('SESSION_EXPIRED');
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    const { link } = value<{ link: string }>(await call(connection, 'test.issueVerificationLink', { username: 'root' }));
    value(await call(connection, 'test.openLink', { link }));
    expect(value(await call(connection, 'app.notices'))).toMatchObject([{ kind: 'email_verified', username: 'root' }]);
  });

  it('carries a second-factor challenge through its error details and finishes with auth.answerChallenge', async () => {
    const { totpCodeAt, totpStep } = await import('../../src/main/engine/mfa/totp.js');
    const connection = newConnection(desktop);
    value(await call(connection, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
    value(await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
    const setup = value<{ secret: string; qrDataUrl: string }>(await call(connection, 'mfa.beginTotp'));
    expect(setup.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    const now = (): string => totpCodeAt(setup.secret, totpStep(vault.clock.now(), 30));
    value(await call(connection, 'mfa.confirmTotp', { code: now() }));
    value(await call(connection, 'auth.signOut'));
    vault.clock.advance(30_000);
    const challenged = await call(connection, 'auth.signIn', { username: 'root', password: PASSWORDS.admin });
    expect(errorCode(challenged)).toBe('MFA_REQUIRED');
    const details = (challenged as unknown as { error: { details: { challengeId: string; factors: string[] } } }).error.details;
    expect(details.factors).toEqual(['totp', 'backup_code']);
    const done = value<{ session: { assurance: string } }>(
      await call(connection, 'auth.answerChallenge', { challengeId: details.challengeId, factor: 'totp', code: now() }),
    );
    expect(done.session.assurance).toBe('two_factor');
  });
});
