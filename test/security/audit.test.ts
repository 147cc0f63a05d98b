import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/main/engine/clock.js';
import { failure } from '../support/errors.js';
import { passwordStep } from '../support/mfa.js';
import { withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';
import { oathtoolCode, requireWitnesses } from '../support/witnesses.js';
import { TOTP_STEP, column, enrolWithOathtool, signInWithOathtool } from './kit.js';

/**
 * security-parameters.md, "Audit log", checked as an auditor would: the rows of audit_events read
 * straight from the file after an ordinary run, then edited behind the engine's back.
 */

type Row = Record<string, string | number | Buffer | null>;

let v: VaultWithAdmin;
beforeAll(() => requireWitnesses());
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
});
afterEach(() => v.vault.dispose());

const clock = () => v.vault.clock;
const path = (): string => v.vault.path;
const rows = (): Row[] => withRawVault(path(), (db) => db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[]);
const freshAdmin = async () => (await signIn(v.engine, 'admin', PASSWORDS.admin)).caller;

/**
 * An ordinary run that touches every kind of event the rule lists, returning every secret it saw:
 * passwords, the TOTP secret and the codes typed, backup codes, and session, refresh and device tokens.
 */
async function ordinaryRun(): Promise<string[]> {
  const secrets: string[] = [PASSWORDS.admin, PASSWORDS.alice, PASSWORDS.bob, PASSWORDS.next, v.admin.token];
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.org' });
  await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
  await failure(() => signIn(v.engine, 'alice', 'a wrong password for alice'), 'INVALID_CREDENTIALS');
  await failure(() => signIn(v.engine, 'nobody', 'a wrong password for nobody'), 'INVALID_CREDENTIALS');
  const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
  secrets.push(alice.token);

  const { secret, backupCodes } = await enrolWithOathtool(v.engine, clock(), alice.caller);
  secrets.push(secret, ...backupCodes);
  const remembered = await signInWithOathtool(v.engine, clock(), 'alice', PASSWORDS.alice, secret, {
    staySignedIn: true,
    trustDevice: true,
  });
  const usedCode = oathtoolCode(secret, { at: clock().now() });
  secrets.push(remembered.token, remembered.refreshToken ?? '', remembered.deviceToken ?? '', usedCode);
  const replay = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
  await failure(() => v.engine.signIn.answer({ challengeId: replay.challengeId, factor: 'totp', code: usedCode }), 'CODE_REPLAYED');
  const withBackupCode = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
  v.engine.signIn.answer({ challengeId: withBackupCode.challengeId, factor: 'backup_code', code: backupCodes[0] ?? '' });
  secrets.push(...(await v.engine.mfa.regenerateBackupCodes(remembered.caller, PASSWORDS.alice)).backupCodes);
  const refreshed = v.engine.sessions.refresh(remembered.refreshToken ?? '', cliClient());
  secrets.push(refreshed.token, refreshed.refreshToken ?? '');

  v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '2');
  const evicting = await signIn(v.engine, 'bob', PASSWORDS.bob);
  await signIn(v.engine, 'bob', PASSWORDS.bob);
  await signIn(v.engine, 'bob', PASSWORDS.bob);
  secrets.push(evicting.token);
  v.engine.sessions.revoke(v.admin.caller, refreshed.session.id);
  clock().advance(31 * MINUTE);
  await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');

  const later = await signInWithOathtool(v.engine, clock(), 'alice', PASSWORDS.alice, secret);
  clock().advance(TOTP_STEP);
  const offCode = oathtoolCode(secret, { at: clock().now() });
  secrets.push(later.token, offCode);
  await v.engine.mfa.disableTotp(later.caller, PASSWORDS.alice, { factor: 'totp', code: offCode });
  await v.engine.accounts.changeOwnPassword(later.caller, PASSWORDS.alice, PASSWORDS.next);

  for (let i = 0; i < 20; i += 1) {
    clock().advance(15 * MINUTE);
    await failure(() => signIn(v.engine, 'bob', `wrong password number ${i}`), 'INVALID_CREDENTIALS');
  }
  const admin = await freshAdmin();
  v.engine.accounts.unlock(admin, 'bob');
  v.engine.accounts.disable(admin, 'bob');
  await v.engine.accounts.resetPassword(admin, 'alice', PASSWORDS.bob);
  return secrets.filter((s) => s !== '');
}

describe('Audit log › events: every sign-in and failure with its reason, MFA changes, backup codes, sessions, lockout, unlock, password changes, admin actions, policy, replays', () => {
  it('holds a row of each kind after an ordinary run, and a reason for each failed sign-in', async () => {
    await ordinaryRun();
    const types = new Set(rows().map((row) => row.type));
    const expected = [
      'signin.succeeded',
      'signin.failed',
      'mfa.totp_setup_started',
      'mfa.totp_enabled',
      'mfa.totp_disabled',
      'mfa.backup_code_used',
      'mfa.backup_codes_regenerated',
      'session.created',
      'session.refreshed',
      'session.revoked',
      'session.evicted',
      'session.expired',
      'account.locked',
      'account.unlocked',
      'password.changed',
      'account.disabled',
      'password.reset',
      'policy.changed',
      'mfa.code_replayed',
    ];
    expect(expected.filter((type) => !types.has(type))).toEqual([]);
    const reasons = rows()
      .filter((row) => row.type === 'signin.failed')
      .map((row) => row.reason);
    expect(reasons).not.toContain(null);
    expect(reasons).toEqual(expect.arrayContaining(['wrong_password', 'unknown_account']));
  });
});

describe('Audit log › content: who, what, when, device, outcome, reason; never a secret', () => {
  it('dates and judges every row, names the device of each sign-in, and holds no password, TOTP secret or code, backup code or token in any column', async () => {
    const start = clock().now();
    const secrets = await ordinaryRun();
    const all = rows();
    for (const row of all) {
      expect(row.at as number).toBeGreaterThanOrEqual(start - DAY);
      expect(row.at as number).toBeLessThanOrEqual(clock().now());
      expect(['success', 'failure', 'denied']).toContain(row.outcome);
    }
    for (const row of all.filter((r) => String(r.type).startsWith('signin.'))) expect(row.device).not.toBeNull();
    for (const row of all.filter((r) => r.type === 'account.disabled')) expect(row.actor_name).toBe('admin');

    const text = all
      .map((row) =>
        Object.values(row)
          .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value)))
          .join('\u0000'),
      )
      .join('\n');
    // A six-digit code is looked for as a whole number, not inside a timestamp.
    const leaked = secrets.filter((secret) => (/^\d{6}$/.test(secret) ? new RegExp(`\\b${secret}\\b`).test(text) : text.includes(secret)));
    expect(leaked).toEqual([]);
  });
});

describe('Audit log › integrity: each row carries HMAC-SHA-256 over the previous MAC and the row; verify finds an edited, removed or reordered row', () => {
  it('finds each kind of tampering, and holds again once the row is put back as it was', async () => {
    await ordinaryRun();
    const admin = await freshAdmin();
    const verify = () => v.engine.audit.verify(admin);
    const macs = column<Buffer>(path(), 'SELECT mac FROM audit_events');
    expect(macs.every((mac) => mac.length === 32)).toBe(true);
    expect(new Set(macs.map((mac) => mac.toString('hex'))).size).toBe(macs.length);
    expect(await verify()).toMatchObject({ intact: true });

    const columns = column<string>(path(), "SELECT name FROM pragma_table_info('audit_events') WHERE name <> 'seq'");
    const read = (seq: number): Row => withRawVault(path(), (db) => db.prepare('SELECT * FROM audit_events WHERE seq = ?').get(seq) as Row);
    const write = (seq: number, row: Row): void =>
      withRawVault(path(), (db) => {
        db.prepare(`UPDATE audit_events SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`).run({ ...row, seq });
      });
    const [third, eighth] = [read(3), read(8)];

    write(8, { ...eighth, reason: 'nothing to see here' });
    expect(await verify()).toMatchObject({ intact: false, brokenAt: 8 });
    write(8, eighth);
    expect(await verify()).toMatchObject({ intact: true });

    withRawVault(path(), (db) => db.prepare('DELETE FROM audit_events WHERE seq = 8').run());
    expect(await verify()).toMatchObject({ intact: false, brokenAt: 8 });
    withRawVault(path(), (db) =>
      db
        .prepare(`INSERT INTO audit_events (seq, ${columns.join(', ')}) VALUES (@seq, ${columns.map((c) => `@${c}`).join(', ')})`)
        .run(eighth),
    );
    expect(await verify()).toMatchObject({ intact: true });

    write(3, eighth);
    write(8, third);
    expect(await verify()).toMatchObject({ intact: false, brokenAt: 3 });
    write(3, third);
    write(8, eighth);
    expect(await verify()).toMatchObject({ intact: true });
  });
});

describe('Audit log › retention: kept by default; export as JSON lines', () => {
  it('keeps every row through a cleanup a year later, and exports each as one JSON object a line, in order', async () => {
    await ordinaryRun();
    const before = rows().map((row) => row.seq);
    clock().advance(400 * DAY);
    await v.engine.cleanUp();
    const after = rows().map((row) => row.seq);
    expect(after.slice(0, before.length)).toEqual(before);

    const admin = await freshAdmin();
    const lines = [...v.engine.audit.exportLines(admin)];
    expect(lines).toHaveLength(rows().length);
    const parsed = lines.map((line) => JSON.parse(line) as { seq: number; type: string; at: number });
    expect(parsed.map((event) => event.seq)).toEqual(rows().map((row) => row.seq));
    // One line each: a newline only at its end.
    for (const line of lines) expect(line.replace(/\n$/, '')).not.toContain('\n');
  });
});
