import { toErrorInfo } from '../shared/errors.js';

export const CLEANUP_INTERVAL_MS = 5 * 60 * 1000;

export interface CleanupSchedule {
  /** Stops the timer; a run already under way finishes, and this resolves once it has. */
  stop(): Promise<void>;
}

/**
 * Runs `cleanUp` now and then every `intervalMs`. A tick that finds the previous run still going is
 * skipped, so two runs never overlap. The timer is unref'd: it never keeps the app alive on its
 * own. A failure is logged by code and vetted message only (toErrorInfo withholds anything else).
 */
export function scheduleCleanup(
  cleanUp: () => Promise<unknown>,
  log: (line: string) => void,
  intervalMs: number = CLEANUP_INTERVAL_MS,
): CleanupSchedule {
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = (): void => {
    if (stopped || running !== null) return;
    running = (async () => {
      try {
        await cleanUp();
      } catch (error) {
        const info = toErrorInfo(error);
        log(`latchkey: session cleanup failed (${info.code}): ${info.message}`);
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
