import type Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/main/engine/clock.js';
import { failure } from '../support/errors.js';
import { withRawVault } from '../support/raw-vault.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';
import { AUDITOR } from '../support/auditor.js';

let v: VaultWithAdmin;
/** Tokens handed out during the run, to look for in the log afterwards. */
let tokens: string[];

/** A run of ordinary events: accounts, sign-ins good and bad, refreshes, a policy change, sign-outs. */
async function ordinaryDay(): Promise<void> {
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.org' });
  await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
  const alice = await signIn(v.engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
  await failure(() => v.engine.signIn.withPassword({ username: 'bob', password: PASSWORDS.alice, client: cliClient() }));
  await failure(() => v.engine.signIn.withPassword({ username: 'nobody', password: PASSWORDS.bob, client: cliClient() }));
  const refreshed = v.engine.sessions.refresh(alice.started.refreshToken!, cliClient());
  v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '4');
  await v.engine.accounts.resetPassword(v.admin.caller, 'bob', PASSWORDS.next);
  const bob = await signIn(v.engine, 'bob', PASSWORDS.next);
  const bobsPhone = await signIn(v.engine, 'bob', PASSWORDS.next, { device: 'phone' });
  v.vault.clock.advance(5 * MINUTE);
  await v.engine.accounts.changeOwnPassword(bob.caller, PASSWORDS.next, 'marble owls guard the quiet archive');
  v.engine.sessions.signOut(v.engine.sessions.validate(refreshed.token));
  tokens = [v.admin.token, alice.token, alice.started.refreshToken!, refreshed.token, refreshed.refreshToken!, bob.token, bobsPhone.token];
}

const rows = (): Record<string, unknown>[] =>
  withRawVault(v.vault.path, (db) => db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Record<string, unknown>[]);
const lastSeq = (): number => withRawVault(v.vault.path, (db) => db.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number);
/** Any event that appends to the log. */
const appendOne = () => failure(() => v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.bob, client: cliClient() }));

beforeEach(async () => {
  v = await openVaultWithAdmin();
  await ordinaryDay();
});
afterEach(() => v.vault.dispose());

describe('audit log', () => {
  it('records every kind of event of an ordinary run, numbered without gaps', () => {
    const types = auditEvents(v.engine).map((e) => e.type);
    for (const type of [
      'vault.initialised',
      'account.created',
      'signin.succeeded',
      'signin.failed',
      'session.created',
      'session.refreshed',
      'policy.changed',
      'password.reset',
      'password.changed',
      'session.revoked',
      'signout',
    ] as const) {
      expect(types).toContain(type);
    }
    expect(auditEvents(v.engine).map((e) => e.seq)).toEqual(types.map((_, i) => i + 1));
  });

  it('lists events by account and by type prefix', () => {
    const alice = v.engine.accounts.find('alice');
    const hers = v.engine.audit.list(AUDITOR, { accountId: alice.id, limit: 1000 }).events;
    expect(hers.length).toBeGreaterThan(3);
    expect(hers.every((e) => e.actor?.id === alice.id || e.target?.id === alice.id)).toBe(true);
    const sessionEvents = v.engine.audit.list(AUDITOR, { type: 'session', limit: 1000 }).events;
    expect(new Set(sessionEvents.map((e) => e.type))).toEqual(new Set(['session.created', 'session.refreshed', 'session.revoked']));
  });

  it('verifies intact after a run of events', async () => {
    expect(await v.engine.audit.verify(AUDITOR)).toEqual({ intact: true, events: lastSeq() });
  });

  it('detects an edited row', async () => {
    withRawVault(v.vault.path, (db) => db.prepare("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 5").run());
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, brokenAt: 5, problem: 'altered', events: 4 });
  });

  it('detects a deleted row in the middle', async () => {
    withRawVault(v.vault.path, (db) => db.prepare('DELETE FROM audit_events WHERE seq = 7').run());
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, brokenAt: 7, problem: 'missing', events: 6 });
  });

  it('detects two rows whose contents were swapped', async () => {
    withRawVault(v.vault.path, (db) => {
      const columns = db.prepare("SELECT name FROM pragma_table_info('audit_events') WHERE name <> 'seq'").pluck().all() as string[];
      const read = db.prepare(`SELECT ${columns.join(', ')} FROM audit_events WHERE seq = ?`);
      const write = db.prepare(`UPDATE audit_events SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
      const third = read.get(3) as Record<string, unknown>;
      const eighth = read.get(8) as Record<string, unknown>;
      db.transaction(() => {
        write.run({ ...eighth, seq: 3 });
        write.run({ ...third, seq: 8 });
      })();
    });
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, brokenAt: 3, problem: 'altered' });
  });

  it('detects a deleted last row', async () => {
    const last = lastSeq();
    withRawVault(v.vault.path, (db) => db.prepare('DELETE FROM audit_events WHERE seq = ?').run(last));
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, brokenAt: last, problem: 'truncated', events: last - 1 });
  });

  it('detects a deleted last row even when the chain head was removed with it', async () => {
    const last = lastSeq();
    withRawVault(v.vault.path, (db) => {
      db.prepare('DELETE FROM audit_events WHERE seq = ?').run(last);
      db.prepare("DELETE FROM meta WHERE key = 'audit_head'").run();
    });
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, brokenAt: last, problem: 'truncated' });
  });

  it('does not heal after tampering when new events are appended', async () => {
    type Db = Database.Database;
    const deleteLast = (db: Db): number => {
      const last = db.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number;
      db.prepare('DELETE FROM audit_events WHERE seq = ?').run(last);
      return last;
    };
    /** Each tampering returns the sequence number it broke. */
    const tamperings: [string, (db: Db) => number][] = [
      ['edit', (db) => (db.prepare("UPDATE audit_events SET outcome = 'denied' WHERE seq = 4").run(), 4)],
      ['delete a middle row', (db) => (db.prepare('DELETE FROM audit_events WHERE seq = 6').run(), 6)],
      ['delete the last row', deleteLast],
      [
        'delete the last row and the head',
        (db) => {
          const last = deleteLast(db);
          db.prepare("DELETE FROM meta WHERE key = 'audit_head'").run();
          return last;
        },
      ],
    ];
    const original = v;
    try {
      for (const [what, tamper] of tamperings) {
        v = await openVaultWithAdmin();
        try {
          await ordinaryDay();
          const brokenAt = withRawVault(v.vault.path, tamper);
          expect(await v.engine.audit.verify(AUDITOR), what).toMatchObject({ intact: false, brokenAt });
          for (let i = 0; i < 3; i += 1) await appendOne();
          expect(await v.engine.audit.verify(AUDITOR), `${what}, then appended`).toMatchObject({ intact: false, brokenAt });
        } finally {
          await v.vault.dispose();
        }
      }
    } finally {
      v = original;
    }
  });

  it('detects a change to any column of any row', async () => {
    const columns = [
      'at',
      'type',
      'outcome',
      'actor_id',
      'actor_name',
      'target_id',
      'target_name',
      'session_id',
      'device',
      'reason',
      'details',
    ];
    const count = lastSeq();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: count }), fc.constantFrom(...columns), async (seq, column) => {
        const original: unknown = withRawVault(v.vault.path, (db) =>
          db.prepare(`SELECT ${column} FROM audit_events WHERE seq = ?`).pluck().get(seq),
        );
        const changed = column === 'at' ? Number(original) + 1 : original === null ? 'x' : `${String(original)}x`;
        const set = (value: unknown): void =>
          void withRawVault(v.vault.path, (db) => db.prepare(`UPDATE audit_events SET ${column} = ? WHERE seq = ?`).run(value, seq));
        set(changed);
        try {
          expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, brokenAt: seq, problem: 'altered' });
        } finally {
          set(original);
        }
        expect((await v.engine.audit.verify(AUDITOR)).intact).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('never holds a password or a session or refresh token, in any column', () => {
    const secrets = [...Object.values(PASSWORDS), 'marble owls guard the quiet archive', ...tokens];
    expect(tokens).toHaveLength(7);
    const texts = rows().flatMap((row) =>
      Object.values(row).flatMap((value) =>
        Buffer.isBuffer(value) ? [value.toString('utf8'), value.toString('hex'), value.toString('base64url')] : [String(value)],
      ),
    );
    expect(texts.length).toBeGreaterThan(100);
    for (const secret of secrets) {
      const found = texts.filter((text) => text.includes(secret));
      expect(found, 'a secret is in the audit log').toEqual([]);
    }
  });

  it('notices a log wiped whole, head and all', async () => {
    withRawVault(v.vault.path, (db) => {
      db.prepare('DELETE FROM audit_events').run();
      db.prepare("DELETE FROM meta WHERE key = 'audit_head'").run();
    });
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, problem: 'truncated' });
  });
});

describe('who reads the audit log', () => {
  const bobNow = async () => (await signIn(v.engine, 'bob', 'marble owls guard the quiet archive')).caller;

  it('gives a plain account the events by or about itself, whatever it asks for', async () => {
    const bob = await bobNow();
    const asked = v.engine.audit.list(bob, { limit: 1000 }).events;
    expect(asked.length).toBeGreaterThan(3);
    expect(asked.every((e) => e.actor?.id === bob.accountId || e.target?.id === bob.accountId)).toBe(true);
    expect(v.engine.audit.list(bob, { accountName: 'bob', limit: 1000 }).events).toEqual(asked);
  });

  it("refuses a plain account another account's events, by id, by name, or by a name no account has now", async () => {
    const bob = await bobNow();
    const alice = v.engine.accounts.find('alice');
    await failure(() => v.engine.audit.list(bob, { accountId: alice.id }), 'NOT_AUTHORISED');
    await failure(() => v.engine.audit.list(bob, { accountName: 'alice' }), 'NOT_AUTHORISED');
    await failure(() => v.engine.audit.list(bob, { accountName: 'nobody' }), 'NOT_AUTHORISED');
  });

  it('lets only an administrator verify, export and chart the log, refusing before any line is read', async () => {
    const bob = await bobNow();
    await failure(() => v.engine.audit.verify(bob), 'NOT_AUTHORISED');
    await failure(() => v.engine.audit.exportLines(bob), 'NOT_AUTHORISED');
    await failure(() => v.engine.audit.activity(bob, 7), 'NOT_AUTHORISED');
    const lines = [...v.engine.audit.exportLines(v.admin.caller)];
    expect(lines).toHaveLength(lastSeq());
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });

  it('counts sign-ins and failures per day for the chart, today last', () => {
    const days = v.engine.audit.activity(v.admin.caller, 3);
    expect(days).toHaveLength(3);
    const today = days.at(-1);
    expect(today?.signIns).toBe(auditEvents(v.engine, 'signin.succeeded').length);
    expect(today?.failures).toBe(auditEvents(v.engine, 'signin.failed').length);
    expect(days.slice(0, 2).every((day) => day.signIns === 0 && day.failures === 0)).toBe(true);
  });
});
