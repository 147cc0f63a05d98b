/**
 * The crash test's writer: a small program run with node against the built engine (out/node). It
 * opens the vault, says it is ready, then performs the security-state writes the parent sends on
 * standard input, one a line, and prints an acknowledgement after each has committed (and its
 * audit event with it), until the parent kills it with SIGKILL. Its own mistakes end it with a
 * message on stderr and exit status 3, which the parent tells apart from a kill.
 *
 *   node writer.mjs --out DIR --vault PATH --keychain-service NAME --at MS
 *
 * The parent transpiles this file to JavaScript; only type imports reach the sources.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as EngineModule from '../../src/main/engine/engine.js';
import type * as ClockModule from '../../src/main/engine/clock.js';
import type * as KeychainModule from '../../src/main/secrets/keychain.js';
import type * as ErrorsModule from '../../src/shared/errors.js';
import type { Caller } from '../../src/main/engine/caller.js';
import type { ClientInfo } from '../../src/shared/client.js';
import type { AckedEvent, Op, Outcome, Produced, WriterLine } from './ops.js';

const { values } = parseArgs({
  options: { out: { type: 'string' }, vault: { type: 'string' }, 'keychain-service': { type: 'string' }, at: { type: 'string' } },
});
const out = values.out ?? '';
const built = <T>(path: string): Promise<T> => import(pathToFileURL(join(out, path)).href) as Promise<T>;

const { openEngine } = await built<typeof EngineModule>('main/engine/engine.js');
const { ManualClock } = await built<typeof ClockModule>('main/engine/clock.js');
const { OsKeychain } = await built<typeof KeychainModule>('main/secrets/keychain.js');
const { isLatchkeyError } = await built<typeof ErrorsModule>('shared/errors.js');

// The vault's time when the writer starts; each write then brings its own.
const clock = new ManualClock(Number(values.at));
const engine = await openEngine({
  vaultPath: values.vault ?? '',
  secrets: new OsKeychain(values['keychain-service'] ?? ''),
  clock,
  create: false,
  // The crash test measures nothing about hashing: the cheapest argon2id the engine allows tests.
  hashParameters: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
});
const client: ClientInfo = { host: 'cli', deviceName: 'crash-writer', osUser: 'tester', ip: null, userAgent: 'latchkey-crash/1' };
const auditor: Caller = {
  sessionId: 'sess_crash_auditor',
  accountId: 'acc_crash_auditor',
  username: 'auditor',
  role: 'admin',
  deviceName: 'crash',
};

function say(line: WriterLine): void {
  // Standard output to a pipe is synchronous on Linux: once this returns, the parent can read it.
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function lastSeq(): number {
  return engine.audit.list(auditor, { limit: 1 }).events.at(-1)?.seq ?? 0;
}

function eventsAfter(seq: number): AckedEvent[] {
  return engine.audit
    .list(auditor, { limit: 100 })
    .events.filter((event) => event.seq > seq)
    .map((event) => ({
      seq: event.seq,
      type: event.type,
      outcome: event.outcome,
      target: event.target?.name ?? null,
      sessionId: event.sessionId,
    }));
}

const session = (token: string): Caller => engine.sessions.validate(token);

async function perform(op: Op): Promise<Produced> {
  switch (op.kind) {
    case 'fail':
    case 'signin': {
      try {
        const started = await engine.signIn.withPassword({ username: op.username, password: op.password, client });
        return { sessionId: started.session.id, token: started.token };
      } catch (error) {
        const challengeId = isLatchkeyError(error, 'MFA_REQUIRED') ? error.details?.challengeId : undefined;
        if (op.kind !== 'signin' || op.second === null || typeof challengeId !== 'string') throw error;
        const done = engine.signIn.answer({ challengeId, factor: op.second.factor, code: op.second.code });
        return { sessionId: done.session.id, token: done.token };
      }
    }
    case 'signout':
      engine.signIn.signOut(session(op.token));
      return {};
    case 'passwd_own':
      await engine.accounts.changeOwnPassword(session(op.token), op.current, op.next);
      return {};
    case 'passwd_reset':
      await engine.accounts.resetPassword(session(op.admin), op.username, op.next);
      return {};
    case 'create':
      return { accountId: (await engine.accounts.add(session(op.admin), { username: op.username, password: op.password })).id };
    case 'disable':
      engine.accounts.disable(session(op.admin), op.username);
      return {};
    case 'enable':
      engine.accounts.enable(session(op.admin), op.username);
      return {};
    case 'mfa_begin':
      return { secret: (await engine.mfa.beginTotp(session(op.token))).secret };
    case 'mfa_confirm':
      return { backupCodes: engine.mfa.confirmTotp(session(op.token), op.code).backupCodes };
    case 'regenerate':
      return { backupCodes: (await engine.mfa.regenerateBackupCodes(session(op.token), op.password)).backupCodes };
  }
}

say({ ready: true, pid: process.pid });
try {
  for await (const line of createInterface({ input: process.stdin })) {
    const op = JSON.parse(line) as Op;
    clock.set(op.at);
    const before = lastSeq();
    let outcome: Outcome;
    try {
      outcome = { ok: true, ...(await perform(op)) };
    } catch (error) {
      if (!isLatchkeyError(error)) throw error;
      outcome = { ok: false, code: error.code, message: error.message };
    }
    // As every host does before it answers: the chain's furthest point goes to the keychain.
    await engine.audit.anchor();
    say({ ack: op.n, outcome, events: eventsAfter(before) });
  }
  engine.close();
} catch (error) {
  process.stderr.write(`crash writer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(3);
}
