import { createHmac, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a code read aloud or typed by hand is hard to get wrong. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 13; // 13 × 5 = 65 bits: NIST 800-63B asks at least 64 for a look-up secret

export const BACKUP_CODE_COUNT = 10;

/** Fresh codes, shown as XXXXX-XXXXX-XXX. */
export function newBackupCodes(count: number = BACKUP_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    // 256 is a multiple of 32, so masking a byte keeps every character equally likely.
    const chars = [...randomBytes(LENGTH)].map((byte) => ALPHABET[byte & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10)}`;
  });
}

/**
 * The canonical form of what someone typed: case, dashes and spaces ignored, and the letters
 * Crockford maps to digits (I, L → 1; O → 0) folded. Null if it cannot be a code.
 */
export function canonicalBackupCode(typed: string): string | null {
  const folded = typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  return folded.length === LENGTH && [...folded].every((c) => ALPHABET.includes(c)) ? folded : null;
}

/**
 * Codes are long random secrets, so a keyed hash is enough: a slow hash adds nothing, and the key
 * (from the keychain) stops offline guessing from a stolen vault file.
 */
export function backupCodeDigest(key: Buffer, canonical: string): Buffer {
  return createHmac('sha256', key).update(`backup-code:${canonical}`).digest();
}
