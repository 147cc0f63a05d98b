import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openEngine, type Engine } from '../src/main/engine/index.js';
import { ManualClock } from '../src/main/engine/clock.js';
import { OsKeychain } from '../src/main/secrets/keychain.js';
import type { ClientInfo } from '../src/shared/client.js';
import { forgetKeychainService } from '../test/support/keychain.js';
import { openVaultWithAdmin, QUICK_HASH, signIn } from '../test/support/signed-in.js';
import { keychainServiceForTest, PASSWORDS } from '../test/support/temp-vault.js';
import { floorDatabase, readFloor } from './floors.js';
import { machine, measure, table, writeResults, type Row, type Sample } from './harness.js';
import { buildScaleVault, type ScaleCounts } from './scale-vault.js';
import type { CleanupProgress } from './scale-cleanup.js';

const RESULTS = fileURLToPath(new URL('../../../bench/results-scale.json', import.meta.url));
const CLEANUP = fileURLToPath(new URL('./scale-cleanup.js', import.meta.url));
const desktop: ClientInfo = { host: 'desktop', deviceName: 'workstation', osUser: 'bench', ip: null, userAgent: 'Latchkey/bench' };

const { values: flags } = parseArgs({
  options: {
    accounts: { type: 'string', default: '100000' },
    sessions: { type: 'string', default: '1000000' },
    audit: { type: 'string', default: '10000000' },
    // How long the cleanup may run before it is stopped and reported as unfinished.
    'cleanup-limit': { type: 'string', default: '300' },
  },
});
const counts: ScaleCounts = { accounts: Number(flags.accounts), sessions: Number(flags.sessions), auditRows: Number(flags.audit) };

const step = (what: string): void => void process.stderr.write(`bench:scale: ${what}\n`);
const once = async (work: () => unknown): Promise<Sample> => {
  const started = performance.now();
  await work();
  const us = (performance.now() - started) * 1000;
  return { p50: us, p99: us, mean: us, runs: 1 };
};

async function smallVault(): Promise<{ validate: Sample; refresh: Sample }> {
  const small = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  try {
    const validate = await measure('validate, small vault', () => small.engine.sessions.validate(small.admin.token));
    let token = (await signIn(small.engine, 'admin', PASSWORDS.admin, { staySignedIn: true })).started.refreshToken;
    const refresh = await measure('refresh, small vault', () => {
      if (token === null) throw new Error('no refresh token');
      token = small.engine.sessions.refresh(token, desktop).refreshToken;
    });
    return { validate, refresh };
  } finally {
    await small.vault.dispose();
  }
}

/** The cleanup job in its own process, stopped after `limitSeconds`; its gaps between event-loop turns are its batches. */
function runCleanup(vault: string, service: string, now: number, limitSeconds: number): Promise<CleanupProgress & { stopped: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLEANUP, vault, service, String(now)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let latest: CleanupProgress = { done: false, seconds: 0, turns: 0, longestMs: 0, p50Ms: 0 };
    let latestAt = performance.now();
    let buffered = '';
    let stopped = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        latest = JSON.parse(line) as CleanupProgress;
        latestAt = performance.now();
        process.stderr.write(
          `\r  cleanup: ${latest.seconds.toFixed(0)} s, ${latest.turns} batches, longest ${latest.longestMs.toFixed(1)} ms   `,
        );
      }
    });
    const timer = setTimeout(() => {
      stopped = true;
      child.kill('SIGKILL');
    }, limitSeconds * 1000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      process.stderr.write('\n');
      // A batch still running when the job was stopped has lasted at least this long.
      const running = stopped ? performance.now() - latestAt : 0;
      resolve({ ...latest, longestMs: Math.max(latest.longestMs, running), stopped });
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-scale-'));
  const service = keychainServiceForTest();
  const secrets = new OsKeychain(service);
  const path = join(dir, 'vault.db');
  const now = Date.UTC(2026, 0, 5, 9, 0, 0);
  let engine: Engine | null = null;
  try {
    step(`building ${counts.accounts} accounts, ${counts.sessions} sessions, ${counts.auditRows} audit events`);
    const built = await buildScaleVault(path, secrets, new ManualClock(now), counts);
    const buildSeconds = built.seconds.accounts + built.seconds.sessions + built.seconds.audit;
    step(`built in ${buildSeconds.toFixed(0)} s`);

    step('floors');
    const smallFloorDb = floorDatabase(dir, 1000, 'FULL');
    const smallFloor = await readFloor(smallFloorDb.db, smallFloorDb.tokens);
    smallFloorDb.db.close();
    const bigFloorDb = floorDatabase(dir, counts.sessions, 'FULL');
    const bigFloor = await readFloor(bigFloorDb.db, bigFloorDb.tokens);
    bigFloorDb.db.close();
    const { validate: small, refresh: smallRefresh } = await smallVault();

    step('vault open');
    const open = (): Promise<Engine> => openEngine({ vaultPath: path, secrets, clock: new ManualClock(now), hashParameters: QUICK_HASH });
    const opened = await once(async () => (await open()).close());
    engine = await open();
    const large = engine;

    step('validate, list, refresh');
    const live = built.tokens.live;
    // The first validation of each token is due a touch (a write); measured are the reads after it.
    for (const { token } of live) large.sessions.validate(token);
    let i = 0;
    const validate = await measure('validate, large vault', () => large.sessions.validate(live[i++ % live.length]?.token ?? ''));
    const holder = live[0];
    if (holder === undefined) throw new Error('no live session kept');
    const caller = large.sessions.validate(holder.token);
    const listed = large.sessions.list(caller).length;
    const list = await measure('session list', () => large.sessions.list(caller));
    const refreshTokens = [...built.tokens.refresh];
    const refresh = await measure(
      'refresh with rotation, large vault',
      () => {
        const token = refreshTokens.pop();
        if (token === undefined) throw new Error('out of refresh tokens');
        large.sessions.refresh(token, desktop);
      },
      { time: 1000, iterations: Math.min(64, refreshTokens.length - 20) },
    );

    step('audit');
    const admin = await signIn(large, 'user0', PASSWORDS.alice);
    const auditList = await measure('audit list, newest 100', () => large.audit.list(admin.caller, { limit: 100 }));
    const auditListAccount = await measure('audit list, one account, newest 100', () =>
      large.audit.list(admin.caller, { accountName: 'user7', limit: 100 }),
    );
    let events = 0;
    const verify = await once(async () => {
      const verdict = await large.audit.verify(admin.caller);
      if (!verdict.intact) throw new Error('the large audit log does not verify');
      events = verdict.events;
    });
    large.close();
    engine = null;

    step('cleanup of the expired backlog');
    const cleanup = await runCleanup(path, service, now, Number(flags['cleanup-limit']));
    const bytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);

    const smallRef = { name: 'small vault', sample: small };
    const cleanupLongest: Sample = {
      p50: cleanup.p50Ms * 1000,
      p99: cleanup.longestMs * 1000,
      mean: cleanup.p50Ms * 1000,
      runs: cleanup.turns,
    };
    const rows: Row[] = [
      { group: 'floor', figure: 'read floor, 1,000-row table', sample: smallFloor },
      { group: 'floor', figure: `read floor, ${counts.sessions.toLocaleString('en')}-row table`, sample: bigFloor },
      { group: 'scale', figure: 'validate, small vault', sample: small, baseline: { name: 'floor 1,000', sample: smallFloor } },
      { group: 'scale', figure: 'validate, large vault', sample: validate, baseline: smallRef, target: '≤ 1.5× small vault' },
      {
        group: 'scale',
        figure: 'validate, large vault vs its floor',
        sample: validate,
        baseline: { name: `floor ${counts.sessions.toLocaleString('en')}`, sample: bigFloor },
        target: '≤ 2× floor',
      },
      { group: 'scale', figure: `session list (${listed} sessions)`, sample: list },
      { group: 'scale', figure: 'refresh, small vault', sample: smallRefresh },
      {
        group: 'scale',
        figure: 'refresh with rotation, large vault',
        sample: refresh,
        baseline: { name: 'small vault', sample: smallRefresh },
        target: '≤ 1.5× small vault',
      },
      { group: 'scale', figure: 'vault open', sample: opened },
      { group: 'scale', figure: 'audit list, newest 100', sample: auditList },
      { group: 'scale', figure: 'audit list, one account, newest 100', sample: auditListAccount },
      { group: 'scale', figure: `audit verify, ${events.toLocaleString('en')} rows`, sample: verify },
      {
        group: 'scale',
        figure: 'cleanup batch (p50; p99 column: longest)',
        note: `${cleanup.turns} batches in ${cleanup.seconds.toFixed(1)} s${cleanup.stopped ? `, stopped unfinished at ${flags['cleanup-limit']} s` : ''}`,
        sample: cleanupLongest,
        target: 'no batch over 20 ms; backlog cleared in < 60 s',
      },
    ];
    const printed = table(rows);
    const summary =
      `built ${counts.accounts.toLocaleString('en')} accounts, ${counts.sessions.toLocaleString('en')} sessions and ` +
      `${counts.auditRows.toLocaleString('en')} audit events in ${buildSeconds.toFixed(0)} s ` +
      `(accounts ${built.seconds.accounts.toFixed(0)} s, sessions ${built.seconds.sessions.toFixed(0)} s, audit ${built.seconds.audit.toFixed(0)} s); ` +
      `file ${(bytes / 2 ** 20).toFixed(0)} MiB; cleanup ${cleanup.stopped ? 'stopped unfinished' : JSON.stringify(cleanup.report)}`;
    process.stdout.write(`\nLatchkey bench:scale on ${machine()}\n${summary}\n\n${printed}\n\n`);
    writeResults(RESULTS, 'npm run bench:scale', rows, {
      counts,
      buildSeconds: built.seconds,
      fileBytes: bytes,
      cleanup,
    });
    process.stdout.write(`written to ${RESULTS}\n`);
  } finally {
    engine?.close();
    await forgetKeychainService(service);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
