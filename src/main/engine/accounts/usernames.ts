import { LatchkeyError } from '../../../shared/errors.js';
import { EMAIL_MAX_LENGTH, USERNAME_RULE, isValidUsername, normaliseUsername } from '../../../shared/fields.js';

export function requireValidUsername(name: string): string {
  const normalised = normaliseUsername(name);
  if (!isValidUsername(normalised)) {
    throw new LatchkeyError('INVALID_INPUT', USERNAME_RULE, { field: 'username' });
  }
  return normalised;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/u;

export function requireValidEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > EMAIL_MAX_LENGTH || !EMAIL.test(trimmed)) {
    throw new LatchkeyError('INVALID_INPUT', 'That does not look like an e-mail address.', { field: 'email' });
  }
  return trimmed;
}
