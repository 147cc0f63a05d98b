import * as z from 'zod';
import {
  CODE_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  ID_PATTERNS,
  PASSWORD_MAX_LENGTH,
  PHONE_INPUT_MAX,
  SECOND_FACTORS,
  USERNAME_MAX_LENGTH,
  type SecondFactor,
  canonicalBackupCode,
  canonicalSentCode,
  canonicalTotpCode,
} from './fields.js';

/**
 * The fields of src/shared/fields.ts as zod schemas, for the hosts' boundary checks (the IPC
 * contract and the CLI). Each takes a string as typed and gives what the engine is handed.
 */

/** Trimmed; 1 to 64 characters. The engine checks the characters, with its own message. */
export const username = z.string().trim().min(1).max(USERNAME_MAX_LENGTH);
export const password = z.string().min(1).max(PASSWORD_MAX_LENGTH);
export const email = z.email().max(EMAIL_MAX_LENGTH);
/** As typed, with or without +country code: the engine reads it into E.164 and says what is wrong with it. */
export const phoneNumber = z
  .string()
  .max(PHONE_INPUT_MAX)
  .regex(/^[0-9+()./ -]{3,}$/);
export const factor = z.enum(SECOND_FACTORS);

const codeOf = (canonical: (typed: string) => string | null) =>
  z
    .string()
    .max(CODE_MAX_LENGTH)
    .transform((typed, context) => {
      const code = canonical(typed);
      if (code === null) context.addIssue({ code: 'custom', message: 'not a code of this kind' });
      return code ?? '';
    });

export const totpCode = codeOf((typed) => canonicalTotpCode(typed));
export const backupCode = codeOf(canonicalBackupCode);
export const sentCode = codeOf(canonicalSentCode);

/** A factor added to SECOND_FACTORS does not compile until its code has a shape here. */
const CODES = { totp: totpCode, backup_code: backupCode, sms_code: sentCode, email_code: sentCode } satisfies Record<
  SecondFactor,
  z.ZodType
>;

/**
 * A code with the factor it is for, each checked in its own shape: a TOTP code is digits, a backup
 * code is Crockford base32. An input of the wrong shape is refused here and never spends one of
 * the step's attempts.
 */
export function factorAnswer<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.discriminatedUnion('factor', [
    z.object({ ...shape, factor: z.literal('totp'), code: CODES.totp }).strict(),
    z.object({ ...shape, factor: z.literal('backup_code'), code: CODES.backup_code }).strict(),
    z.object({ ...shape, factor: z.literal('sms_code'), code: CODES.sms_code }).strict(),
    z.object({ ...shape, factor: z.literal('email_code'), code: CODES.email_code }).strict(),
  ]);
}

export const accountId = z.string().regex(ID_PATTERNS.account);
export const sessionId = z.string().regex(ID_PATTERNS.session);
export const challengeId = z.string().regex(ID_PATTERNS.challenge);
export const deviceId = z.string().regex(ID_PATTERNS.device);
export const messageId = z.string().regex(ID_PATTERNS.message);
