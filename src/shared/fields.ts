/**
 * The shape of every field a person types or a host passes on, declared once. The IPC contract
 * and the CLI build their checks from these (src/shared/field-schemas.ts), the app's forms take
 * their lengths and pre-checks from them, and the engine reads codes the same way.
 */

/** An account name, as typed: letters and digits of any script and . _ - @, compared after NFKC and lower-casing. */
export const USERNAME_MAX_LENGTH = 64;
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u;

export function normaliseUsername(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

/** The account-name rule in words, for the engine's refusal and the forms' check as a name is typed. */
export const USERNAME_RULE = `An account name is 1 to ${USERNAME_MAX_LENGTH} letters, digits, dots, dashes, underscores or @, starting with a letter or digit.`;

export function isValidUsername(normalised: string): boolean {
  return USERNAME.test(normalised);
}

/**
 * The most any password field takes. A new password is held to PASSWORD_LIMITS.max (256); a
 * field that checks an existing one takes more, so that it is refused as wrong, not as malformed.
 */
export const PASSWORD_MAX_LENGTH = 1024;

/** Longest phone number read: an E.164 number has 16 characters; this leaves room for spaces, dashes and brackets. */
export const PHONE_INPUT_MAX = 40;

/** RFC 5321 §4.5.3.1: a path of at most 256 octets, so an address of at most 254 characters. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The second factors a sign-in can be finished with; a new one is added here first. A code sent by
 * SMS or e-mail is offered only next to TOTP (security-parameters.md).
 */
export const SECOND_FACTORS = ['totp', 'backup_code', 'sms_code', 'email_code'] as const;
export type SecondFactor = (typeof SECOND_FACTORS)[number];

/** How much a code field takes as typed, spaces and dashes included. */
export const CODE_MAX_LENGTH = 64;

/**
 * A TOTP code in the form it is checked: spaces dropped (some apps show "123 456"). Keys Latchkey
 * makes show 6 digits; a key brought from elsewhere may show 7 or 8 (RFC 6238 allows up to 8).
 */
export function canonicalTotpCode(typed: string, { anyKey = true } = {}): string | null {
  const code = typed.replace(/\s/g, '');
  return (anyKey ? /^\d{6,8}$/ : /^\d{6}$/).test(code) ? code : null;
}

/** A code sent by SMS or e-mail: 6 digits, spaces dropped. */
export function canonicalSentCode(typed: string): string | null {
  const code = typed.replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/** Crockford's base32: no I, L, O or U, so a code read aloud or typed by hand is hard to get wrong. */
export const BACKUP_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 13 × 5 = 65 bits: NIST SP 800-63B §5.1.2 asks at least 64 for a look-up secret. */
export const BACKUP_CODE_LENGTH = 13;

/**
 * A backup code in its canonical form: case, dashes and spaces ignored, and the letters Crockford
 * maps to digits (I, L → 1; O → 0) folded. Null if it cannot be a code.
 */
export function canonicalBackupCode(typed: string): string | null {
  const folded = typed.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return folded.length === BACKUP_CODE_LENGTH && [...folded].every((c) => BACKUP_CODE_ALPHABET.includes(c)) ? folded : null;
}

/** The code as the engine will check it, or null when it cannot be one of `factor`'s codes. */
export function canonicalCode(factor: SecondFactor, typed: string, { anyKey = true } = {}): string | null {
  switch (factor) {
    case 'totp':
      return canonicalTotpCode(typed, { anyKey });
    case 'backup_code':
      return canonicalBackupCode(typed);
    case 'sms_code':
    case 'email_code':
      return canonicalSentCode(typed);
    default:
      return unknownFactor(factor);
  }
}

function unknownFactor(factor: never): never {
  throw new Error(`No code shape is declared for the factor ${String(factor)}.`);
}

/** Ids the engine hands out: a kind prefix and 128 random bits in hex. */
export const ID_PATTERNS = {
  account: /^acc_[0-9a-f]{32}$/,
  session: /^sess_[0-9a-f]{32}$/,
  challenge: /^chal_[0-9a-f]{32}$/,
  device: /^dev_[0-9a-f]{32}$/,
  message: /^msg_[0-9a-f]{32}$/,
} as const;
