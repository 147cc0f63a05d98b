import { LatchkeyError } from '../../../shared/errors.js';

/** Letters and digits of any script, and . _ - @; compared after NFKC and lower-casing. */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u;

export function normaliseUsername(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

export function isValidUsername(normalised: string): boolean {
  return USERNAME.test(normalised);
}

export function requireValidUsername(name: string): string {
  const normalised = normaliseUsername(name);
  if (!isValidUsername(normalised)) {
    throw new LatchkeyError(
      'INVALID_INPUT',
      'An account name is 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit.',
      { field: 'username' },
    );
  }
  return normalised;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/u;

export function requireValidEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) {
    throw new LatchkeyError('INVALID_INPUT', 'That does not look like an e-mail address.', { field: 'email' });
  }
  return trimmed;
}
