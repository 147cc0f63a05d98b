import { createHmac, randomBytes } from 'node:crypto';
import { BACKUP_CODE_ALPHABET as ALPHABET, BACKUP_CODE_LENGTH as LENGTH } from '../../../shared/fields.js';

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
 * Codes are long random secrets, so a keyed hash is enough: a slow hash adds nothing, and the key
 * (from the keychain) stops offline guessing from a stolen vault file.
 */
export function backupCodeDigest(key: Buffer, canonical: string): Buffer {
  return createHmac('sha256', key).update(`backup-code:${canonical}`).digest();
}
