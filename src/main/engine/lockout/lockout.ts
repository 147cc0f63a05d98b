import { createHmac } from 'node:crypto';
import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import type { SignInCheckRow, SignInFailureRow } from '../../store/sign-in-failures.js';
import { MINUTE, SECOND } from '../clock.js';
import { accountParty } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { newId } from '../crypto/random.js';
import type { Policy } from '../policy/policy-keys.js';
import type { Change } from '../write-path.js';

const MAX_DELAY = 15 * MINUTE;

/**
 * Password checks of one name that may be in flight at once. One: attempts for a name are checked
 * in turn, so a burst gets exactly the checks that the same attempts one after another would get.
 */
export const MAX_CHECKS_IN_FLIGHT = 1;

/**
 * How long a reserved check may run. A check still reserved after this belongs to a process that
 * died during the comparison; it is then counted as a failure, never forgotten.
 */
export const CHECK_LEASE = 30 * SECOND;

export interface LockState {
  readonly failures: number;
  /** When the next attempt is allowed, if it must wait. */
  readonly retryAt: number | null;
  readonly locked: boolean;
}

/** Why an attempt was refused before any password work, for the audit event. */
export type RefusalReason = 'locked_out' | 'check_in_progress';

export interface Refusal {
  readonly error: LatchkeyError;
  readonly reason: RefusalReason;
}

/** A password check reserved for a name; it ends with a failure, a success, or `end()`. */
export interface Reservation {
  readonly name: string;
  readonly checkId: string;
}

/** What the counter says for a name at a moment, checks in flight included. */
interface Tally {
  readonly failures: number;
  /** The later of the last failure and the start of the last check in flight. */
  readonly lastAttemptAt: number;
  readonly lockedUntil: number | null;
  readonly inFlight: number;
}

/**
 * Failed sign-ins, counted per name in the vault so a restart forgets nothing: after
 * `delayAfterFailures` each attempt waits 1 s, 2 s, 4 s … (at most 15 min); after
 * `lockAfterFailures` the name is locked until an admin unlocks it or the lock runs out.
 *
 * A password comparison is asynchronous, so an attempt is reserved (`reserve`) in the same
 * transaction that reads the counter and counts toward the delay while it runs; checking before
 * the comparison and recording after it would let every attempt in flight through.
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
    const now = this.#ctx.clock.now();
    const tally = this.#tally(this.nameKey(username), now);
    const retryAt = this.#retryAt(tally, now);
    return { failures: tally.failures, retryAt, locked: tally.lockedUntil !== null && tally.lockedUntil > now };
  }

  /**
   * In the change of a check that runs whole inside it (a code): the refusal when the name must
   * still wait, else null. Checks in flight count toward the wait.
   */
  refusal(tx: Change, username: string): Refusal | null {
    const now = this.#ctx.clock.now();
    const key = this.nameKey(username);
    this.#settleAbandonedChecks(tx, key, now);
    const tally = this.#tally(key, now);
    const retryAt = this.#retryAt(tally, now);
    if (retryAt === null) return null;
    const locked = tally.lockedUntil !== null && tally.lockedUntil > now;
    return { error: lockedOut(retryAt, now, locked), reason: 'locked_out' };
  }

  /**
   * In a change, before a password comparison starts: refuses the attempt (returns the refusal)
   * or reserves its check, which counts toward the delay until it ends.
   */
  reserve(tx: Change, username: string): Refusal | Reservation {
    const refused = this.refusal(tx, username);
    if (refused !== null) return refused;
    const now = this.#ctx.clock.now();
    const key = this.nameKey(username);
    if (this.#liveChecks(key, now).length >= MAX_CHECKS_IN_FLIGHT) {
      return {
        error: new LatchkeyError('LOCKED_OUT', 'Another sign-in to this account is being checked. Try again in a moment.', {
          retryAt: now + SECOND,
          retryAfterSeconds: 1,
          locked: false,
        }),
        reason: 'check_in_progress',
      };
    }
    const checkId = newId('chk');
    tx.repos.failures.insertCheck({ id: checkId, name_key: key, started_at: now, lease_until: now + CHECK_LEASE });
    return { name: username, checkId };
  }

  /**
   * One password comparison under the lockout. Its check is reserved in the transaction that
   * reads the counter (a refusal is audited by `onRefused` in that change, then thrown), and
   * ended however `compare` ends; `compare` records a failure or a success with the reservation.
   */
  async guard<T>(
    username: string,
    onRefused: (tx: Change, reason: RefusalReason) => void,
    compare: (reservation: Reservation) => Promise<T>,
  ): Promise<T> {
    const reserved = this.#ctx.change((tx) => {
      const outcome = this.reserve(tx, username);
      if ('error' in outcome) onRefused(tx, outcome.reason);
      return outcome;
    });
    if ('error' in reserved) throw reserved.error;
    try {
      return await compare(reserved);
    } finally {
      this.end(reserved);
    }
  }

  /**
   * A change of its own: ends a reserved check that no failure or success ended (an error, or a right
   * password with a second step to come). Safe to call twice, or after the check was settled.
   */
  end(reservation: Reservation): void {
    if (!this.#ctx.repos.failures.hasCheck(reservation.checkId)) return;
    this.#ctx.change((tx) => tx.repos.failures.deleteCheck(reservation.checkId));
  }

  /**
   * In the attempt's change: a wrong password or code. With the reservation, its check ends; a
   * check already counted as abandoned is not counted twice.
   */
  recordFailure(tx: Change, username: string, account: AccountRow | undefined, reservation?: Reservation): void {
    if (reservation !== undefined && !tx.repos.failures.deleteCheck(reservation.checkId)) return;
    this.#addFailures(tx, this.nameKey(username), 1, account);
  }

  /** In the attempt's change: a good password clears the count. */
  recordSuccess(tx: Change, username: string, reservation?: Reservation): void {
    if (reservation !== undefined) tx.repos.failures.deleteCheck(reservation.checkId);
    tx.repos.failures.clear(this.nameKey(username));
  }

  /** Returns whether there was anything to clear. */
  clear(tx: Change, username: string): boolean {
    const had = this.#ctx.repos.failures.get(this.nameKey(username)) !== undefined;
    tx.repos.failures.clear(this.nameKey(username));
    return had;
  }

  /** Forgets counters that no longer hold anything back; returns how many went. */
  prune(tx: Change, limit: number): number {
    const policy = this.#policy();
    const now = this.#ctx.clock.now();
    const horizon = Math.max(MAX_DELAY, policy['lockout.lockMinutes'] * MINUTE);
    const counters = tx.repos.failures.prune(now - horizon, limit);
    // An abandoned check left this long was counted at its name's next attempt, or its name is gone.
    return counters + tx.repos.failures.pruneChecks(now - horizon, limit);
  }

  /** Checks whose lease ran out (their process died) become failures. */
  #settleAbandonedChecks(tx: Change, key: string, now: number): void {
    const abandoned = this.#ctx.repos.failures.checks(key).filter((check) => check.lease_until <= now);
    if (abandoned.length === 0) return;
    for (const check of abandoned) tx.repos.failures.deleteCheck(check.id);
    this.#addFailures(tx, key, abandoned.length, undefined);
  }

  #addFailures(tx: Change, key: string, count: number, account: AccountRow | undefined): void {
    const now = this.#ctx.clock.now();
    const policy = this.#policy();
    const previous = this.#ctx.repos.failures.get(key);
    // A lock that has run out starts the count afresh.
    const expired = previous?.locked_until != null && previous.locked_until <= now;
    const failures = (expired || previous === undefined ? 0 : previous.failures) + count;
    const locks = failures >= policy['lockout.lockAfterFailures'];
    const row: SignInFailureRow = {
      name_key: key,
      failures,
      last_failure_at: now,
      locked_until: locks
        ? previous?.locked_until != null && !expired
          ? previous.locked_until
          : now + policy['lockout.lockMinutes'] * MINUTE
        : null,
    };
    tx.repos.failures.put(row);
    if (locks && account !== undefined && (previous?.locked_until == null || expired)) {
      tx.audit({
        type: 'account.locked',
        outcome: 'success',
        target: accountParty(account),
        reason: 'too_many_failures',
        details: { failures, lockedUntil: row.locked_until },
      });
    }
  }

  #liveChecks(key: string, now: number): SignInCheckRow[] {
    return this.#ctx.repos.failures.checks(key).filter((check) => check.lease_until > now);
  }

  #tally(key: string, now: number): Tally {
    const row = this.#ctx.repos.failures.get(key);
    const checks = this.#ctx.repos.failures.checks(key);
    const live = checks.filter((check) => check.lease_until > now);
    const abandoned = checks.length - live.length;
    const expired = row?.locked_until != null && row.locked_until <= now;
    const counted = row === undefined || expired ? 0 : row.failures;
    const lastAttemptAt = Math.max(row?.last_failure_at ?? 0, ...checks.map((check) => check.started_at));
    return {
      failures: counted + abandoned,
      lastAttemptAt,
      lockedUntil: row === undefined || expired ? null : row.locked_until,
      inFlight: live.length,
    };
  }

  /** When the name may try next, if that is later than `now`. Checks in flight count as failures. */
  #retryAt(tally: Tally, now: number): number | null {
    if (tally.lockedUntil !== null && tally.lockedUntil > now) return tally.lockedUntil;
    const over = tally.failures + tally.inFlight - this.#policy()['lockout.delayAfterFailures'];
    if (over < 0) return null;
    const at = tally.lastAttemptAt + Math.min(SECOND * 2 ** Math.min(over, 30), MAX_DELAY);
    return at > now ? at : null;
  }
}

/** The refusal for a name that must wait until `retryAt`. */
function lockedOut(retryAt: number, now: number, locked: boolean): LatchkeyError {
  const seconds = Math.ceil((retryAt - now) / SECOND);
  return new LatchkeyError(
    'LOCKED_OUT',
    locked
      ? `Too many failed sign-ins: this account is locked. Try again in ${describeWait(seconds)}, or ask an administrator to unlock it.`
      : `Too many failed sign-ins. Wait ${describeWait(seconds)} before trying again.`,
    { retryAt, retryAfterSeconds: seconds, locked },
  );
}

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
