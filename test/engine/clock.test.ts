import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, ManualClock, ManualUptime, SECOND } from '../../src/main/engine/clock.js';
import { openEngine, type Engine } from '../../src/main/engine/engine.js';
import { AuditAnchor } from '../../src/main/engine/audit/audit-anchor.js';
import { AuditLog } from '../../src/main/engine/audit/audit-log.js';
import { deriveVaultKeys } from '../../src/main/engine/crypto/vault-keys.js';
import { AuditRepository } from '../../src/main/store/audit.js';
import { MetaRepository } from '../../src/main/store/meta.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { AUDITOR, allEvents } from '../support/auditor.js';
import { failure } from '../support/errors.js';
import { codeAt, enableTotp, passwordStep } from '../support/mfa.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

/**
 * The process's clock is an input anyone can move (libfaketime needs no privilege). Each case is
 * one the clock was once turned against: a second engine on the same file is a second process,
 * with a clock of its own and, where it says so, the same machine's uptime.
 */
let v: VaultWithAdmin;
let others: Engine[];
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  others = [];
});
afterEach(async () => {
  for (const engine of others) engine.close();
  await v.vault.dispose();
});

/** Another process on the same vault, whose clock starts at `at`. */
async function process(at: number, uptime?: ManualUptime): Promise<{ engine: Engine; clock: ManualClock }> {
  const clock = new ManualClock(at);
  const engine = await openEngine({
    vaultPath: v.vault.path,
    secrets: v.vault.keychain,
    clock,
    hashParameters: QUICK_HASH,
    ...(uptime === undefined ? {} : { uptime }),
  });
  others.push(engine);
  return { engine, clock };
}

/** What an attempt ended with: 'ok', or its error's code. */
async function codeOf(attempt: Promise<unknown> | (() => unknown)): Promise<ErrorCode | 'ok'> {
  try {
    await (typeof attempt === 'function' ? attempt() : attempt);
    return 'ok';
  } catch (error) {
    const code = (error as { code?: ErrorCode }).code;
    if (code === undefined) throw error;
    return code;
  }
}

/** Alice signs in at `start` and uses her session every 20 minutes until 11 h 50 min. */
async function keptBusy(start: number): Promise<Awaited<ReturnType<typeof signIn>>> {
  const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
  for (let at = start + 20 * MINUTE; at <= start + 11 * HOUR + 50 * MINUTE; at += 20 * MINUTE) {
    v.vault.clock.set(at);
    v.engine.sessions.validate(alice.token);
  }
  return alice;
}

const aliceSignIn = (engine: Engine, password: string): Promise<unknown> =>
  engine.signIn.withPassword({ username: 'alice', password, client: cliClient() });

describe('a clock put back', () => {
  it('revives no session that had passed its 12-hour cap once the vault had seen a later time', async () => {
    const start = v.vault.clock.now();
    const alice = await keptBusy(start);
    // The vault is used at 12 h 10 min (the admin signs in again); alice's session is not touched.
    v.vault.clock.set(start + 12 * HOUR + 10 * MINUTE);
    await signIn(v.engine, 'admin', PASSWORDS.admin);
    // Then a process whose clock says 11 h 55 min: five minutes idle, under 12 hours old, by it.
    const behind = await process(start + 11 * HOUR + 55 * MINUTE);
    await failure(() => behind.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    v.vault.clock.set(start + 11 * HOUR + 55 * MINUTE);
    await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
  });

  it('is audited once when a change is made, with how far behind it is', async () => {
    const start = v.vault.clock.now();
    v.vault.clock.advance(3 * HOUR);
    await signIn(v.engine, 'admin', PASSWORDS.admin);
    const behind = await process(start);
    await signIn(behind.engine, 'admin', PASSWORDS.admin);
    await signIn(behind.engine, 'admin', PASSWORDS.admin);
    const events = allEvents(v.engine).filter((event) => event.type === 'clock.behind');
    expect(events).toHaveLength(1);
    expect(events[0]?.details?.['byMs']).toBeGreaterThanOrEqual(3 * HOUR - MINUTE);
  });

  it("keeps the vault's time in the keychain too, so removing it from the file takes nothing back", async () => {
    const start = v.vault.clock.now();
    const alice = await keptBusy(start);
    v.vault.clock.set(start + 12 * HOUR + 10 * MINUTE);
    await signIn(v.engine, 'admin', PASSWORDS.admin);
    await v.engine.audit.anchor();
    v.engine.close();
    const db = new Database(v.vault.path);
    db.prepare("DELETE FROM meta WHERE key IN ('time_mark', 'time_reference')").run();
    db.close();
    const behind = await process(start + 11 * HOUR + 55 * MINUTE);
    await failure(() => behind.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
  });
});

describe('processes whose clocks run an hour apart', () => {
  it('keep one lockout: of 40 wrong passwords alternating between them, 20 are checked and the lock holds', async () => {
    const uptime = new ManualUptime();
    const honest = await process(v.vault.clock.now(), uptime);
    const fast = await process(v.vault.clock.now() + HOUR, uptime);
    const codes: (ErrorCode | 'ok')[] = [];
    for (let attempt = 0; attempt < 40; attempt += 1) {
      codes.push(await codeOf(aliceSignIn(attempt % 2 === 0 ? fast.engine : honest.engine, PASSWORDS.bob)));
      // Before the lock each attempt waits out the longest delay; after it, a minute.
      const wait = attempt < 20 ? 16 * MINUTE : MINUTE;
      for (const clock of [honest.clock, fast.clock]) clock.advance(wait);
      uptime.advance(wait);
    }
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(20);
    expect(codes.slice(20).every((code) => code === 'LOCKED_OUT')).toBe(true);
    expect(await codeOf(aliceSignIn(fast.engine, PASSWORDS.alice))).toBe('LOCKED_OUT');
    expect(await codeOf(aliceSignIn(honest.engine, PASSWORDS.alice))).toBe('LOCKED_OUT');
  });
});

describe('a clock moved forward within one start of the machine', () => {
  it('ends no lock early: the time counted since the start is followed, and the clock is audited', async () => {
    const uptime = new ManualUptime();
    const honest = await process(v.vault.clock.now(), uptime);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await codeOf(aliceSignIn(honest.engine, PASSWORDS.bob));
      // Every wait of the delay schedule, really waited.
      honest.clock.advance(16 * MINUTE);
      uptime.advance(16 * MINUTE);
    }
    expect(await codeOf(aliceSignIn(honest.engine, PASSWORDS.alice))).toBe('LOCKED_OUT');
    // Two hours on by the clock, a minute by the machine: the lock of 60 minutes holds.
    const jumped = await process(honest.clock.now() + 2 * HOUR, uptime);
    expect(await codeOf(aliceSignIn(jumped.engine, PASSWORDS.alice))).toBe('LOCKED_OUT');
    uptime.advance(61 * MINUTE);
    honest.clock.advance(61 * MINUTE);
    jumped.clock.advance(61 * MINUTE);
    expect(await codeOf(aliceSignIn(honest.engine, PASSWORDS.alice))).toBe('ok');
    expect(allEvents(v.engine).some((event) => event.type === 'clock.ahead')).toBe(true);
  });

  it('cannot spend a TOTP code from an hour ahead, so the honest code still signs in', async () => {
    const uptime = new ManualUptime();
    const honest = await process(v.vault.clock.now(), uptime);
    const alice = await signIn(honest.engine, 'alice', PASSWORDS.alice);
    const { secret } = await enableTotp(honest.engine, honest.clock, alice.caller);
    honest.clock.advance(MINUTE);
    uptime.advance(MINUTE);

    // A process an hour fast, answered with the code an authenticator an hour fast would show.
    const fast = await process(honest.clock.now() + HOUR, uptime);
    const early = await passwordStep(fast.engine, 'alice', PASSWORDS.alice);
    const refused = await codeOf(() =>
      fast.engine.signIn.answer({ challengeId: early.challengeId, factor: 'totp', code: codeAt(secret, fast.clock.now()) }),
    );
    expect(refused).toBe('CODE_INVALID');
    const ahead = allEvents(v.engine).filter((event) => event.type === 'mfa.code_ahead');
    expect(ahead).toHaveLength(1);
    expect(ahead[0]).toMatchObject({ outcome: 'denied', target: { name: 'alice' } });

    // The honest code of now is not a replay: the hour-ahead step was never recorded as used.
    honest.clock.advance(30 * SECOND);
    uptime.advance(30 * SECOND);
    const challenge = await passwordStep(honest.engine, 'alice', PASSWORDS.alice);
    expect(
      await codeOf(() =>
        honest.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code: codeAt(secret, honest.clock.now()) }),
      ),
    ).toBe('ok');
  });
});

describe('audit verify', () => {
  it('reports events dated before an earlier one, though their chain holds', async () => {
    const start = v.vault.clock.now();
    v.engine.close();
    // A log written as an older version wrote it, with the process's clock put back an hour.
    const db = new Database(v.vault.path);
    const meta = new MetaRepository(db);
    const vaultId = meta.get('vault_id') ?? '';
    const stored = await v.vault.keychain.get(vaultId);
    const keys = deriveVaultKeys(Buffer.from(stored ?? '', 'base64'), vaultId);
    const log = new AuditLog(
      new AuditRepository(db),
      meta,
      keys.auditChain,
      new ManualClock(start - HOUR),
      new AuditAnchor(v.vault.keychain, vaultId, keys.auditChain),
    );
    db.transaction(() => log.append({ type: 'signin.failed', outcome: 'failure', reason: 'wrong_password' }))();
    db.close();

    const reopened = await process(start);
    const verdict = await reopened.engine.audit.verify(AUDITOR);
    expect(verdict).toMatchObject({ intact: false, problem: 'time_backwards' });
  });

  it('finds none in a log written by processes whose clocks disagree', async () => {
    const start = v.vault.clock.now();
    const behind = await process(start - 2 * HOUR);
    const ahead = await process(start + 2 * HOUR);
    for (const engine of [ahead.engine, behind.engine, v.engine, behind.engine]) await codeOf(aliceSignIn(engine, PASSWORDS.bob));
    const times = allEvents(v.engine).map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
  });
});
