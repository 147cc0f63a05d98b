import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureFloors } from './floors.js';
import { machine, table, writeResults, type Row } from './harness.js';
import { concurrencyFigures } from './concurrency.js';
import { auditVerifyFigure, monitoringFigures, secondFactorFigures, sessionFigures, signInFigure } from './latchkey.js';
import { betterAuthGetSession } from './peer.js';
import { processFigures } from './processes.js';

/** The vault's own setting (store/database.ts): every commit of security state is FULL. */
const VAULT_SYNCHRONOUS = 'FULL';
const RESULTS = fileURLToPath(new URL('../../../bench/results.json', import.meta.url));

const step = (what: string): void => void process.stderr.write(`bench: ${what}…\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  try {
    step('floors');
    const floors = await measureFloors(dir, VAULT_SYNCHRONOUS);
    const read = { name: 'read floor', sample: floors.read };
    const write = { name: 'durable write', sample: floors.durableWrite };
    const argon2 = { name: 'argon2id', sample: floors.argon2 };
    step('Better Auth');
    const peer = await betterAuthGetSession(dir);
    step('sessions');
    const { figures: s, setup } = await sessionFigures();
    step('second factors');
    const mfa = await secondFactorFigures();
    step('sign-in');
    const signIn = await signInFigure();
    step('audit verify');
    const verify = await auditVerifyFigure(setup);
    await setup.vault.dispose();
    step('monitoring on and off');
    const monitoring = await monitoringFigures();
    step('processes');
    const cli = await processFigures(dir);
    step('concurrency');
    const concurrency = await concurrencyFigures();
    const node = { name: 'node -e 0', sample: cli.nodeAlone };
    const signInOverhead = {
      p50: signIn.p50 - floors.argon2.p50,
      p99: signIn.p99 - floors.argon2.p50,
      mean: signIn.mean - floors.argon2.mean,
      runs: signIn.runs,
    };
    const rows: Row[] = [
      { group: 'floor', figure: 'read floor: SHA-256 + one prepared SELECT by a 32-byte key', sample: floors.read },
      {
        group: 'floor',
        figure: `durable write: one UPDATE, synchronous=${VAULT_SYNCHRONOUS}, WAL at steady size`,
        sample: floors.durableWrite,
      },
      { group: 'floor', figure: 'argon2id, m=19456 KiB, t=2, p=1', sample: floors.argon2 },
      { group: 'peer', figure: 'Better Auth getSession (SQLite, cookie cache off)', sample: peer, baseline: read, target: '' },
      { group: 'latchkey', figure: 'validate', sample: s.validate, baseline: read, target: '≤ 2× read floor' },
      {
        group: 'latchkey',
        figure: 'validate after another process committed',
        sample: s.validateAfterCommit,
        baseline: read,
        target: '≤ 2× read floor',
      },
      {
        group: 'latchkey',
        figure: 'validate vs Better Auth getSession',
        sample: s.validate,
        baseline: { name: 'Better Auth', sample: peer },
        ratio: 'faster',
        target: '≥ 50× faster',
      },
      {
        group: 'latchkey',
        figure: 'validate through the router (app.peek)',
        note: 'both awaited, as the router calls',
        sample: s.validateThroughRouter,
        baseline: { name: 'validate, awaited', sample: s.validateAwaited },
        target: '≤ 1.2× validate',
      },
      { group: 'latchkey', figure: 'session create', note: 'sign-in at the low test argon2 cost', sample: s.create, baseline: write },
      { group: 'latchkey', figure: 'refresh with rotation', sample: s.refresh, baseline: write },
      { group: 'latchkey', figure: 'session revoke', sample: s.revoke, baseline: write },
      { group: 'latchkey', figure: 'session list, 5 sessions', sample: s.listFive, baseline: read },
      {
        group: 'latchkey',
        figure: 'TOTP verify with the replay write',
        note: 'starts the session too',
        sample: mfa.totp,
        baseline: write,
        target: '≤ 1.15× durable write',
      },
      { group: 'latchkey', figure: 'backup-code verify', note: 'starts the session too', sample: mfa.backupCode, baseline: write },
      { group: 'latchkey', figure: 'sign-in with argon2', sample: signIn, baseline: argon2 },
      { group: 'latchkey', figure: 'sign-in overhead beyond argon2', sample: signInOverhead, baseline: write },
      { group: 'latchkey', figure: 'audit append', note: 'a policy change and its event', sample: s.auditAppend, baseline: write },
      { group: 'latchkey', figure: 'audit verify per 1,000 rows', note: `${verify.rows} rows`, sample: verify.sample, baseline: read },
      {
        group: 'monitoring',
        figure: 'validate, rules on',
        sample: monitoring.validate.on,
        baseline: { name: 'rules off', sample: monitoring.validate.off },
        target: 'no measurable difference',
      },
      {
        group: 'monitoring',
        figure: 'sign-in, rules on',
        note: 'low test argon2 cost',
        sample: monitoring.signIn.on,
        baseline: { name: 'rules off', sample: monitoring.signIn.off },
        target: 'no measurable difference',
      },
      { group: 'process', figure: 'latchkey --version', sample: cli.version, baseline: node, target: '≤ 2× node -e 0' },
      { group: 'process', figure: 'latchkey whoami', sample: cli.whoami, baseline: node, target: '≤ 2× node -e 0' },
    ];
    const printed = table(rows);
    const errors = Object.entries(concurrency.errors).map(([code, n]) => `${code} ×${n}`);
    const shared =
      `Shared vault, 4 reader processes validating for 5 s: ${Math.round(concurrency.readersAlone).toLocaleString('en')} validations/s alone, ` +
      `${Math.round(concurrency.readersWithWriter).toLocaleString('en')}/s while a fifth process commits ` +
      `${Math.round(concurrency.writerCommitsPerSecond).toLocaleString('en')} changes/s; errors seen by any caller: ${errors.length === 0 ? 'none' : errors.join(', ')}.`;
    process.stdout.write(`\nLatchkey bench on ${machine()}\n\n${printed}\n\n${shared}\n\n`);
    writeResults(RESULTS, 'npm run bench', rows, { concurrency });
    process.stdout.write(`written to ${RESULTS}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
