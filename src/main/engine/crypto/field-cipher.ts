import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LatchkeyError } from '../../../shared/errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where an encrypted value lives; bound in as associated data so a value cannot be moved to another row or column. */
export interface FieldLocation {
  readonly table: string;
  readonly column: string;
  readonly rowId: string;
}

function associatedData(at: FieldLocation): Buffer {
  // A JSON array, so no table, column or id can run into the next one.
  return Buffer.from(JSON.stringify(['latchkey', at.table, at.column, at.rowId]), 'utf8');
}

/** AES-256-GCM for columns a stolen database file must not reveal. */
export class FieldCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('FieldCipher needs a 32-byte key');
    this.#key = key;
  }

  encrypt(plaintext: string, at: FieldLocation): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(at));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(sealed: string, at: FieldLocation): string {
    const [version, payload] = sealed.split('.', 2);
    const raw = payload === undefined ? Buffer.alloc(0) : Buffer.from(payload, 'base64url');
    if (version !== VERSION || raw.length < IV_BYTES + TAG_BYTES) throw tampered(at);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(at));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw tampered(at);
    }
  }
}

function tampered(at: FieldLocation): LatchkeyError {
  return new LatchkeyError(
    'VAULT_UNREADABLE',
    `An encrypted value (${at.table}.${at.column}) could not be decrypted: it was altered, moved, or sealed with another vault key.`,
  );
}
