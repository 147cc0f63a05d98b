import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

/** Time as the rules see it: milliseconds since the epoch. Injected so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and the browser host's test mode. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  set(ms: number): void {
    this.#now = ms;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Time since the machine started, and which start: a count no process can move (libfaketime and
 * a user's clock settings move the wall clock, not this), so it tells how much time really passed.
 */
export interface Uptime {
  /** null where the machine's start cannot be told apart from another's. */
  read(): { readonly boot: string; readonly ms: number } | null;
}

/** No count to go by: the vault's time is then held only by its mark (see VaultClock). */
export const noUptime: Uptime = { read: () => null };

/** For tests: a machine that starts when told and whose count moves when told. */
export class ManualUptime implements Uptime {
  #boot = 'boot-1';
  #ms = 1000;

  read(): { boot: string; ms: number } {
    return { boot: this.#boot, ms: this.#ms };
  }

  advance(ms: number): void {
    this.#ms += ms;
  }

  restart(): void {
    this.#boot = `boot-${Number(this.#boot.slice(5)) + 1}`;
    this.#ms = 1000;
  }
}

let bootId: string | null | undefined;

/**
 * Linux names each start of the machine; elsewhere no name is read, so no count is trusted (a
 * count that restarted could not be told from one that ran on).
 */
export const systemUptime: Uptime = {
  read() {
    if (bootId === undefined) {
      try {
        bootId = process.platform === 'linux' ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null : null;
      } catch {
        bootId = null;
      }
    }
    return bootId === null ? null : { boot: bootId, ms: Math.round(uptime() * 1000) };
  },
};
