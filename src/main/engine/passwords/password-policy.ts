import type { dictionary as Dictionary } from '@zxcvbn-ts/language-common';
import { createRequire } from 'node:module';
import { LatchkeyError, type PasswordRule } from '../../../shared/errors.js';
import { PASSWORD_LIMITS, hasLostCharacter } from '../../../shared/password-rules.js';
import { normalisePassword } from './password-hasher.js';

export interface PasswordContext {
  readonly username: string;
  readonly email?: string | null;
  readonly hasSecondFactor: boolean;
}

let common: ReadonlySet<string> | null = null;

/**
 * About 49,000 passwords seen most often in breaches, from zxcvbn-ts's maintained list. Loaded the
 * first time a password is checked, not when the engine is: most commands never set one.
 */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(loadDictionary()['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

function loadDictionary(): typeof Dictionary {
  return (createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: typeof Dictionary }).dictionary;
}

/**
 * The whole password rule set: no character lost on the way in, length, no control characters,
 * not a known-common password (nor one with a few digits or symbols stuck on), not built from the
 * account's own name. No composition rules and no forced expiry, as NIST advises.
 */
export function checkPasswordPolicy(password: string, context: PasswordContext): void {
  if (hasLostCharacter(password)) {
    reject(
      'lost_character',
      'The password contains a broken character (such as �), often left by copying text between programs. Type it again, or choose another.',
    );
  }
  const normalised = normalisePassword(password);
  const length = [...normalised].length;
  const min = context.hasSecondFactor ? PASSWORD_LIMITS.minWithSecondFactor : PASSWORD_LIMITS.minWithoutSecondFactor;
  if (length < min) {
    reject(
      'too_short',
      `The password must be at least ${min} characters long${context.hasSecondFactor ? '' : ` (${PASSWORD_LIMITS.minWithSecondFactor} once a second factor is set up)`}.`,
      { min },
    );
  }
  if (length > PASSWORD_LIMITS.max) {
    reject('too_long', `The password must be at most ${PASSWORD_LIMITS.max} characters long.`, { max: PASSWORD_LIMITS.max });
  }
  if (/\p{Cc}/u.test(normalised)) {
    reject('control_character', 'The password may contain any printable character and spaces, but no control characters.');
  }
  const lower = normalised.toLowerCase();
  const core = lower.replace(/[\d\s\p{P}\p{S}]+$/u, '').replace(/^[\d\s\p{P}\p{S}]+/u, '');
  if (commonPasswords().has(lower) || (core.length >= 4 && commonPasswords().has(core)) || /^(.)\1*$/u.test(lower)) {
    reject('common', 'This password is too common: it appears in lists of passwords that attackers try first. Choose another.');
  }
  for (const own of ownNames(context)) {
    if (lower.includes(own)) reject('contains_name', 'The password must not contain the account name or e-mail address.');
  }
}

function ownNames(context: PasswordContext): string[] {
  const names = [context.username.normalize('NFKC').toLowerCase()];
  if (context.email) {
    const email = context.email.normalize('NFKC').toLowerCase();
    names.push(email, email.split('@')[0] ?? '');
  }
  return names.filter((name) => name.length >= 3);
}

function reject(rule: PasswordRule, message: string, extra: { readonly min?: number; readonly max?: number } = {}): never {
  throw new LatchkeyError('PASSWORD_REJECTED', message, { rule, ...extra });
}
