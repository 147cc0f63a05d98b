import type { ErrorInfo } from '../../../shared/errors';
import type { Result } from '../../../shared/result';

/** Data fetched from the engine: what arrived last, and whether a fetch is running or failed. */
export interface Loadable<T> {
  readonly data: T | null;
  readonly loading: boolean;
  readonly error: ErrorInfo | null;
}

export function empty<T>(): Loadable<T> {
  return { data: null, loading: false, error: null };
}

/** Keeps what is shown while a fresh copy loads, so lists do not flicker. */
export function loading<T>(previous: Loadable<T>): Loadable<T> {
  return { data: previous.data, loading: true, error: null };
}

export function settled<T>(previous: Loadable<T>, result: Result<T>): Loadable<T> {
  return result.ok ? { data: result.value, loading: false, error: null } : { data: previous.data, loading: false, error: result.error };
}
