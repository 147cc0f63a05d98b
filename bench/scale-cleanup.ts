// The cleanup job on the large vault, in a process of its own as a host runs it in the background.
// It reports, once a second and at the end, how long the job kept the event loop from turning:
// the job yields between batches, so each gap between two turns is one batch (and a little more).
//   usage: node scale-cleanup.js VAULT KEYCHAIN-SERVICE NOW-MS
import { openEngine } from '../src/main/engine/index.js';
import { ManualClock } from '../src/main/engine/clock.js';
import { OsKeychain } from '../src/main/secrets/keychain.js';
import { QUICK_HASH } from '../test/support/signed-in.js';

export interface CleanupProgress {
  readonly done: boolean;
  readonly seconds: number;
  readonly turns: number;
  readonly longestMs: number;
  readonly p50Ms: number;
  readonly report?: unknown;
}

const [vaultPath, service, nowText] = process.argv.slice(2);
if (vaultPath === undefined || service === undefined || nowText === undefined) {
  throw new Error('usage: scale-cleanup VAULT KEYCHAIN-SERVICE NOW-MS');
}
const engine = await openEngine({
  vaultPath,
  secrets: new OsKeychain(service),
  clock: new ManualClock(Number(nowText)),
  hashParameters: QUICK_HASH,
});
const gaps: number[] = [];
let last = performance.now();
let running = true;
const turn = (): void => {
  const at = performance.now();
  gaps.push(at - last);
  last = at;
  if (running) setImmediate(turn);
};
const started = performance.now();
const status = (done: boolean, report?: unknown): CleanupProgress => {
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    done,
    seconds: (performance.now() - started) / 1000,
    turns: gaps.length,
    longestMs: sorted.at(-1) ?? 0,
    p50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
    ...(report === undefined ? {} : { report }),
  };
};
const ticker = setInterval(() => process.stdout.write(`${JSON.stringify(status(false))}\n`), 1000);
setImmediate(turn);
const report = await engine.cleanUp();
running = false;
clearInterval(ticker);
process.stdout.write(`${JSON.stringify(status(true, report))}\n`);
engine.close();
