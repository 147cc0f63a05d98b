import fc from 'fast-check';
import { canonicalBackupCode } from '../../src/shared/fields.js';
import { totpCodeAt, totpStep } from '../../src/main/engine/mfa/totp.js';
import { POLICY_KEY_NAMES, isPolicyKey, policyInputOf } from '../../src/main/engine/policy/policy-keys.js';
import { hostileText, metaText } from './hostile.js';

/**
 * The values both fuzz suites draw well-formed requests from: names, passwords, codes and policy
 * settings, each pool in a "plausible" form and in the forms that are surely wrong for a vault
 * whose accounts and passwords are `accounts`.
 */

export const normaliseName = (name: string): string => name.normalize('NFKC').trim().toLowerCase();

/** An existing account's name as someone might write it: case, width and spacing changed. */
export function spellingsOf(name: string): fc.Arbitrary<string> {
  const fullwidth = [...name].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
  return fc.constantFrom(name, name.toUpperCase(), ` ${name}\t`, fullwidth, `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`);
}

const passphrase = fc.array(fc.stringMatching(/^[a-z]{3,9}$/), { minLength: 2, maxLength: 6 }).map((words) => words.join(' '));

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const backupShaped = fc
  .string({ unit: fc.constantFrom(...CROCKFORD, ...'ilo'), minLength: 13, maxLength: 13 })
  .map((c) => `${c.slice(0, 5)}-${c.slice(5, 10)}-${c.slice(10)}`);

export const anyCode: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^\d{6}$/),
  fc.stringMatching(/^\d{8}$/),
  fc.stringMatching(/^\d{3} \d{3}$/),
  backupShaped,
  fc.string({ minLength: 1, maxLength: 32 }),
  hostileText,
);

/** New passwords the rules refuse whoever sets them: too short, too long, a lost or a control character. */
export const rejectedPassword: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9 ]{1,7}$/).filter((p) => p.trim().length > 0),
  fc.string({ minLength: 257, maxLength: 1024, unit: fc.constantFrom('a', 'b', ' ', 'z') }),
  fc.tuple(passphrase, fc.constantFrom('\uD800', '\uDFFF', '\uFFFD')).map(([p, lost]) => `${p}${lost}${p}`),
  fc.tuple(passphrase, fc.constantFrom('\u0001', '\u0007', '\u001b', '\u007f')).map(([p, c]) => `${p}${c}${p}`),
);

/** Names the engine refuses to look up: a character outside letters, digits and . _ - @ in the middle. */
export const badName: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.stringMatching(/^[a-z]{1,10}$/),
      fc.constantFrom(' ', '/', "'", '"', ';', '<', '%', '!', '#', '*', '(', '\\', '\u0001', '\uff0f', '\u202e'),
      fc.stringMatching(/^[a-z]{1,10}$/),
    )
    .map(([a, c, b]) => `${a}${c}${b}`),
  fc.constantFrom("admin'--", "alice' OR '1'='1", 'bob; DROP TABLE accounts', '../carol', '.dave', '-admin', 'admin\u0007x'),
);

export interface ValuePools {
  /** An existing account's name, spelled some way. */
  readonly existingName: fc.Arbitrary<string>;
  /** Names no account has, however the engine folds them. */
  readonly unknownName: fc.Arbitrary<string>;
  readonly anyName: fc.Arbitrary<string>;
  readonly anyPassword: fc.Arbitrary<string>;
  /** Anything but `account`'s own password (compared as the engine compares: after NFKC). */
  wrongPasswordFor(account: string): fc.Arbitrary<string>;
  /** Neither a TOTP code for `secret` within three steps of `now()` nor one of `backupCodes`. */
  wrongCode(now: () => number, secret: string | null, backupCodes?: readonly string[]): fc.Arbitrary<string>;
}

/**
 * With `oneLine`, passwords are as standard input carries them, one a line: a line break inside one
 * becomes a space before it is compared with the real passwords.
 */
export function valuePools(accounts: Readonly<Record<string, string>>, options: { oneLine?: boolean } = {}): ValuePools {
  const names = Object.keys(accounts);
  const passwords = Object.values(accounts);
  const existingName = fc.constantFrom(...names).chain(spellingsOf);
  const unknownName = fc
    .oneof(fc.stringMatching(/^[a-z0-9][a-z0-9._@-]{0,40}$/), fc.stringMatching(/^[\p{L}\p{N}]{1,12}$/u), metaText, hostileText)
    .filter((name) => !names.includes(normaliseName(name)));
  const anyPassword = fc
    .oneof(
      passphrase,
      fc.string({ minLength: 1, maxLength: 64 }),
      hostileText,
      fc.constantFrom(...passwords),
      fc.constantFrom(...passwords.map((password) => `${password} `)),
    )
    .map((password) => (options.oneLine === true ? password.replace(/[\r\n]/g, ' ') : password));
  return {
    existingName,
    unknownName,
    anyName: fc.oneof(existingName, unknownName, badName),
    anyPassword,
    wrongPasswordFor(account) {
      const name = normaliseName(account);
      const own = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
      return anyPassword.filter((password) => own === undefined || password.normalize('NFKC') !== own);
    },
    wrongCode(now, secret, backupCodes = []) {
      const backup = new Set(backupCodes.map((code) => canonicalBackupCode(code)));
      return anyCode.filter((code) => {
        if (backup.has(canonicalBackupCode(code))) return false;
        if (secret === null) return true;
        const step = totpStep(now(), 30);
        const typed = code.replace(/\s/g, '');
        return [-3, -2, -1, 0, 1, 2, 3].every((away) => totpCodeAt(secret, step + away) !== typed);
      });
    },
  };
}

// Policy

/** Whether `text` is a value `key` takes, judged here without the engine's own check. */
function validPolicyValue(key: string, text: string): boolean {
  if (!isPolicyKey(key)) return false;
  const input = policyInputOf(key);
  const value = text.trim();
  if (input.kind === 'choice') return input.options.some((option) => option.value === value);
  return /^[0-9]+$/.test(value) && Number(value) >= input.min && Number(value) <= input.max;
}

export const unknownPolicyKey = fc.stringMatching(/^[a-zA-Z]{1,14}\.[a-zA-Z]{1,14}$/).filter((key) => !isPolicyKey(key));

/** A value each key takes, the way a form would send it. */
export const goodPolicySetting = fc.constantFrom(...POLICY_KEY_NAMES).chain((key) => {
  const input = policyInputOf(key);
  const value =
    input.kind === 'choice'
      ? fc.constantFrom(...input.options.map((option) => option.value))
      : fc.integer({ min: input.min, max: input.max }).map(String);
  return value.map((text) => ({ key, value: text }));
});

export const badPolicySetting = fc
  .tuple(
    fc.constantFrom(...POLICY_KEY_NAMES),
    fc.oneof(
      fc.integer({ min: -1000, max: 100_000 }).map(String),
      fc.constantFrom('1.5', '1e1', '0x1f', 'NaN', 'Infinity', '-0', '+5', '５', '٣', '1 0', 'on', 'true', 'evict', 'ALL', 'Off'),
      fc.string({ minLength: 1, maxLength: 64 }),
      hostileText,
    ),
  )
  .filter(([key, value]) => !validPolicyValue(key, value))
  .map(([key, value]) => ({ key, value }));
