import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleJob } from '../../src/main/host/background-jobs.js';
import { LatchkeyError } from '../../src/shared/errors.js';

const INTERVAL = 5 * 60 * 1000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A cleanup whose runs finish only when the test says so. */
function controlledCleanup(): { run: () => Promise<void>; started: number; finish(): void } {
  const pending: (() => void)[] = [];
  const state = {
    started: 0,
    run: () =>
      new Promise<void>((resolve) => {
        state.started += 1;
        pending.push(resolve);
      }),
    finish: () => pending.shift()?.(),
  };
  return state;
}

describe('cleanup schedule', () => {
  it('runs at start and then every five minutes', async () => {
    const run = vi.fn(() => Promise.resolve());
    const schedule = scheduleJob('session cleanup', run, () => {}, INTERVAL);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(run).toHaveBeenCalledTimes(4);
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it('never starts a run while the previous one is still going', async () => {
    const cleanup = controlledCleanup();
    const schedule = scheduleJob('session cleanup', cleanup.run, () => {}, INTERVAL);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(cleanup.started).toBe(1);
    cleanup.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(cleanup.started).toBe(2);
    cleanup.finish();
    await schedule.stop();
  });

  it('lets a run under way finish before stop resolves', async () => {
    const cleanup = controlledCleanup();
    const schedule = scheduleJob('session cleanup', cleanup.run, () => {}, INTERVAL);
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    cleanup.finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('does not keep the process alive', () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const schedule = scheduleJob(
      'session cleanup',
      () => Promise.resolve(),
      () => {},
      INTERVAL,
    );
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    setIntervalSpy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    void schedule.stop();
  });

  it('logs a failure by its code and vetted message, never what an unexpected error carried, and keeps going', async () => {
    const lines: string[] = [];
    const failures = [
      new LatchkeyError('VAULT_UNREADABLE', 'The vault file could not be read.'),
      new Error('SQLITE_ERROR near token=3q2+7w: the secret in a message'),
    ];
    const run = vi.fn(() => Promise.reject(failures.shift() ?? new Error('none left')));
    const schedule = scheduleJob('session cleanup', run, (line) => lines.push(line), INTERVAL);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await schedule.stop();
    expect(run).toHaveBeenCalledTimes(2);
    expect(lines[0]).toBe('latchkey: session cleanup failed (VAULT_UNREADABLE): The vault file could not be read.');
    expect(lines[1]).toMatch(/^latchkey: session cleanup failed \(INTERNAL\)/);
    expect(lines.join('\n')).not.toContain('3q2+7w');
  });
});
