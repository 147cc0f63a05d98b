import type { Result } from '../../src/shared/result.js';

/** What a call answered, when the test expects it to succeed; otherwise the code and message, as a failure. */
export function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** The code a call was refused with, when the test expects a refusal. */
export function errorCode(result: Result<unknown>): string {
  if (result.ok) throw new Error('expected an error envelope');
  return result.error.code;
}
