// How long `latchkey report` takes on a vault whose audit log holds 10 million events.
//
//   npm run build:cli && bash scripts/with-test-keychain.sh node scripts/report-scale.mjs [events]
//
// The vault is made by the engine; the events are then written straight into the file, a year of
// them, with the daily counters they would have bumped (security_daily), since writing ten million
// events through the write path one by one would take most of an hour. The report reads only the
// counters and a few counts of the current state, so what it costs depends on the days covered,
// not on the log: the script times the report for 7, 30 and 90 days, and, for comparison, the same
// sign-in counts for 30 days read straight from the log with its indexes.
import Database from 'better-sqlite3';
import keytar from 'keytar';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock, openEngine } from '../out/node/main/engine/index.js';
import { OsKeychain } from '../out/node/main/secrets/keychain.js';

const EVENTS = Number(process.argv[2] ?? 10_000_000);
const DAY = 86_400_000;
const DAYS = 365;
const end = Date.UTC(2026, 11, 1, 12);
const start = end - DAYS * DAY;

const dir = mkdtempSync(join(tmpdir(), 'latchkey-report-scale-'));
const path = join(dir, 'vault.db');
const keychain = new OsKeychain(`latchkey-report-scale-${randomBytes(6).toString('hex')}`);
const quick = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const admin = { sessionId: 'sess_scale', accountId: 'acc_scale', username: 'admin', role: 'admin', deviceName: 'scale' };

try {
  const clock = new ManualClock(start);
  const made = await openEngine({ vaultPath: path, secrets: keychain, clock, hashParameters: quick });
  await made.accounts.initialise({ username: 'admin', password: 'correct horse battery staple' });
  made.close();

  const db = new Database(path);
  const began = performance.now();
  db.transaction(() => {
    const first = db.prepare('SELECT max(seq) AS seq FROM audit_events').get().seq + 1;
    // Of every 20 events: 6 sign-ins and their 6 sessions, 5 sign-outs, 2 failures, 1 wrong code.
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @count)
       INSERT INTO audit_events (seq, at, type, outcome, actor_id, actor_name, target_id, target_name, session_id, device, reason, details, mac)
       SELECT @first + i, CAST(@start + (i * @span) / @count AS INTEGER),
              CASE i % 20 WHEN 0 THEN 'signin.failed' WHEN 1 THEN 'signin.failed' WHEN 2 THEN 'mfa.challenge_failed'
                WHEN 3 THEN 'signin.succeeded' WHEN 4 THEN 'signin.succeeded' WHEN 5 THEN 'signin.succeeded'
                WHEN 6 THEN 'signin.succeeded' WHEN 7 THEN 'signin.succeeded' WHEN 8 THEN 'signin.succeeded'
                WHEN 9 THEN 'session.created' WHEN 10 THEN 'session.created' WHEN 11 THEN 'session.created'
                WHEN 12 THEN 'session.created' WHEN 13 THEN 'session.created' WHEN 14 THEN 'session.created'
                ELSE 'signout' END,
              'success', 'acc_' || (i % 5000), 'user' || (i % 5000), 'acc_' || (i % 5000), 'user' || (i % 5000),
              'sess_' || i, 'laptop-' || (i % 5000), CASE i % 20 WHEN 0 THEN 'wrong_password' WHEN 1 THEN 'unknown_account' END,
              '{"factors":"password","host":"desktop"}', zeroblob(32)
       FROM n`,
    ).run({ count: EVENTS, first, start, span: DAYS * DAY });
    // The counters those events bump, as the write path would have kept them.
    db.exec(`
      INSERT INTO security_daily (day, figure, value, count)
      SELECT at / ${DAY},
             CASE type WHEN 'signin.succeeded' THEN 'signin' WHEN 'signin.failed' THEN 'failure' WHEN 'mfa.challenge_failed' THEN 'mfa_verify'
                       WHEN 'session.created' THEN 'session_start' ELSE 'session_end' END,
             CASE type WHEN 'signin.succeeded' THEN 'password' WHEN 'signin.failed' THEN reason WHEN 'mfa.challenge_failed' THEN 'failed' ELSE '' END,
             count(*)
      FROM audit_events WHERE seq >= ${first} GROUP BY 1, 2, 3;
      -- Sessions of every length from 0 to 12 hours, every day: the most rows a day can hold.
      WITH RECURSIVE d(day) AS (SELECT ${Math.floor(start / DAY)} UNION ALL SELECT day + 1 FROM d WHERE day < ${Math.floor(end / DAY)}),
                     m(minutes) AS (SELECT 0 UNION ALL SELECT minutes + 1 FROM m WHERE minutes < 720)
      INSERT INTO security_daily (day, figure, value, count) SELECT day, 'session_minutes', CAST(minutes AS TEXT), 3 FROM d, m;
    `);
  })();
  const built = performance.now() - began;
  const rows = db.prepare('SELECT count(*) AS n FROM audit_events').get().n;
  const counters = db.prepare('SELECT count(*) AS n FROM security_daily').get().n;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();

  const engine = await openEngine({ vaultPath: path, secrets: keychain, clock: new ManualClock(end), hashParameters: quick });
  const time = (what) => {
    const t = performance.now();
    const out = what();
    return { ms: performance.now() - t, out };
  };
  // The first report after opening, then each period once more.
  const results = {};
  let signInsIn30d = 0;
  for (const [label, days] of [
    ['first, 30d', 30],
    ['7d', 7],
    ['30d', 30],
    ['90d', 90],
  ]) {
    const { ms, out } = time(() => engine.reports.report(admin, days));
    results[label] = Math.round(ms * 10) / 10;
    if (days === 30) signInsIn30d = out.totals.signIns;
  }
  engine.close();

  // The same count of sign-ins over 30 days, read from the log itself through its indexes.
  const raw = new Database(path, { readonly: true });
  const direct = time(() =>
    raw
      .prepare(
        `SELECT at / ${DAY} AS day, type, count(*) AS n FROM audit_events WHERE at >= ? AND type IN ('signin.succeeded', 'signin.failed') GROUP BY 1, 2`,
      )
      .all(end - 30 * DAY),
  );
  raw.close();

  console.log(
    JSON.stringify(
      {
        auditEvents: rows,
        counterRows: counters,
        fileMiB: Math.round(statSync(path).size / 2 ** 20),
        buildSeconds: Math.round(built / 1000),
        reportMs: results,
        signInsIn30d,
        sameCountsFromTheLogMs: Math.round(direct.ms),
      },
      null,
      2,
    ),
  );
} finally {
  // The run's own keychain service only: the vault key, the audit anchor and the time mark.
  for (const { account } of await keytar.findCredentials(keychain.service)) await keytar.deletePassword(keychain.service, account);
  rmSync(dir, { recursive: true, force: true });
}
