import { createHmac } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import type { MetaRepository } from '../store/meta.js';
import { MINUTE, SECOND, type Clock, type Uptime } from './clock.js';
import { constantTimeEqual } from './crypto/random.js';

/**
 * How far this machine's clock may stray from the vault's time and still be followed as it is.
 * Wider than NTP's corrections and two TOTP steps, far narrower than a session or a lock.
 */
export const CLOCK_TOLERANCE = MINUTE;

/** The wall clock against the vault's time, when they differ by more than CLOCK_TOLERANCE. */
export interface ClockSkew {
  readonly direction: 'behind' | 'ahead';
  readonly byMs: number;
}

/** Where this machine's start was, in the vault's time: how time since then is counted. */
interface Reference {
  readonly boot: string;
  readonly at: number;
  readonly uptime: number;
}

const MARK_KEY = 'time_mark';
const REFERENCE_KEY = 'time_reference';
/** The copy in the keychain is refreshed at most this often, so a quiet call costs no keychain round trip. */
const KEPT_MARK_STEP = MINUTE;
/** How many calls may reuse one uptime reading (see #readUptime). */
const UPTIME_REUSE = 16;

/**
 * Time as every rule of one vault sees it. The process's clock is an input anyone can move
 * (libfaketime needs no privilege), so it is held to two facts:
 *
 * - the mark: the furthest time the vault has used, kept in the file and in the keychain. The
 *   vault's time never goes behind it, so a clock put back revives no session, challenge or
 *   device that had expired, and ends no delay or lock early;
 * - on Linux, the machine's uptime since a start the vault has seen: time that really passed.
 *   Within one start the vault's time is never ahead of the time counted from it, and no more than
 *   CLOCK_TOLERANCE behind, so a clock moved forward ends no delay or lock early and cannot spend
 *   a TOTP step from the future.
 *
 * Where the uptime cannot be trusted (another system, or a new start) only the mark holds.
 */
export class VaultClock implements Clock {
  readonly #clock: Clock;
  readonly #uptime: Uptime;
  readonly #key: Buffer;
  #mark: number;
  /** What the file held when this change began, so leaving writes only what moved. */
  #storedMark: number;
  #reference: Reference | null;
  #skew: ClockSkew | null = null;
  /** The direction last audited, so a clock that stays off is recorded once, not on every change. */
  #reported: ClockSkew['direction'] | null = null;
  #uptimeCache: { reading: ReturnType<Uptime['read']>; wall: number; uses: number } | null = null;

  constructor(clock: Clock, uptime: Uptime, key: Buffer, meta: MetaRepository, keptMark: number) {
    this.#clock = clock;
    this.#uptime = uptime;
    this.#key = key;
    this.#storedMark = readMark(meta, key);
    this.#mark = Math.max(this.#storedMark, keptMark);
    this.#reference = readReference(meta, key);
  }

  now(): number {
    const wall = this.#clock.now();
    const real = this.#realTime();
    // Never ahead of the time counted since the start: even a minute's allowance would let a clock
    // moved forward skip the first sign-in delays. Behind it, the clock is followed within the tolerance.
    const held = real === null ? wall : Math.min(Math.max(wall, real - CLOCK_TOLERANCE), real);
    const time = Math.max(held, this.#mark);
    this.#mark = time;
    this.#skew =
      wall < time - CLOCK_TOLERANCE
        ? { direction: 'behind', byMs: time - wall }
        : wall > time + CLOCK_TOLERANCE
          ? { direction: 'ahead', byMs: wall - time }
          : null;
    return time;
  }

  /** The process's own clock, unheld: only to tell why a code did not match. */
  wallClock(): number {
    return this.#clock.now();
  }

  /**
   * The time a TOTP code is checked at: the machine's clock while it agrees with the vault's time
   * (an authenticator keeps the wall clock, and the vault's time may run up to CLOCK_TOLERANCE
   * ahead of it), the vault's time when the clock is off.
   */
  codeTime(): number {
    const time = this.now();
    return this.#skew === null ? this.#clock.now() : time;
  }

  /** How the process's clock stands against the vault's time now. */
  skew(): ClockSkew | null {
    this.now();
    return this.#skew;
  }

  /** The furthest time this vault has used, as far as this process knows. */
  mark(): number {
    return this.#mark;
  }

  /**
   * First thing in every change's transaction: takes the mark and the machine's start other
   * processes stored, and records this start if none is. Returns the skew to audit, once per
   * direction, or null.
   */
  enterChange(meta: MetaRepository): ClockSkew | null {
    this.#storedMark = readMark(meta, this.#key);
    this.#mark = Math.max(this.#mark, this.#storedMark);
    const uptime = this.#readUptime(true);
    const stored = readReference(meta, this.#key);
    if (uptime !== null && (stored === null || stored.boot !== uptime.boot || stored.uptime > uptime.ms)) {
      // A start the vault has not seen: counted from the mark or the clock, whichever is later.
      this.#reference = null;
      this.#reference = { boot: uptime.boot, at: this.now(), uptime: uptime.ms };
      writeReference(meta, this.#key, this.#reference);
    } else {
      this.#reference = stored;
    }
    const skew = this.skew();
    return skew !== null && skew.direction !== this.#reported ? skew : null;
  }

  /** Last thing in a change that committed: the mark moves on, and the audited direction is kept. */
  leaveChange(meta: MetaRepository): void {
    if (this.#mark > this.#storedMark) writeMark(meta, this.#key, this.#mark);
    this.#storedMark = this.#mark;
    this.#reported = this.#skew?.direction ?? null;
  }

  /**
   * Reading the uptime costs a system call (about 5 µs, many times a simple check), so a reading
   * is reused while it is fresh: within a second of wall-clock time forward, and for at most
   * UPTIME_REUSE calls, so that even a process whose clock stands still reads it again soon. A
   * reused reading is never later than the true one, so it can only hold the vault's time back.
   */
  #readUptime(fresh = false): ReturnType<Uptime['read']> {
    const wall = this.#clock.now();
    const cached = this.#uptimeCache;
    if (!fresh && cached !== null && cached.uses < UPTIME_REUSE && wall >= cached.wall && wall - cached.wall < SECOND) {
      cached.uses += 1;
      return cached.reading;
    }
    const reading = this.#uptime.read();
    this.#uptimeCache = { reading, wall, uses: 0 };
    return reading;
  }

  #realTime(): number | null {
    const reference = this.#reference;
    if (reference === null) return null;
    const uptime = this.#readUptime();
    if (uptime === null || uptime.boot !== reference.boot || uptime.ms < reference.uptime) return null;
    return reference.at + (uptime.ms - reference.uptime);
  }
}

/**
 * The mark's copy in the keychain, so a vault file put back to an older copy, or its mark row
 * removed, does not take the vault's time back with it.
 */
export class KeptTimeMark {
  readonly #secrets: SecretStore;
  readonly #name: string;
  readonly #key: Buffer;
  #recorded = 0;

  constructor(secrets: SecretStore, vaultId: string, key: Buffer) {
    this.#secrets = secrets;
    this.#name = `time-mark:${vaultId}`;
    this.#key = key;
  }

  /** 0 when there is none, or one this vault's key did not write. */
  async read(): Promise<number> {
    const stored = await this.#secrets.get(this.#name);
    this.#recorded = stored === null ? 0 : parseMark(stored, this.#key);
    return this.#recorded;
  }

  async record(mark: number): Promise<void> {
    if (mark < this.#recorded + KEPT_MARK_STEP) return;
    // Another process may have kept a later mark meanwhile: never replace it with an earlier one.
    const current = await this.read();
    if (mark <= current) return;
    await this.#secrets.set(this.#name, encodeMark(mark, this.#key));
    this.#recorded = mark;
  }
}

// The mark and the start are tagged with the audit chain's key: they belong to the same record of
// what happened when, and a row edited in the file then reads as absent, never as a chosen time.
function tag(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(`time:${text}`).digest('base64url');
}

function encodeMark(mark: number, key: Buffer): string {
  return `${mark}.${tag(key, `mark:${mark}`)}`;
}

function parseMark(stored: string, key: Buffer): number {
  const [text = '', given = ''] = stored.split('.');
  const mark = Number(text);
  if (!Number.isSafeInteger(mark) || mark < 0) return 0;
  return constantTimeEqual(Buffer.from(given), Buffer.from(tag(key, `mark:${mark}`))) ? mark : 0;
}

function readMark(meta: MetaRepository, key: Buffer): number {
  const stored = meta.get(MARK_KEY);
  return stored === null ? 0 : parseMark(stored, key);
}

function writeMark(meta: MetaRepository, key: Buffer, mark: number): void {
  meta.set(MARK_KEY, encodeMark(mark, key));
}

function readReference(meta: MetaRepository, key: Buffer): Reference | null {
  const stored = meta.get(REFERENCE_KEY);
  if (stored === null) return null;
  const [boot = '', atText = '', uptimeText = '', given = ''] = stored.split('|');
  const reference = { boot, at: Number(atText), uptime: Number(uptimeText) };
  if (!Number.isSafeInteger(reference.at) || !Number.isSafeInteger(reference.uptime)) return null;
  return constantTimeEqual(Buffer.from(given), Buffer.from(tag(key, `start:${boot}|${reference.at}|${reference.uptime}`)))
    ? reference
    : null;
}

function writeReference(meta: MetaRepository, key: Buffer, reference: Reference): void {
  const text = `${reference.boot}|${reference.at}|${reference.uptime}`;
  meta.set(REFERENCE_KEY, `${text}|${tag(key, `start:${text}`)}`);
}
