import { toErrorInfo, type ErrorInfo } from './errors.js';

/** The envelope every call across a boundary resolves to: exceptions never cross. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

export async function settle<T>(work: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}
