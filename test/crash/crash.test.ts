import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock.js';
import { deriveVaultKeys } from '../../src/main/engine/crypto/vault-keys.js';
import { openEngine, type Engine } from '../../src/main/engine/engine.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { AUDITOR } from '../support/auditor.js';
import { forgetKeychainService } from '../support/keychain.js';
import { type PrivateBuild, copyBuild } from '../support/private-build.js';
import { QUICK_HASH } from '../support/signed-in.js';
import { PASSWORDS, cliClient, keychainServiceForTest } from '../support/temp-vault.js';
import { CrashModel, IDLE_TIMEOUT_MINUTES, seededRandom } from './model.js';
import type { AckedEvent, Op, WriterLine } from './ops.js';

/**
 * kill -9 in the middle of security-state writes, again and again: after each kill the vault must
 * open, pass SQLite's integrity and foreign-key checks and `audit verify`, and hold every write the
 * writer acknowledged, with its audit event, exactly as the model built from those
 * acknowledgements says. `npm test` kills a handful of times; `npm run test:crash` sets CRASH_KILLS.
 */

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a whole number of at least 1, not "${raw}"`);
  return Number(raw);
}

const KILLS = positiveInteger('CRASH_KILLS', 5);
const SEED = positiveInteger('CRASH_SEED', 20_260_105);
const BUILT = fileURLToPath(new URL('../../out/node', import.meta.url));
const WRITER_SOURCE = fileURLToPath(new URL('./writer.ts', import.meta.url));

let dir: string;
let vaultPath: string;
let keychain: OsKeychain;
let writer: string;
/** The writers' own copy of the built engine. */
let build: PrivateBuild;
let model: CrashModel;
const random = seededRandom(SEED ^ 0x5eed);

beforeAll(async () => {
  if (!existsSync(join(BUILT, 'main/engine/engine.js')))
    throw new Error('The engine is not built: run `npm run build:cli` (npm test builds it) before the crash test.');
  dir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
  vaultPath = join(dir, 'vault.db');
  keychain = new OsKeychain(keychainServiceForTest());
  // The writer is TypeScript for the type checker; node runs it as the JavaScript it transpiles to.
  writer = join(dir, 'writer.mjs');
  const { outputText } = ts.transpileModule(readFileSync(WRITER_SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: 'writer.ts',
  });
  writeFileSync(writer, outputText);
  build = copyBuild('latchkey-crash-build-');

  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const engine = await openEngine({ vaultPath, secrets: keychain, clock, hashParameters: QUICK_HASH });
  const root = await engine.accounts.initialise({ username: 'root', password: PASSWORDS.admin });
  const started = await engine.signIn.withPassword({ username: 'root', password: PASSWORDS.admin, client: cliClient('crash-setup') });
  // Policy out of the writes' way: no lockout delay, no timeouts, no evictions the model would have to foresee.
  for (const [key, value] of [
    ['lockout.lockAfterFailures', '100'],
    ['lockout.delayAfterFailures', '99'],
    ['session.idleTimeoutMinutes', String(IDLE_TIMEOUT_MINUTES)],
    ['session.absoluteTimeoutHours', '720'],
    ['session.maxPerAccount', '100'],
  ] as const) {
    engine.policy.set(started.caller, key, value);
  }
  const lastSeq = engine.audit.list(AUDITOR, { limit: 1 }).events.at(-1)?.seq ?? 0;
  engine.close();
  model = new CrashModel({
    seed: SEED,
    at: clock.now(),
    lastSeq,
    root: { id: root.id, password: PASSWORDS.admin, token: started.token, sessionId: started.session.id },
  });
}, 60_000);

afterAll(async () => {
  if (keychain !== undefined) await forgetKeychainService(keychain.service);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  build?.dispose();
});

interface Run {
  /** The write sent and not acknowledged when the kill came, if any. */
  readonly inFlight: Op | null;
  readonly acknowledged: number;
}

/** Starts a writer, feeds it writes one after another, and kills it with SIGKILL at a random moment. */
async function runUntilKilled(): Promise<Run> {
  const child = spawn(
    process.execPath,
    [writer, '--out', build.out, '--vault', vaultPath, '--keychain-service', keychain.service, '--at', String(model.now)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let inFlight: Op | null = null;
  let acknowledged = 0;
  let failure: unknown = null;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // Writing to a writer that was just killed fails with EPIPE: that write was never sent.
  child.stdin.on('error', () => undefined);
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  // Now and then the kill comes while the writer is still starting: opening must not harm the vault either.
  const early = random() < 0.15;
  let timer = early ? setTimeout(kill, 50 + random() * 900) : null;
  const send = (): void => {
    if (child.killed || child.exitCode !== null) return;
    inFlight = model.next();
    child.stdin.write(`${JSON.stringify(inFlight)}\n`);
  };
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (failure !== null) return;
    try {
      const said = JSON.parse(line) as WriterLine;
      if ('ready' in said) {
        // Mostly after a stream of writes; sometimes within the first one or two.
        timer ??= setTimeout(kill, random() < 0.2 ? random() * 25 : 25 + random() * 1_500);
        send();
        return;
      }
      const op: Op | null = inFlight;
      if (op === null || said.ack !== op.n) throw new Error(`an acknowledgement (${said.ack}) of a write that was not sent`);
      inFlight = null;
      model.acknowledge(op, said.outcome, said.events);
      acknowledged += 1;
      send();
    } catch (error) {
      failure = error;
      kill();
    }
  });
  const [, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (timer !== null) clearTimeout(timer);
  if (failure !== null) throw failure;
  if (signal !== 'SIGKILL') throw new Error(`the writer ended by itself (${child.exitCode}), not by the kill:\n${stderr}`);
  return { inFlight, acknowledged };
}

/** Everything the vault must say after a kill. */
async function checkVault(run: Run): Promise<void> {
  // The vault opens (the engine checks its pages and key at open) …
  const engine: Engine = await openEngine({
    vaultPath,
    secrets: keychain,
    clock: new ManualClock(model.now),
    create: false,
    hashParameters: QUICK_HASH,
  });
  const db = new Database(vaultPath, { fileMustExist: true });
  try {
    // … SQLite finds nothing damaged, no row refers to a missing one, and the audit chain holds.
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(engine.verifyVault()).toMatchObject({ intact: true });
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });

    const after = db
      .prepare<[number], { seq: number; type: string; outcome: string; target_name: string | null; session_id: string | null }>(
        'SELECT seq, type, outcome, target_name, session_id FROM audit_events WHERE seq > ? ORDER BY seq',
      )
      .all(model.lastSeq)
      .map((e): AckedEvent => ({ seq: e.seq, type: e.type, outcome: e.outcome, target: e.target_name, sessionId: e.session_id }));
    model.settleInFlight(run.inFlight, after);

    const vaultKey = Buffer.from((await keychain.get(engine.vaultId)) ?? '', 'base64');
    const differences = await model.differences(db, deriveVaultKeys(vaultKey, engine.vaultId).lookupSecrets);
    expect(
      differences,
      `after a kill with ${run.inFlight === null ? 'no write' : `write ${run.inFlight.n} (${run.inFlight.kind})`} in flight`,
    ).toEqual([]);
  } finally {
    db.close();
    engine.close();
  }
}

/** What `vault verify` says of the file now, for a failure's message. */
async function vaultVerdict(): Promise<unknown> {
  try {
    const engine = await openEngine({
      vaultPath,
      secrets: keychain,
      clock: new ManualClock(model.now),
      create: false,
      hashParameters: QUICK_HASH,
    });
    try {
      return engine.verifyVault();
    } finally {
      engine.close();
    }
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

describe('kill -9 during security-state writes', () => {
  it(
    `keeps the vault whole and every acknowledged write, across ${KILLS} kills (seed ${SEED})`,
    async () => {
      const started = Date.now();
      for (let kill = 1; kill <= KILLS; kill += 1) {
        model.restart();
        try {
          await checkVault(await runUntilKilled());
        } catch (error) {
          throw new Error(
            `kill ${kill} of ${KILLS} (replay: CRASH_SEED=${SEED} CRASH_KILLS=${KILLS}): ${error instanceof Error ? error.message : String(error)}\n` +
              `vault verify: ${JSON.stringify(await vaultVerdict())}`,
            { cause: error },
          );
        }
      }
      const { committed, notCommitted, none } = model.inFlight;
      console.log(
        `crash: ${KILLS} kills survived; ${model.acknowledged} acknowledged writes checked after each kill; ` +
          `at the kill a write had committed unacknowledged ${committed} times, had not committed ${notCommitted} times, none was under way ${none} times; ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s; by kind ${JSON.stringify(model.kinds)}`,
      );
      expect(model.acknowledged).toBeGreaterThan(0);
    },
    60_000 + KILLS * 10_000,
  );

  it('would notice a lost write: the same checks fail on a vault that dropped one', async () => {
    const engine = await openEngine({
      vaultPath,
      secrets: keychain,
      clock: new ManualClock(model.now),
      create: false,
      hashParameters: QUICK_HASH,
    });
    const db = new Database(vaultPath, { fileMustExist: true });
    try {
      const vaultKey = Buffer.from((await keychain.get(engine.vaultId)) ?? '', 'base64');
      const key = deriveVaultKeys(vaultKey, engine.vaultId).lookupSecrets;
      expect(await model.differences(db, key)).toEqual([]);
      // As if the last sign-in had been acknowledged but lost: its session and its events gone.
      const last = db.prepare<[], { id: string }>('SELECT id FROM sessions ORDER BY created_at DESC, rowid DESC LIMIT 1').get();
      db.prepare('DELETE FROM sessions WHERE id = ?').run(last?.id ?? '');
      db.prepare('DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)').run();
      expect((await model.differences(db, key)).length).toBeGreaterThan(0);
      expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: false });
    } finally {
      db.close();
      engine.close();
    }
  });
});
