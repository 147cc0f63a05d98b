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

/** Small batches, each its own short transaction, with a yield between, so no caller waits long. */
export const CLEANUP_BATCH = 100;

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
  const drain = async (batch: (tx: Change) => number): Promise<number> => {
    let total = 0;
    for (;;) {
      const done = ctx.change(batch);
      total += done;
      if (done < CLEANUP_BATCH) return total;
      await yieldToEventLoop();
    }
  };
  const expired = await drain((tx) => sessions.expireTimedOut(tx, CLEANUP_BATCH));
  const deleted = await drain((tx) => tx.repos.sessions.deleteEnded(ctx.clock.now() - ENDED_SESSION_RETENTION_MS, CLEANUP_BATCH));
  const families = await drain((tx) => tx.repos.sessions.deleteDeadFamilies(ctx.clock.now(), CLEANUP_BATCH));
  const failureCounters = await drain((tx) => lockout.prune(tx, CLEANUP_BATCH));
  const abandonedSetups = await drain((tx) => mfa.dropExpiredSetups(tx, CLEANUP_BATCH));
  const challenges = await drain((tx) => tx.repos.mfa.deleteDeadChallenges(ctx.clock.now(), CLEANUP_BATCH));
  const trustedDevices = await drain((tx) => tx.repos.mfa.deleteDeadTrustedDevices(ctx.clock.now(), CLEANUP_BATCH));
  const verificationLinks = await drain((tx) => tx.repos.emailVerifications.deleteExpired(ctx.clock.now(), CLEANUP_BATCH));
  const sentCodes = await drain((tx) => tx.repos.sentCodes.deleteExpiredCodes(ctx.clock.now(), CLEANUP_BATCH));
  // The limits look back an hour; an older send counts for nothing.
  const codeSends = await drain((tx) => tx.repos.sentCodes.deleteSendsBefore(ctx.clock.now() - HOUR, CLEANUP_BATCH));
  const messageBodies = await drain((tx) => {
    const stale = ctx.repos.outbox.staleBodies(ctx.clock.now(), CLEANUP_BATCH);
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
