// One process of the concurrency figure: validates a session in a loop (reader) or changes policy
// in a loop (writer) for a while, then prints what it did and every error it met, by code.
//   usage: node concurrency-worker.js reader|writer VAULT KEYCHAIN-SERVICE NOW-MS TOKEN SECONDS
import { openEngine } from '../src/main/engine/index.js';
import { ManualClock } from '../src/main/engine/clock.js';
import { OsKeychain } from '../src/main/secrets/keychain.js';
import { QUICK_HASH } from '../test/support/signed-in.js';

export interface WorkerReport {
  readonly role: 'reader' | 'writer';
  readonly done: number;
  readonly seconds: number;
  /** Each error a caller would have seen, by its code (SQLite's own, or Latchkey's). */
  readonly errors: Record<string, number>;
}

const [role, vaultPath, service, nowText, token, secondsText] = process.argv.slice(2);
if ((role !== 'reader' && role !== 'writer') || vaultPath === undefined || service === undefined || token === undefined) {
  throw new Error('usage: concurrency-worker reader|writer VAULT KEYCHAIN-SERVICE NOW-MS TOKEN SECONDS');
}
const engine = await openEngine({
  vaultPath,
  secrets: new OsKeychain(service),
  clock: new ManualClock(Number(nowText)),
  hashParameters: QUICK_HASH,
});
const caller = engine.sessions.validate(token);
const errors: Record<string, number> = {};
let done = 0;
let flip = false;
const start = Date.now();
const until = start + Number(secondsText) * 1000;
while (Date.now() < until) {
  try {
    if (role === 'reader') engine.sessions.validate(token, { touch: false });
    else {
      flip = !flip;
      engine.policy.set(caller, 'mfa.trustDeviceDays', flip ? '29' : '30');
    }
    done += 1;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const key = typeof code === 'string' ? code : 'other';
    errors[key] = (errors[key] ?? 0) + 1;
  }
}
const report: WorkerReport = { role, done, seconds: (Date.now() - start) / 1000, errors };
process.stdout.write(`${JSON.stringify(report)}\n`);
engine.close();
