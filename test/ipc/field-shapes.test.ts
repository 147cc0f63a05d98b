import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArg } from '../../src/cli/arguments.js';
import { UsageError } from '../../src/cli/password-input.js';
import { contract } from '../../src/shared/contract.js';
import { canonicalCode, CODE_MAX_LENGTH, SECOND_FACTORS, type SecondFactor, USERNAME_MAX_LENGTH } from '../../src/shared/fields.js';

/**
 * A field is declared once (src/shared/fields.ts), so every boundary takes the same inputs and
 * hands the engine the same value: the IPC contract, the CLI's argument checks, and the app's
 * pre-check (which calls canonicalCode itself). A boundary looser than the others would let a
 * malformed code through to spend an attempt; a stricter one would refuse a code another takes.
 */

const CHALLENGE = `chal_${'a'.repeat(32)}`;
const CLI_CODE_RULE = {
  totp: 'totpCode',
  backup_code: 'backupCode',
  sms_code: 'sentCode',
  email_code: 'sentCode',
} as const satisfies Record<SecondFactor, string>;

function cliArg(kind: Parameters<typeof parseArg>[0], value: string): unknown {
  try {
    return parseArg(kind, value);
  } catch (error) {
    if (error instanceof UsageError) return null;
    throw error;
  }
}

function contractCode(factor: SecondFactor, code: string): unknown {
  const parsed = contract['auth.answerChallenge'].input.safeParse({ challengeId: CHALLENGE, factor, code });
  return parsed.success ? parsed.data.code : null;
}

/** Strings near every code's shape: digits with spaces, Crockford letters with dashes and look-alikes, and noise. */
const typedCode = fc.oneof(
  fc.stringMatching(/^[0-9 ]{0,12}$/),
  fc.stringMatching(/^[0-9A-Za-z -]{0,20}$/),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    '123456',
    '123 456',
    '12345678',
    '1234567',
    '12345',
    'ABCDE-FGHJK-MNP',
    'abcde fghjk mnp',
    'IOL00-00000-000',
    'ABCDE-FGHJK-MNU',
  ),
);

describe('each second factor takes one shape of code at every boundary', () => {
  for (const factor of SECOND_FACTORS) {
    it(`the contract and the CLI accept the same ${factor} codes as the app's check, and hand on the same value`, () => {
      fc.assert(
        fc.property(typedCode, (typed) => {
          const expected = canonicalCode(factor, typed);
          expect(contractCode(factor, typed)).toBe(expected);
          expect(cliArg(CLI_CODE_RULE[factor], typed)).toBe(expected);
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('refuses a backup code sent as a TOTP code, and a TOTP code sent as a backup code, before the engine', () => {
    expect(contractCode('totp', 'ABCDE-FGHJK-MNP')).toBeNull();
    expect(contractCode('backup_code', '123456')).toBeNull();
  });

  it(`takes no code longer than ${CODE_MAX_LENGTH} characters, even one that would be right with its spaces dropped`, () => {
    const padded = `123456${' '.repeat(CODE_MAX_LENGTH)}`;
    expect(canonicalCode('totp', padded)).toBe('123456');
    expect(contractCode('totp', padded)).toBeNull();
    expect(cliArg('totpCode', padded)).toBeNull();
  });

  it('checks the code of disabling two-step sign-in in the same shape as at sign-in', () => {
    const disable = (factor: SecondFactor, code: string): boolean =>
      contract['mfa.disable'].input.safeParse({ password: 'x', factor, code }).success;
    expect(disable('totp', '123 456')).toBe(true);
    expect(disable('totp', '12345')).toBe(false);
    expect(disable('backup_code', 'abcde-fghjk-mnp')).toBe(true);
    expect(disable('backup_code', 'abcde')).toBe(false);
  });
});

describe('an account name is one field at every boundary', () => {
  it(`the contract and the CLI take the same names, trimmed, of 1 to ${USERNAME_MAX_LENGTH} characters`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.stringMatching(/^ {0,3}[a-z]{0,70} {0,3}$/)), (typed) => {
        const parsed = contract['admin.accounts.unlock'].input.safeParse({ username: typed });
        expect(cliArg('accountName', typed)).toBe(parsed.success ? parsed.data.username : null);
      }),
      { numRuns: 2000 },
    );
  });
});
