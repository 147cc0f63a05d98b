import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh 256-bit secret, base64url: session tokens, refresh tokens, device tokens. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A public identifier with a readable prefix: `sess_` + 128 random bits in hex. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}

/** Tokens are long random secrets, so one SHA-256 is enough to keep them useless if the file leaks. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
