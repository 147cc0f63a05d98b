import { HOUR } from '../clock.js';
import type { EngineContext } from '../context.js';
import type { Lockout } from '../lockout/lockout.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { Change } from '../write-path.js';
import type { SessionService } from './sessions.js';

export interface CleanupReport {
  readonly expired: number;
  readonly deleted: number;
  readonly families: number;
  readonly failureCounters: number;
  readonly abandonedSetups: number;
  readonly challenges: number;
  readonly trustedDevices: number;
  readonly verificationLinks: number;
  readonly sentCodes: number;
  readonly codeSends: number;
  /** Bodies of sent or abandoned messages erased once past their time. */
  readonly messageBodies: number;
}

/** The first batch's size; later ones grow or shrink to take about BATCH_TARGET_MS each. */
export const CLEANUP_BATCH = 100;
const BATCH_MIN = 10;
const BATCH_MAX = 2_000;
/** Each batch is one transaction the host waits for (a window's call, a sign-in): kept under 20 ms, its commit included. */
export const BATCH_TARGET_MS = 15;

/**
 * Sizes the batches by how long the last one took: half as many rows after one that ran past the
 * target, twice as many after one that took under a quarter of it. On a fast disk the backlog
 * clears in fewer, larger commits; on a slow or busy one no batch holds the vault for long.
 * It paces work against the machine's monotonic clock, never the vault's time: it decides nothing.
 */
export class BatchPacer {
  #limit = CLEANUP_BATCH;
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Runs one batch of at most `limit` rows and learns from how long it took; returns what it did. */
  run(batch: (limit: number) => number): { readonly done: number; readonly full: boolean } {
    const limit = this.#limit;
    const started = this.#now();
    const done = batch(limit);
    const took = this.#now() - started;
    if (took > BATCH_TARGET_MS) this.#limit = Math.max(BATCH_MIN, Math.floor(limit / 2));
    else if (took < BATCH_TARGET_MS / 4 && done === limit) this.#limit = Math.min(BATCH_MAX, limit * 2);
    return { done, full: done === limit };
  }
}

/** A window that was away can still learn why its session ended; the audit log keeps the lasting record. */
export const ENDED_SESSION_RETENTION_MS = HOUR;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Ends sessions whose time ran out (audited as expired), then deletes sessions that ended over an
 * hour ago, dead "stay signed in" families, stale failure counters, spent challenges and dead
 * trusted devices, e-mail verification links and sent codes past their time, sends older than the
 * limits look back, and the bodies of finished messages past their time; and drops TOTP setups left
 * unconfirmed past their 15 minutes.
 */
export async function cleanUp(ctx: EngineContext, sessions: SessionService, lockout: Lockout, mfa: MfaService): Promise<CleanupReport> {
  // One pacer for the whole run: what one kind of batch learnt of the disk holds for the next.
  const pacer = new BatchPacer();
  const drain = async (batch: (tx: Change, limit: number) => number): Promise<number> => {
    let total = 0;
    for (;;) {
      const { done, full } = pacer.run((limit) => ctx.change((tx) => batch(tx, limit)));
      total += done;
      if (!full) return total;
      await yieldToEventLoop();
    }
  };
  const expired = await drain((tx, limit) => sessions.expireTimedOut(tx, limit));
  const deleted = await drain((tx, limit) => tx.repos.sessions.deleteEnded(ctx.clock.now() - ENDED_SESSION_RETENTION_MS, limit));
  const families = await drain((tx, limit) => tx.repos.sessions.deleteDeadFamilies(ctx.clock.now(), limit));
  const failureCounters = await drain((tx, limit) => lockout.prune(tx, limit));
  const abandonedSetups = await drain((tx, limit) => mfa.dropExpiredSetups(tx, limit));
  const challenges = await drain((tx, limit) => tx.repos.mfa.deleteDeadChallenges(ctx.clock.now(), limit));
  const trustedDevices = await drain((tx, limit) => tx.repos.mfa.deleteDeadTrustedDevices(ctx.clock.now(), limit));
  const verificationLinks = await drain((tx, limit) => tx.repos.emailVerifications.deleteExpired(ctx.clock.now(), limit));
  const sentCodes = await drain((tx, limit) => tx.repos.sentCodes.deleteExpiredCodes(ctx.clock.now(), limit));
  // The limits look back an hour; an older send counts for nothing.
  const codeSends = await drain((tx, limit) => tx.repos.sentCodes.deleteSendsBefore(ctx.clock.now() - HOUR, limit));
  const messageBodies = await drain((tx, limit) => {
    const stale = ctx.repos.outbox.staleBodies(ctx.clock.now(), limit);
    for (const row of stale) tx.repos.outbox.rewrite({ ...row, payload_enc: null, updated_at: ctx.clock.now() });
    return stale.length;
  });
  return {
    expired,
    deleted,
    families,
    failureCounters,
    abandonedSetups,
    challenges,
    trustedDevices,
    verificationLinks,
    sentCodes,
    codeSends,
    messageBodies,
  };
}
