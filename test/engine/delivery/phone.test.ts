import { describe, expect, it } from 'vitest';
import { defaultRegionFromLocale, normalisePhone } from '../../../src/main/engine/delivery/phone.js';
import { PHONE_INPUT_MAX } from '../../../src/shared/fields.js';
import { failure } from '../../support/errors.js';

describe('a phone number', () => {
  it('is written in E.164 whatever spaces, dashes and brackets it was typed with', () => {
    expect(normalisePhone('+44 7400 123456', null)).toBe('+447400123456');
    expect(normalisePhone(' +33 6-12-34-56-78 ', 'GB')).toBe('+33612345678');
    expect(normalisePhone('+44 (0) 7400 123456', null)).toBe('+447400123456');
  });

  it('is read in the default region when it has no country code', () => {
    expect(normalisePhone('07400 123456', 'GB')).toBe('+447400123456');
    expect(normalisePhone('(202) 555-0123', 'US')).toBe('+12025550123');
    expect(normalisePhone('01512 3456789', 'DE')).toBe('+4915123456789');
  });

  it('needs a country code when there is no default region', async () => {
    const error = await failure(() => normalisePhone('07400 123456', null), 'INVALID_INPUT');
    expect(error.message).toContain('with + and its country code');
    expect(error.details).toEqual({ field: 'phone' });
  });

  it('refuses what is not a phone number, or has words around one', async () => {
    for (const junk of ['', '   ', 'call me', '1-800-FLOWERS', 'call +44 7400 123456 after six', '++44 7400 123456']) {
      const error = await failure(() => normalisePhone(junk, 'GB'), 'INVALID_INPUT');
      expect(error.details).toEqual({ field: 'phone' });
    }
  });

  it('refuses a number no country issues', async () => {
    await failure(() => normalisePhone('+44 7400 12345', null), 'INVALID_INPUT');
    await failure(() => normalisePhone('123', 'GB'), 'INVALID_INPUT');
  });

  it(`refuses more than ${PHONE_INPUT_MAX} characters before reading any`, async () => {
    const padded = `+44 7400 123456${' '.repeat(PHONE_INPUT_MAX)}`;
    const error = await failure(() => normalisePhone(padded, null), 'INVALID_INPUT');
    expect(error.message).toContain(`at most ${PHONE_INPUT_MAX} characters`);
  });

  it('refuses a landline, which cannot take an SMS', async () => {
    for (const landline of ['+44 20 7946 0958', '+33 1 23 45 67 89']) {
      const error = await failure(() => normalisePhone(landline, null), 'INVALID_INPUT');
      expect(error.message).toContain('landline');
    }
  });

  it('lets through a number that may be a landline or a mobile', () => {
    // North American numbers do not tell the two apart.
    expect(normalisePhone('+1 202-555-0123', null)).toBe('+12025550123');
  });

  it('refuses an extension', async () => {
    const error = await failure(() => normalisePhone('+44 7400 123456 ext. 12', null), 'INVALID_INPUT');
    expect(error.message).toContain('extension');
  });
});

describe('the default region from a locale', () => {
  it('is the country a BCP 47 or POSIX locale names', () => {
    expect(defaultRegionFromLocale('en-GB')).toBe('GB');
    expect(defaultRegionFromLocale('en-gb')).toBe('GB');
    expect(defaultRegionFromLocale('de_DE.UTF-8')).toBe('DE');
    expect(defaultRegionFromLocale('fr_FR@euro')).toBe('FR');
    expect(defaultRegionFromLocale('sr-Latn-RS')).toBe('RS');
  });

  it('is null for a locale without a known country, or junk', () => {
    for (const locale of [undefined, '', 'en', 'C', 'POSIX', 'es-419', 'zz-ZZ', 'not a locale', '_.@']) {
      expect(defaultRegionFromLocale(locale), String(locale)).toBeNull();
    }
  });
});
