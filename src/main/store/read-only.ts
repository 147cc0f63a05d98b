/**
 * A repository as rules may use it outside a change: only the named methods, bound to it. The
 * object holds no other property, so even a cast cannot reach a write through it. What a read
 * throws passes through `failed`, where a failure of SQLite is named (store/database.ts), whether
 * the read throws at once, its promise rejects or its iterator throws as it goes.
 */
export function readOnly<R extends object, K extends keyof R>(
  repository: R,
  names: readonly K[],
  failed: (error: unknown) => unknown,
): Pick<R, K> {
  const view: Partial<Pick<R, K>> = {};
  for (const name of names) {
    const method = repository[name];
    if (typeof method !== 'function') throw new Error(`${String(name)} is not a method of the repository`);
    const read = method as (...args: unknown[]) => unknown;
    view[name] = ((...args: unknown[]) => {
      try {
        return later(read.apply(repository, args), failed);
      } catch (error) {
        throw failed(error);
      }
    }) as R[K];
  }
  return Object.freeze(view as Pick<R, K>);
}

/** A result that can still fail, a promise or an iterator, with `failed` following it there. */
function later(result: unknown, failed: (error: unknown) => unknown): unknown {
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw failed(error);
    });
  }
  if (typeof (result as Partial<Iterator<unknown>> | null | undefined)?.next === 'function')
    return failingAs(result as Iterator<unknown>, failed);
  return result;
}

function* failingAs<T>(iterator: Iterator<T>, failed: (error: unknown) => unknown): Generator<T> {
  try {
    yield* { [Symbol.iterator]: () => iterator };
  } catch (error) {
    throw failed(error);
  }
}
