import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOTP,
  matchTotp,
  newTotpSecret,
  totpCodeAt,
  totpStep,
  type TotpAlgorithm,
  type TotpParameters,
} from '../../../src/main/engine/mfa/totp.js';
import { base32Encode } from '../../support/mfa.js';
import { oathtoolCode } from '../../support/witnesses.js';

/** RFC 6238 Appendix B: the seed "12345678901234567890" repeated to the hash's length. */
const seedFor = (length: number): string => base32Encode(Buffer.from('12345678901234567890'.repeat(4).slice(0, length), 'ascii'));
const SEEDS: Record<TotpAlgorithm, string> = { SHA1: seedFor(20), SHA256: seedFor(32), SHA512: seedFor(64) };

/** RFC 6238 Appendix B, the table: time in seconds, T in hex, and the 8-digit code per algorithm. */
const RFC_6238 = [
  { time: 59, step: 0x1, SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' },
  { time: 1111111109, step: 0x23523ec, SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' },
  { time: 1111111111, step: 0x23523ed, SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' },
  { time: 1234567890, step: 0x273ef07, SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' },
  { time: 2000000000, step: 0x3f940aa, SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' },
  { time: 20000000000, step: 0x27bc86aa, SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' },
] as const;

const ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

/** RFC 4226 Appendix D: HOTP values for counters 0–9 of the secret "12345678901234567890". */
const RFC_4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('RFC 6238 Appendix B test vectors', () => {
  it.each(RFC_6238)('counts time step $step at T = $time s with a 30-second period', ({ time, step }) => {
    expect(totpStep(time * 1000, 30)).toBe(step);
  });

  for (const algorithm of ALGORITHMS) {
    it.each(RFC_6238)(`gives the 8-digit ${algorithm} code at T = $time s`, (row) => {
      const params: TotpParameters = { algorithm, digits: 8, period: 30 };
      expect(totpCodeAt(SEEDS[algorithm], totpStep(row.time * 1000, 30), params)).toBe(row[algorithm]);
    });
  }

  it('matches each vector inside a window of the current step only', () => {
    for (const algorithm of ALGORITHMS) {
      for (const row of RFC_6238) {
        const params: TotpParameters = { algorithm, digits: 8, period: 30 };
        const atMs = row.time * 1000;
        expect(matchTotp({ secret: SEEDS[algorithm], code: row[algorithm], atMs, params, stepsBack: 0, stepsAhead: 0 })).toBe(row.step);
      }
    }
  });
});

describe('RFC 4226 Appendix D test vectors', () => {
  it.each(RFC_4226.map((code, counter) => ({ counter, code })))('gives $code for counter $counter', ({ counter, code }) => {
    // totpCodeAt takes the step itself, which is HOTP's counter; the period plays no part.
    expect(totpCodeAt(SEEDS.SHA1, counter, { algorithm: 'SHA1', digits: 6, period: 30 })).toBe(code);
    expect(totpCodeAt(SEEDS.SHA1, counter, { algorithm: 'SHA1', digits: 6, period: 60 })).toBe(code);
  });
});

describe('oathtool, an implementation no one here wrote', () => {
  const TIMES = ['1970-01-01T00:00:59Z', '2020-01-01T00:00:00Z', '2026-01-05T09:00:29Z', '2038-01-19T03:14:08Z', '2100-12-31T23:59:59Z'];

  it.each(TIMES)('agrees with a freshly generated secret at %s', (utc) => {
    const secret = newTotpSecret();
    const at = Date.parse(utc);
    expect(oathtoolCode(secret, { at })).toBe(totpCodeAt(secret, totpStep(at, DEFAULT_TOTP.period)));
  });

  it('agrees on SHA-256 and SHA-512 with 8 digits', () => {
    const secret = newTotpSecret();
    const at = Date.parse('2031-07-14T12:34:56Z');
    for (const algorithm of ['SHA256', 'SHA512'] as const) {
      const expected = totpCodeAt(secret, totpStep(at, 30), { algorithm, digits: 8, period: 30 });
      expect(oathtoolCode(secret, { at, algorithm, digits: 8 })).toBe(expected);
    }
  });
});

describe('secrets', () => {
  it('makes a 160-bit secret written as 32 base32 characters, new each time', () => {
    const secrets = Array.from({ length: 50 }, () => newTotpSecret());
    for (const secret of secrets) expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
  });
});

describe('the window', () => {
  const secretArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(base32Encode);
  const timeArb = fc.integer({ min: 0, max: 4_102_444_800_000 });
  const windowArb = fc.record({ stepsBack: fc.integer({ min: 0, max: 2 }), stepsAhead: fc.integer({ min: 0, max: 2 }) });

  it('never accepts a code outside the window, and always names a step inside it whose code is the one offered', () => {
    fc.assert(
      fc.property(secretArb, timeArb, windowArb, fc.integer({ min: -6, max: 6 }), (secret, atMs, window, offset) => {
        const now = totpStep(atMs, 30);
        fc.pre(now + offset >= 0);
        const code = totpCodeAt(secret, now + offset);
        const matched = matchTotp({ secret, code, atMs, ...window });
        const inWindow = (step: number): boolean => step >= now - window.stepsBack && step <= now + window.stepsAhead;
        if (inWindow(now + offset)) expect(matched).not.toBeNull();
        if (matched !== null) {
          expect(inWindow(matched)).toBe(true);
          expect(totpCodeAt(secret, matched)).toBe(code);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses anything that is not exactly six digits', () => {
    const secret = newTotpSecret();
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (typed) => {
        fc.pre(!/^\d{6}$/.test(typed));
        expect(matchTotp({ secret, code: typed, atMs: Date.UTC(2026, 0, 5), stepsBack: 2, stepsAhead: 2 })).toBeNull();
      }),
    );
  });
});
