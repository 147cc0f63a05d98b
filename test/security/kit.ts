import { createHash } from 'node:crypto';
import type { SignedIn as SignedInWithCode } from '../../src/main/engine/auth/sign-in.js';
import type { Caller } from '../../src/main/engine/caller.js';
import { SECOND, type ManualClock } from '../../src/main/engine/clock.js';
import type { Engine } from '../../src/main/engine/engine.js';
import { passwordStep, type PasswordStep } from '../support/mfa.js';
import { withRawVault } from '../support/raw-vault.js';
import { oathtoolCode } from '../support/witnesses.js';

/**
 * What the auditor's tests share: TOTP codes from oathtool only, and the vault file read directly.
 * (test/support/mfa.ts computes codes with the engine's own TOTP function, which is fine for
 * arranging a test but is no witness.)
 */

export const TOTP_STEP = 30 * SECOND;

export interface Enrolled {
  readonly secret: string;
  readonly backupCodes: readonly string[];
}

/** Turns TOTP on as a person does: begin, then the code oathtool shows now. */
export async function enrolWithOathtool(engine: Engine, clock: ManualClock, caller: Caller): Promise<Enrolled> {
  const { secret } = await engine.mfa.beginTotp(caller);
  const { backupCodes } = engine.mfa.confirmTotp(caller, oathtoolCode(secret, { at: clock.now() }));
  return { secret, backupCodes };
}

/** Both steps of a sign-in; the code is what oathtool shows one step later than now (the clock moves on). */
export async function signInWithOathtool(
  engine: Engine,
  clock: ManualClock,
  username: string,
  password: string,
  secret: string,
  options: PasswordStep & { trustDevice?: boolean } = {},
): Promise<SignedInWithCode> {
  const challenge = await passwordStep(engine, username, password, options);
  clock.advance(TOTP_STEP);
  return engine.signIn.answer({
    challengeId: challenge.challengeId,
    factor: 'totp',
    code: oathtoolCode(secret, { at: clock.now() }),
    ...(options.trustDevice === undefined ? {} : { trustDevice: options.trustDevice }),
  });
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** One column of the rows a query finds, read from the file. */
export function column<T>(path: string, sql: string, ...params: unknown[]): T[] {
  return withRawVault(
    path,
    (db) =>
      db
        .prepare(sql)
        .pluck()
        .all(...params) as T[],
  );
}

/** Whether `validate` accepts the token now. */
export function isLive(engine: Engine, token: string): boolean {
  try {
    engine.sessions.validate(token);
    return true;
  } catch {
    return false;
  }
}
