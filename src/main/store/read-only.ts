/**
 * A repository as rules may use it outside a change: only the named methods, bound to it. The
 * object holds no other property, so even a cast cannot reach a write through it.
 */
export function readOnly<R extends object, K extends keyof R>(repository: R, names: readonly K[]): Pick<R, K> {
  const view: Partial<Pick<R, K>> = {};
  for (const name of names) {
    const method = repository[name];
    if (typeof method !== 'function') throw new Error(`${String(name)} is not a method of the repository`);
    view[name] = (method as (...args: unknown[]) => unknown).bind(repository) as R[K];
  }
  return Object.freeze(view as Pick<R, K>);
}
