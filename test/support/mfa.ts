import type { Caller } from '../../src/main/engine/caller.js';
import { SECOND, type ManualClock } from '../../src/main/engine/clock.js';
import type { Engine } from '../../src/main/engine/engine.js';
import type { SignedIn as SignedInWithCode } from '../../src/main/engine/auth/sign-in.js';
import { totpCodeAt, totpStep } from '../../src/main/engine/mfa/totp.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import type { ChallengeView, SecondFactor } from '../../src/shared/views.js';
import { failure } from './errors.js';
import { cliClient } from './temp-vault.js';

export const TOTP_PERIOD = 30 * SECOND;

/** What an authenticator holding `secret` shows at `atMs`, or `stepsAway` steps from then. */
export function codeAt(secret: string, atMs: number, stepsAway = 0): string {
  return totpCodeAt(secret, totpStep(atMs, 30) + stepsAway);
}

/**
 * The next code the authenticator shows: the clock moves on one step first, so the code's step is
 * newer than any the vault has accepted.
 */
export function nextCode(clock: ManualClock, secret: string): string {
  clock.advance(TOTP_PERIOD);
  return codeAt(secret, clock.now());
}

/** What a person keeps after turning TOTP on: the authenticator's secret and the backup codes shown once. */
export interface Authenticator {
  readonly secret: string;
  readonly backupCodes: readonly string[];
}

/** Turns TOTP on for a signed-in caller, as the setup screen does: begin, then confirm with the current code. */
export async function enableTotp(engine: Engine, clock: ManualClock, caller: Caller): Promise<Authenticator> {
  const setup = await engine.mfa.beginTotp(caller);
  const { backupCodes } = engine.mfa.confirmTotp(caller, codeAt(setup.secret, clock.now()));
  return { secret: setup.secret, backupCodes };
}

export interface PasswordStep {
  readonly staySignedIn?: boolean;
  readonly deviceToken?: string | null;
  readonly device?: string;
}

/**
 * The first step of a sign-in that must go on to a second one; returns the challenge that the
 * MFA_REQUIRED (or MFA_ENROLLMENT_REQUIRED) error carries.
 */
export async function passwordStep(
  engine: Engine,
  username: string,
  password: string,
  options: PasswordStep & { expect?: Extract<ErrorCode, 'MFA_REQUIRED' | 'MFA_ENROLLMENT_REQUIRED'> } = {},
): Promise<ChallengeView> {
  const error = await failure(
    () =>
      engine.signIn.withPassword({
        username,
        password,
        client: cliClient(options.device),
        ...(options.staySignedIn === undefined ? {} : { staySignedIn: options.staySignedIn }),
        ...(options.deviceToken === undefined ? {} : { deviceToken: options.deviceToken }),
      }),
    options.expect ?? 'MFA_REQUIRED',
  );
  return error.details as unknown as ChallengeView;
}

/** Both steps of a sign-in: the password, then `code` (by default the authenticator's next code). */
export async function signInWithCode(
  engine: Engine,
  clock: ManualClock,
  username: string,
  password: string,
  authenticator: Authenticator,
  options: PasswordStep & { factor?: SecondFactor; code?: string; trustDevice?: boolean } = {},
): Promise<SignedInWithCode> {
  const challenge = await passwordStep(engine, username, password, options);
  return engine.signIn.answer({
    challengeId: challenge.challengeId,
    factor: options.factor ?? 'totp',
    code: options.code ?? nextCode(clock, authenticator.secret),
    ...(options.trustDevice === undefined ? {} : { trustDevice: options.trustDevice }),
  });
}

/** Six digits that the authenticator shows at none of the steps around `atMs`: a wrong code for sure. */
export function wrongCode(secret: string, atMs: number): string {
  const near = new Set([-2, -1, 0, 1, 2].map((step) => codeAt(secret, atMs, step)));
  for (let n = 0; ; n += 1) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, written out here so tests do not lean on the library the engine uses. */
export function base32Encode(bytes: Uint8Array): string {
  const bits = [...bytes].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  return (bits.match(/.{1,5}/g) ?? []).map((chunk) => BASE32[parseInt(chunk.padEnd(5, '0'), 2)]).join('');
}

export function base32Decode(text: string): Buffer {
  const bits = [...text].map((c) => BASE32.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}
