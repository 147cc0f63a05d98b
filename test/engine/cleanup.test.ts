import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOUR, MINUTE } from '../../src/main/engine/clock.js';
import { BATCH_TARGET_MS, BatchPacer, CLEANUP_BATCH, ENDED_SESSION_RETENTION_MS } from '../../src/main/engine/sessions/cleanup.js';
import { SessionService } from '../../src/main/engine/sessions/sessions.js';
import { SessionRepository } from '../../src/main/store/sessions.js';
import { failure } from '../support/errors.js';
import { countRows } from '../support/raw-vault.js';
import {
  QUICK_HASH,
  addAccount,
  auditEvents,
  openVaultWithAdmin,
  signIn,
  type SignedIn,
  type VaultWithAdmin,
} from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await v.vault.dispose();
});

const sessionRows = (where = '1'): number => countRows(v.vault.path, 'sessions', where);
const names = ['alice', 'bob', 'carol', 'dave'];
/** One password for every user of these tests: they are about rows, not credentials. */
const PASSWORD = 'lanterns over the quiet harbour';

async function addUsers(): Promise<void> {
  for (const name of names) await addAccount(v.engine, v.admin.caller, name, PASSWORD);
}
const signInUser = (name: string, options: { staySignedIn?: boolean } = {}): Promise<SignedIn> => signIn(v.engine, name, PASSWORD, options);

/**
 * The batches a spied step ran: the first of CLEANUP_BATCH rows, every one but the last full (so
 * the run went on), the last short (so it stopped), and `rows` in all.
 */
function expectBatches(spy: { mock: { calls: unknown[][]; results: { value: unknown }[] } }, rows: number): void {
  const limits = spy.mock.calls.map((call) => call.at(-1));
  const done = spy.mock.results.map((result) => result.value as number);
  expect(limits[0]).toBe(CLEANUP_BATCH);
  done.slice(0, -1).forEach((n, i) => expect(n).toBe(limits[i]));
  expect(done.at(-1)).toBeLessThan(limits.at(-1) as number);
  expect(done.reduce((a, b) => a + b, 0)).toBe(rows);
}

describe('the cleanup batch size', () => {
  /** A clock each batch moves on by what it says it took. */
  function timed(pacer: (now: () => number) => BatchPacer) {
    let now = 0;
    const p = pacer(() => now);
    return (took: number, done?: number) =>
      p.run((limit) => {
        now += took;
        return done ?? limit;
      }) && p.limit;
  }

  it('halves after a batch that ran past the target and doubles after a quick full one, within bounds', () => {
    const run = timed((now) => new BatchPacer(now));
    expect(run(BATCH_TARGET_MS * 2)).toBe(CLEANUP_BATCH / 2);
    expect(run(BATCH_TARGET_MS * 2)).toBe(CLEANUP_BATCH / 4);
    for (let i = 0; i < 10; i += 1) run(BATCH_TARGET_MS * 10);
    expect(run(BATCH_TARGET_MS * 10)).toBe(10);
    expect(run(BATCH_TARGET_MS / 8)).toBe(20);
    for (let i = 0; i < 20; i += 1) run(0);
    expect(run(0)).toBe(2_000);
  });

  it('keeps the size after a batch within the target, or a quick one that was not full', () => {
    const run = timed((now) => new BatchPacer(now));
    expect(run(BATCH_TARGET_MS / 2)).toBe(CLEANUP_BATCH);
    expect(run(0, 3)).toBe(CLEANUP_BATCH);
  });
});

describe('cleanup', () => {
  it('ends timed-out sessions, keeps ended rows for the retention period, then deletes them, and reports the counts', async () => {
    await addUsers();
    const revoked = [await signInUser('alice'), await signInUser('bob')];
    const idle = [await signInUser('carol'), await signInUser('dave')];
    for (const s of revoked) v.engine.sessions.revoke(v.admin.caller, s.started.session.id);
    v.vault.clock.advance(20 * MINUTE);
    v.engine.sessions.validate(v.admin.token);
    const live = await signInUser('alice');
    v.vault.clock.advance(15 * MINUTE);
    expect(sessionRows()).toBe(6);

    const report = await v.engine.cleanUp();
    expect(report).toEqual({
      expired: 2,
      deleted: 0,
      families: 0,
      failureCounters: 0,
      abandonedSetups: 0,
      challenges: 0,
      trustedDevices: 0,
      verificationLinks: 0,
      sentCodes: 0,
      codeSends: 0,
      messageBodies: 0,
    });
    expect(sessionRows()).toBe(6);
    expect(sessionRows('active = 1')).toBe(2);
    expect(v.engine.sessions.validate(live.token).username).toBe('alice');
    expect(v.engine.sessions.validate(v.admin.token).username).toBe('admin');
    expect(
      auditEvents(v.engine, 'session.expired')
        .map((e) => e.sessionId)
        .sort(),
    ).toEqual(idle.map((s) => s.started.session.id).sort());

    // Past the retention period the four ended rows go; the two live sessions have idled out by now.
    v.vault.clock.advance(ENDED_SESSION_RETENTION_MS + 1);
    expect(await v.engine.cleanUp()).toMatchObject({ expired: 2, deleted: 4 });
    expect(sessionRows()).toBe(2);
    expect(sessionRows('active = 1')).toBe(0);
    expect(sessionRows(`id IN ('${live.started.session.id}', '${v.admin.caller.sessionId}')`)).toBe(2);
  });

  it('deletes an ended session only once it ended more than the retention period ago', async () => {
    await addUsers();
    const alice = await signInUser('alice');
    const row = `id = '${alice.started.session.id}'`;
    v.engine.sessions.revoke(v.admin.caller, alice.started.session.id);

    expect((await v.engine.cleanUp()).deleted).toBe(0);
    expect(sessionRows(row)).toBe(1);
    v.vault.clock.advance(ENDED_SESSION_RETENTION_MS);
    expect((await v.engine.cleanUp()).deleted).toBe(0);
    expect(sessionRows(row)).toBe(1);
    v.vault.clock.advance(1);
    expect((await v.engine.cleanUp()).deleted).toBe(1);
    expect(sessionRows(row)).toBe(0);
  });

  it('still reports an idle timeout as the reason when cleanup ended the session within the hour', async () => {
    await addUsers();
    const alice = await signInUser('alice');
    v.vault.clock.advance(31 * MINUTE);
    await v.engine.cleanUp();
    expect(sessionRows(`id = '${alice.started.session.id}' AND end_reason = 'idle_timeout'`)).toBe(1);
    v.vault.clock.advance(ENDED_SESSION_RETENTION_MS);
    expect((await v.engine.cleanUp()).deleted).toBe(0);

    const error = await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    expect(error.details).toMatchObject({ reason: 'idle_timeout' });

    // Once the row is gone the reason goes with it: the token is merely unknown.
    v.vault.clock.advance(1);
    await v.engine.cleanUp();
    const unknown = await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    expect(unknown.details?.reason).toBeUndefined();
  });

  it('ends sessions past their absolute timeout though never idle, and deletes them after the retention period', async () => {
    await addUsers();
    const busy = await signInUser('alice');
    const signedInAt = v.vault.clock.now();
    while (v.vault.clock.now() + 20 * MINUTE < signedInAt + 12 * HOUR) {
      v.vault.clock.advance(20 * MINUTE);
      v.engine.sessions.validate(busy.token);
    }
    v.vault.clock.set(signedInAt + 12 * HOUR);
    const report = await v.engine.cleanUp();
    expect(report).toMatchObject({ expired: 2, deleted: 0 });
    expect(sessionRows('active = 0')).toBe(2);
    v.vault.clock.advance(ENDED_SESSION_RETENTION_MS + 1);
    expect(await v.engine.cleanUp()).toMatchObject({ expired: 0, deleted: 2 });
    expect(sessionRows()).toBe(0);
    const reasons = new Map(auditEvents(v.engine, 'session.expired').map((e) => [e.sessionId, e.reason]));
    expect(reasons.get(busy.started.session.id)).toBe('absolute_timeout');
  });

  it('works through more than one batch and cleans every row', async () => {
    await addUsers();
    v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '100');
    for (const name of names) for (let i = 0; i < 40; i += 1) await signInUser(name);
    expect(v.engine.sessions.revokeAccount(v.admin.caller, v.engine.accounts.find('dave').id)).toBe(40);
    expect(sessionRows()).toBe(161);
    v.vault.clock.advance(31 * MINUTE);

    const expireBatches = vi.spyOn(SessionService.prototype, 'expireTimedOut');
    const report = await v.engine.cleanUp();
    // 120 of the users' sessions and the admin's own idled out; dave's 40 were revoked.
    expect(report).toEqual({
      expired: 121,
      deleted: 0,
      families: 0,
      failureCounters: 0,
      abandonedSetups: 0,
      challenges: 0,
      trustedDevices: 0,
      verificationLinks: 0,
      sentCodes: 0,
      codeSends: 0,
      messageBodies: 0,
    });
    expect(sessionRows('active = 0')).toBe(161);
    expectBatches(expireBatches, 121);
    expect(auditEvents(v.engine, 'session.expired')).toHaveLength(121);

    v.vault.clock.advance(ENDED_SESSION_RETENTION_MS + 1);
    const deleteBatches = vi.spyOn(SessionRepository.prototype, 'deleteEnded');
    expect(await v.engine.cleanUp()).toEqual({
      expired: 0,
      deleted: 161,
      families: 0,
      failureCounters: 0,
      abandonedSetups: 0,
      challenges: 0,
      trustedDevices: 0,
      verificationLinks: 0,
      sentCodes: 0,
      codeSends: 0,
      messageBodies: 0,
    });
    expect(sessionRows()).toBe(0);
    expectBatches(deleteBatches, 161);
  });

  it('does nothing on a second run', async () => {
    await addUsers();
    await signInUser('alice');
    v.vault.clock.advance(HOUR);
    await v.engine.cleanUp();
    expect(await v.engine.cleanUp()).toEqual({
      expired: 0,
      deleted: 0,
      families: 0,
      failureCounters: 0,
      abandonedSetups: 0,
      challenges: 0,
      trustedDevices: 0,
      verificationLinks: 0,
      sentCodes: 0,
      codeSends: 0,
      messageBodies: 0,
    });
  });

  it('keeps a stay-signed-in family whose session only idled, so the device can still refresh', async () => {
    await addUsers();
    const kept = await signInUser('alice', { staySignedIn: true });
    v.vault.clock.advance(2 * HOUR);
    expect(await v.engine.cleanUp()).toMatchObject({ expired: 2, deleted: 0, families: 0 });
    v.vault.clock.advance(ENDED_SESSION_RETENTION_MS + 1);
    expect(await v.engine.cleanUp()).toMatchObject({ expired: 0, deleted: 2, families: 0 });
    const next = v.engine.sessions.refresh(kept.started.refreshToken!, cliClient());
    expect(v.engine.sessions.validate(next.token).username).toBe('alice');
  });

  it('deletes ended families and their refresh tokens', async () => {
    await addUsers();
    const out = await signInUser('alice', { staySignedIn: true });
    v.engine.sessions.signOut(out.caller);
    await signInUser('bob', { staySignedIn: true });
    expect(countRows(v.vault.path, 'refresh_tokens')).toBe(2);
    const report = await v.engine.cleanUp();
    expect(report).toMatchObject({ deleted: 0, families: 1 });
    expect(sessionRows(`id = '${out.started.session.id}' AND end_reason = 'signed_out'`)).toBe(1);
    expect(countRows(v.vault.path, 'session_families')).toBe(1);
    expect(countRows(v.vault.path, 'refresh_tokens')).toBe(1);
    await failure(() => v.engine.sessions.refresh(out.started.refreshToken!, cliClient()), 'REFRESH_TOKEN_INVALID');
  });

  it('forgets stale failure counters but never a lock in force', async () => {
    await addUsers();
    const fail = (username: string) =>
      failure(() => v.engine.signIn.withPassword({ username, password: PASSWORDS.bob, client: cliClient() }));
    await fail('alice');
    for (let i = 0; i < 20; i += 1) {
      v.vault.clock.advance(15 * MINUTE);
      await fail('bob');
    }
    // alice's single failure is five hours old; bob's lock has just begun.
    const report = await v.engine.cleanUp();
    expect(report.failureCounters).toBe(1);
    expect(countRows(v.vault.path, 'sign_in_failures')).toBe(1);
    await failure(() => signInUser('bob'), 'LOCKED_OUT');
  });

  it('ends sessions older than a lowered absolute timeout, though their stored expiry is later', async () => {
    await addUsers();
    const alice = await signInUser('alice');
    v.engine.policy.set(v.admin.caller, 'session.absoluteTimeoutHours', '2');
    v.vault.clock.advance(2 * HOUR + MINUTE);
    // Keep the admin active so only alice's session is due.
    const report = await v.engine.cleanUp();
    expect(report.expired).toBeGreaterThanOrEqual(1);
    expect(
      auditEvents(v.engine, 'session.expired').some((e) => e.sessionId === alice.started.session.id && e.reason === 'absolute_timeout'),
    ).toBe(true);
    const error = await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    expect(error.details).toMatchObject({ reason: 'absolute_timeout' });
  });
});
