import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RULES } from '../../../src/main/engine/monitoring/rules.js';
import { POLICY_KEY_NAMES } from '../../../src/main/engine/policy/policy-keys.js';
import { HOUR, MINUTE, SECOND } from '../../../src/main/engine/clock.js';
import type { Engine } from '../../../src/main/engine/engine.js';
import type { AlertKind, AlertView } from '../../../src/shared/monitoring.js';
import { AUDITOR } from '../../support/auditor.js';
import { failure } from '../../support/errors.js';
import { codeAt, enableTotp, passwordStep, TOTP_PERIOD } from '../../support/mfa.js';
import { withRawVault } from '../../support/raw-vault.js';
import { addAccount, auditEvents, openVaultWithAdmin, QUICK_HASH, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { PASSWORDS, cliClient } from '../../support/temp-vault.js';

let setup: VaultWithAdmin;
afterEach(() => setup?.vault.dispose());

async function start(): Promise<VaultWithAdmin> {
  setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(setup.engine, setup.admin.caller, 'alice', PASSWORDS.alice);
  return setup;
}

const alerts = (engine: Engine, kind?: AlertKind): AlertView[] =>
  engine.alerts.list(AUDITOR).filter((alert) => kind === undefined || alert.kind === kind);

const setPolicy = (s: VaultWithAdmin, key: string, value: string): void => void s.engine.policy.set(s.admin.caller, key, value);

/** A wrong password for `name`, a minute after the last try (past any delay the first failures bring). */
async function wrongPassword(s: VaultWithAdmin, name: string, gap = MINUTE): Promise<void> {
  s.vault.clock.advance(gap);
  await failure(() => s.engine.signIn.withPassword({ username: name, password: 'not the password at all', client: cliClient() }));
}

describe('the rules', () => {
  it('are each named in the README with the policy keys their thresholds come from', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const start = readme.indexOf('## Security monitoring');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(RULES.length).toBeGreaterThanOrEqual(12);
    for (const key of RULES.flatMap((rule) => rule.policyKeys)) expect(section, key).toContain(key);
    for (const key of POLICY_KEY_NAMES.filter((name) => name.startsWith('monitor.'))) {
      expect(
        RULES.some((rule) => rule.policyKeys.includes(key)),
        key,
      ).toBe(true);
    }
  });
});

describe('new device', () => {
  it('raises an info alert for a sign-in from a device the account never used, not for the first sign-in or a known device', async () => {
    const s = await start();
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    expect(alerts(s.engine, 'new_device')).toEqual([]);
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'kiosk-7' });
    const [alert] = alerts(s.engine, 'new_device');
    expect(alert).toMatchObject({ severity: 'info', state: 'open', count: 1, accounts: [{ name: 'alice' }] });
    expect(alert?.summary).toContain('kiosk-7');
    const signInEvent = auditEvents(s.engine, 'signin.succeeded').at(-1);
    expect(alert?.events).toEqual([signInEvent?.seq]);
  });
});

describe('failure bursts', () => {
  it('raises a warning at monitor.failureBurst failures for one account within the window, below the lockout', async () => {
    const s = await start();
    for (let i = 0; i < 9; i += 1) await wrongPassword(s, 'alice');
    expect(alerts(s.engine, 'failure_burst')).toEqual([]);
    await wrongPassword(s, 'alice');
    const [alert] = alerts(s.engine, 'failure_burst');
    expect(alert).toMatchObject({ severity: 'warning', count: 10, accounts: [{ name: 'alice' }] });
    expect(alert?.events).toHaveLength(10);
    expect(auditEvents(s.engine, 'account.locked')).toEqual([]);
    // Later failures add to the open alert instead of raising another.
    await wrongPassword(s, 'alice');
    expect(alerts(s.engine, 'failure_burst')).toMatchObject([{ count: 11 }]);
  });

  it('follows the threshold and the window in policy', async () => {
    const s = await start();
    setPolicy(s, 'monitor.failureBurst', '3');
    setPolicy(s, 'monitor.failureWindowMinutes', '5');
    // Three failures, but never three within five minutes.
    for (let i = 0; i < 3; i += 1) await wrongPassword(s, 'alice', 3 * MINUTE);
    expect(alerts(s.engine, 'failure_burst')).toEqual([]);
    await wrongPassword(s, 'alice', 30 * SECOND);
    await wrongPassword(s, 'alice', 30 * SECOND);
    expect(alerts(s.engine, 'failure_burst')).toHaveLength(1);
  });

  it('counts wrong second-step codes as failures of the account', async () => {
    const s = await start();
    setPolicy(s, 'monitor.failureBurst', '3');
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice);
    await enableTotp(s.engine, s.vault.clock, alice.caller);
    const challenge = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    for (let i = 0; i < 3; i += 1) {
      s.vault.clock.advance(SECOND * 5);
      await failure(() => s.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code: '000000' }));
    }
    expect(alerts(s.engine, 'failure_burst')).toHaveLength(1);
  });
});

describe('password spraying', () => {
  it('raises a warning when failures reach monitor.sprayNames different names within the window, unknown names included', async () => {
    const s = await start();
    setPolicy(s, 'monitor.sprayNames', '5');
    await wrongPassword(s, 'alice', 10 * SECOND);
    await wrongPassword(s, 'admin', 10 * SECOND);
    for (const name of ['carol', 'dave']) await wrongPassword(s, name, 10 * SECOND);
    // The same name again is not another name.
    await wrongPassword(s, 'dave', 10 * SECOND);
    expect(alerts(s.engine, 'password_spray')).toEqual([]);
    await wrongPassword(s, 'erin', 10 * SECOND);
    const [alert] = alerts(s.engine, 'password_spray');
    // Its evidence is the latest failure for each name: dave's second, not both.
    expect(alert).toMatchObject({ severity: 'warning', count: 5 });
    expect(alert?.events).toHaveLength(5);
    expect(alert?.summary).toContain('5 different account names');
    // An unknown name is kept only as the digest the audit log records.
    expect(JSON.stringify(alert)).not.toMatch(/carol|dave|erin/);
  });

  it('does not count names whose failures lie outside the window', async () => {
    const s = await start();
    setPolicy(s, 'monitor.sprayNames', '3');
    setPolicy(s, 'monitor.sprayWindowMinutes', '10');
    for (const name of ['carol', 'dave', 'erin']) await wrongPassword(s, name, 6 * MINUTE);
    expect(alerts(s.engine, 'password_spray')).toEqual([]);
  });
});

describe('MFA bypass attempts', () => {
  it('raises a warning for a replayed TOTP code, with the replay event as evidence', async () => {
    const s = await start();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice);
    const { secret } = await enableTotp(s.engine, s.vault.clock, alice.caller);
    s.vault.clock.advance(TOTP_PERIOD);
    const code = codeAt(secret, s.vault.clock.now());
    const first = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    s.engine.signIn.answer({ challengeId: first.challengeId, factor: 'totp', code });
    const second = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    await failure(() => s.engine.signIn.answer({ challengeId: second.challengeId, factor: 'totp', code }), 'CODE_REPLAYED');
    const [alert] = alerts(s.engine, 'totp_replayed');
    expect(alert).toMatchObject({ severity: 'warning', accounts: [{ name: 'alice' }] });
    expect(alert?.events).toEqual([auditEvents(s.engine, 'mfa.code_replayed')[0]?.seq]);
  });

  it('raises a warning for a second step answered after it was used or expired, and counts it as no verification', async () => {
    const s = await start();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice);
    const { secret } = await enableTotp(s.engine, s.vault.clock, alice.caller);
    s.vault.clock.advance(TOTP_PERIOD);
    const used = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    s.engine.signIn.answer({ challengeId: used.challengeId, factor: 'totp', code: codeAt(secret, s.vault.clock.now()) });
    s.vault.clock.advance(TOTP_PERIOD);
    const again = () =>
      s.engine.signIn.answer({ challengeId: used.challengeId, factor: 'totp', code: codeAt(secret, s.vault.clock.now()) });
    await failure(again, 'CHALLENGE_INVALID');
    const [alert] = alerts(s.engine, 'challenge_reused');
    expect(alert).toMatchObject({ severity: 'warning', count: 1, accounts: [{ name: 'alice' }] });
    expect(alert?.summary).toContain('after it was used');
    const late = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    s.vault.clock.advance(6 * MINUTE);
    await failure(() => s.engine.signIn.answer({ challengeId: late.challengeId, factor: 'totp', code: '123456' }), 'CHALLENGE_INVALID');
    expect(alerts(s.engine, 'challenge_reused')).toMatchObject([{ count: 2 }]);
    expect(auditEvents(s.engine, 'mfa.challenge_failed').map((event) => event.reason)).toEqual(['challenge_spent', 'challenge_expired']);
    // A made-up id is no one's challenge: nothing to tell of it.
    await failure(
      () => s.engine.signIn.answer({ challengeId: `chal_${'0'.repeat(32)}`, factor: 'totp', code: '123456' }),
      'CHALLENGE_INVALID',
    );
    expect(auditEvents(s.engine, 'mfa.challenge_failed')).toHaveLength(2);
    expect(s.engine.reports.report(AUDITOR, 7).mfaVerification).toMatchObject({ succeeded: 1, failed: 0 });
  });

  it("raises it for a forced enrollment's step confirmed again after it was used", async () => {
    const s = await start();
    setPolicy(s, 'mfa.required', 'all');
    const step = await passwordStep(s.engine, 'alice', PASSWORDS.alice, { expect: 'MFA_ENROLLMENT_REQUIRED' });
    const setup = await s.engine.signIn.beginEnrollment(step.challengeId);
    s.engine.signIn.confirmEnrollment(step.challengeId, codeAt(setup.secret, s.vault.clock.now()));
    expect(alerts(s.engine, 'challenge_reused')).toEqual([]);
    s.vault.clock.advance(TOTP_PERIOD);
    await failure(
      () => s.engine.signIn.confirmEnrollment(step.challengeId, codeAt(setup.secret, s.vault.clock.now())),
      'CHALLENGE_INVALID',
    );
    await failure(() => s.engine.signIn.beginEnrollment(step.challengeId), 'CHALLENGE_INVALID');
    expect(auditEvents(s.engine, 'mfa.challenge_failed').map((event) => event.reason)).toEqual(['challenge_spent', 'challenge_spent']);
    expect(alerts(s.engine, 'challenge_reused')).toMatchObject([{ severity: 'warning', count: 2, accounts: [{ name: 'alice' }] }]);
  });

  it('raises a warning for a backup code offered again after it was used, not for a wrong one', async () => {
    const s = await start();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice);
    const { backupCodes } = await enableTotp(s.engine, s.vault.clock, alice.caller);
    const code = backupCodes[0] ?? '';
    const first = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    s.engine.signIn.answer({ challengeId: first.challengeId, factor: 'backup_code', code });
    const second = await passwordStep(s.engine, 'alice', PASSWORDS.alice);
    await failure(() => s.engine.signIn.answer({ challengeId: second.challengeId, factor: 'backup_code', code: 'AAAAA-AAAAA-AAA' }));
    expect(alerts(s.engine, 'backup_code_reused')).toEqual([]);
    await failure(() => s.engine.signIn.answer({ challengeId: second.challengeId, factor: 'backup_code', code: code.toLowerCase() }));
    expect(auditEvents(s.engine, 'mfa.challenge_failed').map((event) => event.reason)).toEqual(['wrong_backup_code', 'backup_code_reused']);
    const [alert] = alerts(s.engine, 'backup_code_reused');
    expect(alert).toMatchObject({ severity: 'warning', accounts: [{ name: 'alice' }] });
    // The code itself is nowhere in the alert or the log.
    expect(JSON.stringify(alert) + JSON.stringify(auditEvents(s.engine))).not.toContain(code.replace(/-/g, '').slice(0, 10));
  });

  it('raises a high alert for a reused "stay signed in" token', async () => {
    const s = await start();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
    const token = alice.started.refreshToken ?? '';
    s.engine.sessions.refresh(token, cliClient());
    await failure(() => s.engine.sessions.refresh(token, cliClient()), 'REFRESH_TOKEN_INVALID');
    expect(alerts(s.engine, 'refresh_token_reused')).toMatchObject([{ severity: 'high', accounts: [{ name: 'alice' }] }]);
  });
});

describe('calls without a session', () => {
  const probe = { ...cliClient(), deviceName: 'probe-box' };

  it('raises one warning when a client is refused as often as policy allows in a minute, and writes nothing before', async () => {
    const s = await start();
    setPolicy(s, 'monitor.refusedCallsPerMinute', '5');
    const events = auditEvents(s.engine).length;
    for (let i = 0; i < 4; i += 1) s.engine.alerts.noteCallWithoutSession(probe);
    expect(auditEvents(s.engine)).toHaveLength(events);
    expect(alerts(s.engine, 'calls_without_session')).toEqual([]);

    s.engine.alerts.noteCallWithoutSession(probe);
    const [alert] = alerts(s.engine, 'calls_without_session');
    expect(alert).toMatchObject({ severity: 'warning', state: 'open', accounts: [] });
    expect(alert?.summary).toMatch(/^5 calls that need a session were made without one from probe-box \(cli\)/);
    // The rest of the minute adds nothing: a flood of refusals is not a flood of rows.
    for (let i = 0; i < 50; i += 1) s.engine.alerts.noteCallWithoutSession(probe);
    expect(auditEvents(s.engine).filter((e) => e.type === 'session.calls_refused')).toHaveLength(1);

    // Counted per client and per minute: a window whose session ended, refused a few times, stays quiet.
    s.vault.clock.advance(MINUTE);
    for (let i = 0; i < 4; i += 1) s.engine.alerts.noteCallWithoutSession({ ...probe, deviceName: 'workstation' });
    for (let i = 0; i < 4; i += 1) s.engine.alerts.noteCallWithoutSession(probe);
    expect(auditEvents(s.engine).filter((e) => e.type === 'session.calls_refused')).toHaveLength(1);
  });
});

describe('a revoked session used again', () => {
  const refused = (s: VaultWithAdmin, token: string): Promise<unknown> =>
    failure(() => s.engine.sessions.validate(token), 'SESSION_EXPIRED');
  const uses = (s: VaultWithAdmin): (string | null)[] => auditEvents(s.engine, 'session.revoked_used').map((e) => e.reason);

  it('stays quiet while the refused holder hears of it, and raises a high alert once the token comes back after the grace', async () => {
    const s = await start();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    const stolen = await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    s.engine.sessions.revoke(alice.caller, stolen.caller.sessionId);

    // The first refusal tells the holder; an honest window forgets the token, and its calls still in flight are refused too.
    await refused(s, stolen.token);
    s.vault.clock.advance(10 * SECOND);
    await refused(s, stolen.token);
    expect(uses(s)).toEqual(['first_use']);
    expect(alerts(s.engine, 'revoked_session_used')).toEqual([]);

    s.vault.clock.advance(60 * SECOND);
    await refused(s, stolen.token);
    const [alert] = alerts(s.engine, 'revoked_session_used');
    expect(alert).toMatchObject({ severity: 'high', state: 'open', count: 2, accounts: [{ name: 'alice' }] });
    expect(alert?.summary).toContain('laptop');
    expect(alert?.events).toEqual(auditEvents(s.engine, 'session.revoked_used').map((e) => e.seq));

    // However often the copy is tried after that, nothing more is written.
    for (let i = 0; i < 20; i += 1) {
      s.vault.clock.advance(MINUTE);
      await refused(s, stolen.token);
    }
    expect(uses(s)).toEqual(['first_use', 'used_again']);
    expect(alerts(s.engine, 'revoked_session_used')).toMatchObject([{ count: 2 }]);
  });

  it("follows monitor.revokedSessionGraceSeconds, counts an administrator's revocation, and leaves sessions that ended otherwise alone", async () => {
    const s = await start();
    setPolicy(s, 'monitor.revokedSessionGraceSeconds', '300');
    const byAdmin = await signIn(s.engine, 'alice', PASSWORDS.alice);
    const signedOut = await signIn(s.engine, 'alice', PASSWORDS.alice);
    s.engine.sessions.revoke(s.admin.caller, byAdmin.caller.sessionId);
    s.engine.signIn.signOut(signedOut.caller);

    await refused(s, byAdmin.token);
    await refused(s, signedOut.token);
    s.vault.clock.advance(2 * MINUTE);
    await refused(s, byAdmin.token);
    await refused(s, signedOut.token);
    expect(alerts(s.engine, 'revoked_session_used')).toEqual([]);
    s.vault.clock.advance(4 * MINUTE);
    await refused(s, byAdmin.token);
    await refused(s, signedOut.token);
    expect(alerts(s.engine, 'revoked_session_used')).toMatchObject([{ count: 2 }]);
    expect(auditEvents(s.engine, 'session.revoked_used').map((e) => e.sessionId)).toEqual([
      byAdmin.caller.sessionId,
      byAdmin.caller.sessionId,
    ]);
  });

  it('raises nothing when the clock is set back after the first refusal', async () => {
    const s = await start();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice);
    const other = await signIn(s.engine, 'alice', PASSWORDS.alice);
    s.engine.sessions.revoke(alice.caller, other.caller.sessionId);
    await refused(s, other.token);
    s.vault.clock.advance(-HOUR);
    await refused(s, other.token);
    expect(alerts(s.engine, 'revoked_session_used')).toEqual([]);
  });
});

describe('clock rollback', () => {
  it("turns a clock found behind the vault's time into a high alert, once", async () => {
    const s = await start();
    s.vault.clock.advance(-2 * HOUR);
    await signIn(s.engine, 'alice', PASSWORDS.alice);
    await signIn(s.engine, 'alice', PASSWORDS.alice);
    const [alert] = alerts(s.engine, 'clock_rollback');
    expect(alert).toMatchObject({ severity: 'high', count: 1, accounts: [] });
    expect(alert?.events).toEqual([auditEvents(s.engine, 'clock.behind')[0]?.seq]);
    expect(alert?.summary).toMatch(/about 120 min behind.*stay expired/);
  });
});

describe('unusual session patterns', () => {
  it('raises a warning when more sessions than monitor.evictionsPerDay are evicted by the limit in a day', async () => {
    const s = await start();
    setPolicy(s, 'monitor.evictionsPerDay', '2');
    setPolicy(s, 'session.maxPerAccount', '2');
    for (let i = 0; i < 4; i += 1) await signIn(s.engine, 'alice', PASSWORDS.alice);
    expect(auditEvents(s.engine, 'session.evicted')).toHaveLength(2);
    expect(alerts(s.engine, 'session_evictions')).toEqual([]);
    await signIn(s.engine, 'alice', PASSWORDS.alice);
    expect(alerts(s.engine, 'session_evictions')).toMatchObject([{ severity: 'warning', count: 3 }]);
  });

  it('raises a warning for sign-ins at monitor.deviceBurst devices within the window', async () => {
    const s = await start();
    for (const device of ['laptop', 'laptop', 'phone', 'desk-3']) {
      s.vault.clock.advance(5 * MINUTE);
      await signIn(s.engine, 'alice', PASSWORDS.alice, { device });
    }
    expect(alerts(s.engine, 'many_devices')).toEqual([]);
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'kiosk-9' });
    // Its evidence is the latest sign-in at each device of the window: the laptop's second one.
    const laptopSignIns = auditEvents(s.engine, 'signin.succeeded').filter((event) => event.device === 'laptop');
    expect(alerts(s.engine, 'many_devices')).toMatchObject([{ severity: 'warning', count: 4 }]);
    expect(alerts(s.engine, 'many_devices')[0]?.events).toContain(laptopSignIns.at(-1)?.seq);
    expect(alerts(s.engine, 'many_devices')[0]?.events).not.toContain(laptopSignIns[0]?.seq);
    expect(alerts(s.engine, 'many_devices')[0]?.summary).toContain('4 different devices');
    // The same devices again add nothing; another one does.
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    expect(alerts(s.engine, 'many_devices')).toMatchObject([{ count: 4 }]);
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'kiosk-10' });
    expect(alerts(s.engine, 'many_devices')).toMatchObject([{ count: 5 }]);
  });

  it('follows monitor.deviceBurst in policy', async () => {
    const s = await start();
    setPolicy(s, 'monitor.deviceBurst', '2');
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'phone' });
    expect(alerts(s.engine, 'many_devices')).toHaveLength(1);
  });
});

describe('tampering', () => {
  it('raises a critical alert when the audit log does not verify, once per break, and keeps a resolved one resolved', async () => {
    const s = await start();
    expect(await s.engine.alerts.checkAuditLog()).toBeNull();
    withRawVault(s.vault.path, (db) => db.prepare("UPDATE audit_events SET reason = 'edited' WHERE seq = 2").run());
    const raised = await s.engine.alerts.checkAuditLog();
    expect(raised).toMatchObject({ kind: 'audit_tampered', severity: 'critical', state: 'open' });
    expect(raised?.summary).toContain('Event 2 was altered');
    await s.engine.alerts.checkAuditLog();
    expect(alerts(s.engine, 'audit_tampered')).toHaveLength(1);
    s.engine.alerts.resolve(AUDITOR, raised?.id ?? '', 'restored from backup and compared');
    await s.engine.alerts.checkAuditLog();
    expect(alerts(s.engine, 'audit_tampered')).toMatchObject([{ state: 'resolved' }]);
  });
});

describe('acting on alerts', () => {
  async function withAlert(): Promise<{ s: VaultWithAdmin; alert: AlertView }> {
    const s = await start();
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'kiosk-7' });
    const [alert] = alerts(s.engine);
    if (alert === undefined) throw new Error('expected an alert');
    return { s, alert };
  }

  it('records who acknowledged and resolved an alert, and their notes', async () => {
    const { s, alert } = await withAlert();
    const acked = s.engine.alerts.acknowledge(s.admin.caller, alert.id, 'asking alice');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: { name: 'admin' }, note: 'asking alice' }, resolved: null });
    const resolved = s.engine.alerts.resolve(s.admin.caller, alert.id, 'alice was at the kiosk');
    expect(resolved).toMatchObject({ state: 'resolved', resolved: { by: { name: 'admin' }, note: 'alice was at the kiosk' } });
    expect(s.engine.alerts.list(s.admin.caller, { unresolvedOnly: true })).toEqual([]);
    await failure(() => s.engine.alerts.resolve(s.admin.caller, alert.id, 'again'), 'CONFLICT');
    // Both acts are in the audit log, by whom, without the notes (free text stays on the alert).
    const acts = auditEvents(s.engine).filter((e) => e.type === 'alert.acknowledged' || e.type === 'alert.resolved');
    expect(acts).toEqual([
      expect.objectContaining({
        type: 'alert.acknowledged',
        actor: expect.objectContaining({ name: 'admin' }),
        details: { alert: alert.id, alertKind: alert.kind, severity: alert.severity },
      }),
      expect.objectContaining({ type: 'alert.resolved', actor: expect.objectContaining({ name: 'admin' }) }),
    ]);
    expect(JSON.stringify(acts)).not.toContain('kiosk');
  });

  it('is for administrators only, needs a note to resolve, and bounds the note', async () => {
    const { s, alert } = await withAlert();
    const alice = await signIn(s.engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await failure(() => s.engine.alerts.list(alice.caller), 'NOT_AUTHORISED');
    await failure(() => s.engine.alerts.acknowledge(alice.caller, alert.id, null), 'NOT_AUTHORISED');
    await failure(() => s.engine.reports.report(alice.caller, 30), 'NOT_AUTHORISED');
    await failure(() => s.engine.alerts.resolve(s.admin.caller, alert.id, '  '), 'INVALID_INPUT');
    await failure(() => s.engine.alerts.acknowledge(s.admin.caller, alert.id, 'x'.repeat(1001)), 'INVALID_INPUT');
    await failure(() => s.engine.alerts.show(s.admin.caller, 'alrt_nope'), 'INVALID_INPUT');
    await failure(() => s.engine.alerts.show(s.admin.caller, `alrt_${'0'.repeat(32)}`), 'NOT_FOUND');
  });

  it('tells the most severe open alert: an acknowledged one no longer counts', async () => {
    const { s, alert } = await withAlert();
    expect(s.engine.alerts.worstOpen(s.admin.caller)).toBe('info');
    s.engine.alerts.acknowledge(s.admin.caller, alert.id, null);
    expect(s.engine.alerts.worstOpen(s.admin.caller)).toBeNull();
  });
});
