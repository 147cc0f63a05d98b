import fc from 'fast-check';

/**
 * Values that no field of any request should take as they are: text past every maximum the
 * contract or the CLI declares (the largest is 4096, a file path), control characters, lone
 * surrogates, metacharacters of SQL, file paths, shells and templates, and look-alike Unicode.
 */

export const SQL_TEXT = [
  "' OR '1'='1",
  "admin'--",
  "'; DROP TABLE accounts; --",
  '" OR ""="',
  '%',
  '_',
  '%_%',
  '\\',
  '\\%',
  "' UNION SELECT password_hash FROM accounts --",
  "x' AND 1=(SELECT count(*) FROM sqlite_master)--",
  '1; PRAGMA writable_schema = 1',
  'NULL',
  "'); ATTACH DATABASE '/tmp/x.db' AS x; --",
] as const;

export const PATH_TEXT = [
  '../../../../etc/passwd',
  '/etc/shadow',
  '..\\..\\windows\\system32\\config\\sam',
  '~/.ssh/id_rsa',
  '$HOME/.bashrc',
  '%APPDATA%\\Latchkey\\vault.db',
  'file:///etc/passwd',
  '/dev/zero',
  '/proc/self/environ',
  'CON',
  'NUL:',
  '\\\\?\\C:\\',
  '.',
  '..',
  '//',
  'a/../../b',
] as const;

export const INJECTION_TEXT = [
  '${7*7}',
  '{{7*7}}',
  '%s%s%s%s%n',
  '<script>alert(1)</script>',
  '`id`',
  '$(id)',
  '\r\nSet-Cookie: x=1',
  'javascript:alert(1)',
  'latchkey://verify?token=',
  '-rf',
  '--help',
  '-V',
  '\u001b[2J\u001b[31mred',
] as const;

export const UNICODE_TEXT = [
  '\u202Eadmin',
  'adm\u200Bin',
  '\uFEFFadmin',
  'ａｄｍｉｎ',
  '𝔞𝔡𝔪𝔦𝔫',
  'ADMIN',
  ' admin ',
  'admin\u0000',
  '\uD800',
  '\uDFFF',
  'a\uD83D',
  '\uDE00b',
  '\uFFFD',
  '\u0085\u2028\u2029',
  'ﬁ',
  'A\u030A',
  'İı',
  'ß',
  '\u0000',
  '\u0007\u0008\u007f',
] as const;

/** The lengths just past each maximum declared (64, 254, 1024, 4096 …) and far past them. */
const HUGE_LENGTHS = [33, 65, 129, 201, 255, 257, 1025, 4097, 50_001, 200_000] as const;

export const controlText = fc.string({
  unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 12,
});

export const loneSurrogate = fc
  .tuple(fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
  .map(([unit, before, after]) => `${before}${String.fromCharCode(unit)}${after}`);

export const hugeText = fc
  .tuple(fc.constantFrom(...HUGE_LENGTHS), fc.constantFrom('a', '1', ' ', '\u00e9', '😀', '\u0000', "'", '%'))
  .map(([length, unit]) => unit.repeat(length));

export const metaText = fc.constantFrom<string>(...SQL_TEXT, ...PATH_TEXT, ...INJECTION_TEXT, ...UNICODE_TEXT);

/** Any text, mostly hostile. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: metaText },
  { weight: 2, arbitrary: hugeText },
  { weight: 1, arbitrary: controlText },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => ` ${s}\t\n`) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER + 1,
  ),
  fc.double(),
  fc.integer(),
);

/** Keys that reach for an object's machinery instead of its data. */
export const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '',
  ' ',
  'then',
  'role',
  'admin',
  'token',
] as const;

/**
 * Values of any type a host could be handed: Electron's structured clone carries BigInt, Date,
 * Map, Set, typed arrays and RegExp; the browser host's JSON carries own `__proto__` keys.
 */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 2, arbitrary: hostileNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      true,
      false,
      [],
      [''],
      {},
      0n,
      2n ** 70n,
      new Date(Number.NaN),
      new Date(0),
      /x/g,
      new Map([['a', 1]]),
      new Set([1]),
      new Uint8Array(8),
      [[[[[]]]]],
    ),
  },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileText, hostileNumber), { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 6 })),
      fc.oneof(hostileText, hostileNumber),
      { maxKeys: 3 },
    ),
  },
  { weight: 1, arbitrary: fc.constant(ownProto({ role: 'admin', isAdmin: true })) },
  { weight: 1, arbitrary: fc.constant(deeplyNested(2_000)) },
);

/** An object with an own `__proto__` key, as `JSON.parse('{"__proto__": …}')` makes one. */
export function ownProto(value: unknown): Record<string, unknown> {
  return JSON.parse(`{"__proto__": ${JSON.stringify(value)}}`) as Record<string, unknown>;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** 32 lowercase hex digits, the shape of every id after its prefix. */
export const hex32 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });

/** Well-formed ids of a kind (acc_, sess_, dev_, chal_) that almost surely name nothing. */
export function idOf(prefix: 'acc' | 'sess' | 'dev' | 'chal' | 'msg' | 'alrt'): fc.Arbitrary<string> {
  return hex32.map((hex) => `${prefix}_${hex}`);
}
