import { createRequire } from 'node:module';
import type * as PhoneNumbers from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { LatchkeyError } from '../../../shared/errors.js';
import { PHONE_INPUT_MAX } from '../../../shared/fields.js';

const require = createRequire(import.meta.url);
let library: typeof PhoneNumbers | undefined;

/**
 * The library, loaded the first time a number or a region is read rather than with the engine: a
 * CLI command that reads none (whoami) should not pay its 40 ms. The max metadata, not the default
 * (min): with min, getType() cannot tell what a number is in many countries (France's landlines
 * among them), so a landline would pass as a mobile.
 */
function phoneNumbers(): typeof PhoneNumbers {
  return (library ??= require('libphonenumber-js/max') as typeof PhoneNumbers);
}

/** Whether phone numbers are known for this two-letter region (GB, US …). */
export function isKnownRegion(region: string): region is CountryCode {
  return phoneNumbers().isSupportedCountry(region);
}

const refuse = (words: string): LatchkeyError<'INVALID_INPUT'> => new LatchkeyError('INVALID_INPUT', words, { field: 'phone' });

const NOT_A_NUMBER = 'That is not a phone number.';
/** Why the library could not read a number (its ParseError's message), in words for the person who typed it. */
const PARSE_PROBLEMS: Readonly<Record<string, string>> = {
  INVALID_COUNTRY: 'Write the phone number with + and its country code, such as +44 7400 123456.',
  TOO_SHORT: 'That phone number is too short.',
  TOO_LONG: 'That phone number is too long.',
  INVALID_LENGTH: 'That phone number has the wrong number of digits.',
};

/**
 * A phone number as typed, in E.164 (`+447400123456`), the one form the outbox and the gateway see.
 * A number without `+country code` is read in `defaultRegion`. Refused: anything but a number (no
 * words around it), a number no country issues, an extension, and a landline, which cannot take an SMS.
 */
export function normalisePhone(input: string, defaultRegion: CountryCode | null): string {
  if (input.length > PHONE_INPUT_MAX) throw refuse(`A phone number may have at most ${PHONE_INPUT_MAX} characters.`);
  const text = input.trim();
  if (text === '') throw refuse('Give a phone number.');
  let number;
  try {
    // `extract: false`: the whole input must be the number, so "call 07400 123456 after six" is refused.
    number = phoneNumbers().parsePhoneNumberWithError(text, {
      ...(defaultRegion === null ? {} : { defaultCountry: defaultRegion }),
      extract: false,
    });
  } catch (error) {
    if (error instanceof phoneNumbers().ParseError) throw refuse(PARSE_PROBLEMS[error.message] ?? NOT_A_NUMBER);
    throw error;
  }
  if (!number.isValid()) throw refuse('That is not a valid phone number. Check the digits and the country code.');
  if (number.ext !== undefined) throw refuse('An SMS cannot go to an extension. Give the number without it.');
  // FIXED_LINE_OR_MOBILE (as in the US) is let through: only a number known to be a landline is refused.
  if (number.getType() === 'FIXED_LINE') throw refuse('That is a landline number, which cannot receive an SMS. Give a mobile number.');
  return number.number;
}

/**
 * The country a locale names (`en-GB` → GB, `de_DE.UTF-8` → DE), if phone numbers are known for it:
 * the region a number without `+country code` is most likely written in. Null for a locale with no
 * country (`en`, `C`), a numeric region (`es-419`) or junk.
 */
export function defaultRegionFromLocale(locale: string | undefined): CountryCode | null {
  if (locale === undefined) return null;
  // POSIX locales (LANG) carry a codeset and a modifier BCP 47 has no room for: `de_DE.UTF-8@euro`.
  const tag = (locale.split(/[.@]/)[0] ?? '').replace(/_/g, '-');
  let region: string | undefined;
  try {
    region = new Intl.Locale(tag).region;
  } catch {
    return null;
  }
  return region !== undefined && isKnownRegion(region) ? region : null;
}
