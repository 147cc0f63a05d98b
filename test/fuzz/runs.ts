import fc from 'fast-check';

/**
 * How many cases the fuzz suites run, from one variable. `npm test` leaves FUZZ_RUNS unset and gets
 * a quick pass; `npm run test:fuzz` sets it to 10,000 (cases per IPC channel). The CLI's cases are
 * derived from it: in-process runs are cheap (one engine open), child processes are not (each loads
 * Node and every module again, about 0.8 s here).
 */
const DEFAULT_RUNS = 60;

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a whole number of at least 1, not "${raw}"`);
  return Number(raw);
}

/** Cases per IPC channel. */
export const FUZZ_RUNS = positiveInteger('FUZZ_RUNS', DEFAULT_RUNS);
/** Cases per CLI command, run in this process through the CLI's own `main` (about 35 ms each). */
export const CLI_IN_PROCESS_RUNS = Math.max(4, Math.round(FUZZ_RUNS / 20));
/**
 * Cases per CLI command as real `latchkey` child processes (about 1 s each). Below 1,000 runs a
 * command gets none of its own; a few child cases then go to commands drawn at random.
 */
export const CLI_CHILD_RUNS = Math.floor(FUZZ_RUNS / 1000);
export const CLI_CHILD_SAMPLE = 8;

/** The base seed; each property's own seed is derived from it and its name, so one can be replayed alone. */
export const FUZZ_SEED = positiveInteger('FUZZ_SEED', 20_260_105);

export function seedFor(name: string): number {
  // FNV-1a over the name, mixed with the base seed: stable across runs and machines.
  let hash = 0x811c9dc5 ^ FUZZ_SEED;
  for (const char of name) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193);
  return hash | 0;
}

/**
 * The time `cases` cases of about `msEach` may take, with room for a slow, shared machine. The
 * property stops itself at this limit (and fails), so a slow run never goes on in the background
 * under the next test.
 */
export function timeLimit(cases: number, msEach: number): number {
  return 60_000 + cases * msEach * 10;
}

/** What the test runner allows a property that `timeLimit` bounds: enough to report why it stopped. */
export function testTimeout(limit: number): number {
  return limit + 30_000;
}

/**
 * Runs `property` `runs` times from the seed derived from `name`, for at most `limit` ms. A failure
 * names the seed and the command that replays it, on top of fast-check's counterexample and shrinking.
 */
export async function assertProperty<T>(name: string, property: fc.IAsyncPropertyWithHooks<T>, runs: number, limit: number): Promise<void> {
  const seed = seedFor(name);
  try {
    await fc.assert(property, { seed, numRuns: runs, endOnFailure: false, interruptAfterTimeLimit: limit, markInterruptAsFailure: true });
  } catch (error) {
    const replay = `Replay: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS} (property "${name}", seed ${seed}).`;
    if (error instanceof Error) {
      error.message = `${replay}\n${error.message}`;
      throw error;
    }
    throw new Error(`${replay}\n${String(error)}`, { cause: error });
  }
}
