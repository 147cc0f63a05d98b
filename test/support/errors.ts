import { LatchkeyError, type ErrorCode } from '../../src/shared/errors.js';

/**
 * Runs `work` and returns the LatchkeyError it throws, failing the test if it succeeds or throws
 * anything else. With `code`, the error must carry that code.
 */
export async function failure(work: () => unknown): Promise<LatchkeyError>;
export async function failure<C extends ErrorCode>(work: () => unknown, code: C): Promise<LatchkeyError<C>>;
export async function failure(work: () => unknown, code?: ErrorCode): Promise<LatchkeyError> {
  let outcome: unknown;
  try {
    await work();
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) throw new Error(`expected a LatchkeyError${code ? ` (${code})` : ''}, but the call succeeded`);
  if (!(outcome instanceof LatchkeyError)) throw outcome;
  if (code !== undefined && outcome.code !== code) {
    throw new Error(`expected ${code}, got ${outcome.code}: ${outcome.message}`);
  }
  return outcome;
}
