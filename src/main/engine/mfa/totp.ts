import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP, URI } from 'otpauth';
import type { TOTP_ALGORITHMS, TOTP_DIGITS } from '../../store/mfa.js';

/** As the vault stores them, which is where the sets are declared. */
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

export interface TotpParameters {
  readonly algorithm: TotpAlgorithm;
  readonly digits: (typeof TOTP_DIGITS)[number];
  readonly period: number;
}

/** What every authenticator app reads from a QR code. */
export const DEFAULT_TOTP: TotpParameters = { algorithm: 'SHA1', digits: 6, period: 30 };

/** RFC 4226 §4: 160 bits from the CSPRNG, base32 (32 characters). */
export function newTotpSecret(): string {
  return new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
}

/** The Key URI Format: otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=…&digits=…&period=… */
export function totpUri(input: { issuer: string; accountName: string; secret: string; params?: TotpParameters }): string {
  const params = input.params ?? DEFAULT_TOTP;
  return URI.stringify(
    new TOTP({
      issuer: input.issuer,
      label: input.accountName,
      issuerInLabel: true,
      secret: Secret.fromBase32(input.secret),
      algorithm: params.algorithm,
      digits: params.digits,
      period: params.period,
    }),
  );
}

export function totpStep(atMs: number, period: number): number {
  return Math.floor(atMs / 1000 / period);
}

export function totpCodeAt(secret: string, step: number, params: TotpParameters = DEFAULT_TOTP): string {
  return HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: params.algorithm, digits: params.digits, counter: step });
}

/**
 * The time step whose code matches, looking `stepsBack` steps back and `stepsAhead` ahead of now
 * (RFC 6238 §5.2 clock-drift allowance), or null. Every candidate is computed and compared in
 * constant time, so the answer's timing does not tell which step matched.
 */
export function matchTotp(input: {
  secret: string;
  code: string;
  atMs: number;
  params?: TotpParameters;
  stepsBack: number;
  stepsAhead: number;
}): number | null {
  const params = input.params ?? DEFAULT_TOTP;
  if (!new RegExp(`^\\d{${params.digits}}$`).test(input.code)) return null;
  const offered = Buffer.from(input.code);
  const now = totpStep(input.atMs, params.period);
  let matched: number | null = null;
  for (let step = now - input.stepsBack; step <= now + input.stepsAhead; step += 1) {
    if (step < 0) continue;
    const expected = Buffer.from(totpCodeAt(input.secret, step, params));
    if (timingSafeEqual(expected, offered)) matched = step;
  }
  return matched;
}
