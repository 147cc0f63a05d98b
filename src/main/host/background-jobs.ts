import { toErrorInfo } from '../../shared/errors.js';
import type { Engine } from '../engine/index.js';

export const CLEANUP_INTERVAL_MS = 5 * 60 * 1000;
/** How often a host looks for messages due: a queued mail waits at most this long once the network is back. */
export const DELIVERY_INTERVAL_MS = 30 * 1000;
/** How often the audit log is verified whole: a tampered log raises its critical alert within this. */
export const AUDIT_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export interface Schedule {
  /** Stops the timer; a run already under way finishes, and this resolves once it has. */
  stop(): Promise<void>;
}

/**
 * Runs `run` now and then every `intervalMs`. A tick that finds the previous run still going is
 * skipped, so two runs never overlap. The timer is unref'd: it never keeps the app alive on its
 * own. A failure is logged by code and vetted message only (toErrorInfo withholds anything else).
 */
export function scheduleJob(what: string, run: () => Promise<unknown>, log: (line: string) => void, intervalMs: number): Schedule {
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = (): void => {
    if (stopped || running !== null) return;
    running = (async () => {
      try {
        await run();
      } catch (error) {
        const info = toErrorInfo(error);
        log(`latchkey: ${what} failed (${info.code}): ${info.message}`);
      } finally {
        running = null;
      }
    })();
  };

  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();

  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** What every long-running host (the app, the browser host) does in the background: cleanup, sending what the outbox holds, and checking the audit log. */
export function startBackgroundJobs(engine: Engine, log: (line: string) => void): Schedule {
  const jobs = [
    scheduleJob('session cleanup', () => engine.cleanUp(), log, CLEANUP_INTERVAL_MS),
    scheduleJob('delivery', () => engine.delivery.sendDue(), log, DELIVERY_INTERVAL_MS),
    // At start, then on the timer: the log is read whole, so not on every call.
    scheduleJob('audit check', () => engine.alerts.checkAuditLog(), log, AUDIT_CHECK_INTERVAL_MS),
  ];
  return { stop: async () => void (await Promise.all(jobs.map((job) => job.stop()))) };
}
