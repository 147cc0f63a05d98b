import { createHmac } from 'node:crypto';
import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import type { SignInFailureRow } from '../../store/sign-in-failures.js';
import { MINUTE, SECOND } from '../clock.js';
import type { EngineContext } from '../context.js';
import type { Policy } from '../policy/policy-keys.js';

const MAX_DELAY = 15 * MINUTE;

export interface LockState {
  readonly failures: number;
  /** When the next attempt is allowed, if it must wait. */
  readonly retryAt: number | null;
  readonly locked: boolean;
}

/**
 * Failed sign-ins, counted per name in the vault so a restart forgets nothing: after
 * `delayAfterFailures` each attempt waits 1 s, 2 s, 4 s … (at most 15 min); after
 * `lockAfterFailures` the name is locked until an admin unlocks it or the lock runs out.
 */
export class Lockout {
  readonly #ctx: EngineContext;
  readonly #policy: () => Policy;

  constructor(ctx: EngineContext, policy: () => Policy) {
    this.#ctx = ctx;
    this.#policy = policy;
  }

  /** A keyed digest of a normalised name: stable per vault, useless without the vault key. */
  nameKey(username: string): string {
    return createHmac('sha256', this.#ctx.vault.keys.lookupSecrets).update(`sign-in-name:${username}`).digest('hex');
  }

  state(username: string): LockState {
    const row = this.#ctx.repos.failures.get(this.nameKey(username));
    if (row === undefined) return { failures: 0, retryAt: null, locked: false };
    const now = this.#ctx.clock.now();
    const retryAt = this.#retryAt(row);
    const locked = row.locked_until !== null && row.locked_until > now;
    return { failures: row.failures, retryAt: retryAt !== null && retryAt > now ? retryAt : null, locked };
  }

  /** Refuses the attempt before any password work when the name must still wait. */
  assertMayTry(username: string): void {
    const state = this.state(username);
    if (state.retryAt === null) return;
    const seconds = Math.ceil((state.retryAt - this.#ctx.clock.now()) / SECOND);
    throw new LatchkeyError(
      'LOCKED_OUT',
      state.locked
        ? `Too many failed sign-ins: this account is locked. Try again in ${describeWait(seconds)}, or ask an administrator to unlock it.`
        : `Too many failed sign-ins. Wait ${describeWait(seconds)} before trying again.`,
      { retryAt: state.retryAt, retryAfterSeconds: seconds, locked: state.locked },
    );
  }

  /** Inside the sign-in's transaction. */
  recordFailure(username: string, account: AccountRow | undefined): void {
    const now = this.#ctx.clock.now();
    const policy = this.#policy();
    const previous = this.#ctx.repos.failures.get(this.nameKey(username));
    // A lock that has run out starts the count afresh.
    const expired = previous?.locked_until != null && previous.locked_until <= now;
    const failures = (expired || previous === undefined ? 0 : previous.failures) + 1;
    const locks = failures >= policy['lockout.lockAfterFailures'];
    const row: SignInFailureRow = {
      name_key: this.nameKey(username),
      failures,
      last_failure_at: now,
      locked_until: locks ? now + policy['lockout.lockMinutes'] * MINUTE : null,
    };
    this.#ctx.repos.failures.put(row);
    if (locks && account !== undefined && (previous?.locked_until == null || expired)) {
      this.#ctx.audit.append({
        type: 'account.locked',
        outcome: 'success',
        target: { id: account.id, name: account.username },
        reason: 'too_many_failures',
        details: { failures, lockedUntil: row.locked_until },
      });
    }
  }

  /** Inside the sign-in's transaction: a good password clears the count. */
  recordSuccess(username: string): void {
    this.#ctx.repos.failures.clear(this.nameKey(username));
  }

  /** Inside a transaction. Returns whether there was anything to clear. */
  clear(username: string): boolean {
    const had = this.#ctx.repos.failures.get(this.nameKey(username)) !== undefined;
    this.#ctx.repos.failures.clear(this.nameKey(username));
    return had;
  }

  /** Forgets counters that no longer hold anything back; returns how many went. */
  prune(limit: number): number {
    const policy = this.#policy();
    const horizon = Math.max(MAX_DELAY, policy['lockout.lockMinutes'] * MINUTE);
    return this.#ctx.repos.failures.prune(this.#ctx.clock.now() - horizon, limit);
  }

  #retryAt(row: SignInFailureRow): number | null {
    if (row.locked_until !== null) return row.locked_until;
    const over = row.failures - this.#policy()['lockout.delayAfterFailures'];
    if (over < 0) return null;
    return row.last_failure_at + Math.min(SECOND * 2 ** Math.min(over, 30), MAX_DELAY);
  }
}

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
