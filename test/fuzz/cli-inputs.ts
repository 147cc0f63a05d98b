import fc from 'fast-check';
import type { Command } from 'commander';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.js';
import { AUDIT_EVENT_TYPES } from '../../src/shared/audit-events.js';
import { ALERT_SEVERITIES } from '../../src/shared/monitoring.js';
import { DELIVERY_SECRET_KEYS, DELIVERY_SETTING_KEYS, OUTBOX_STATES } from '../../src/shared/delivery.js';
import { IMPORT_COLUMNS } from '../../src/main/engine/accounts/import.js';
import { POLICY_KEY_NAMES } from '../../src/main/engine/policy/policy-keys.js';
import { hostileText, idOf } from './hostile.js';
import { CLI_ACCOUNTS, type CliWorld } from './cli-world.js';
import { anyCode, backupShaped, badName, badPolicySetting, rejectedPassword, spellingsOf, unknownPolicyKey, valuePools } from './values.js';

/** One command of the CLI's table, as commander declares it. */
export interface CommandSpec {
  /** The words that name it: `mfa totp begin`. */
  readonly name: string;
  readonly path: readonly string[];
  readonly args: readonly { readonly name: string; readonly required: boolean; readonly variadic: boolean }[];
  readonly options: readonly { readonly long: string; readonly takesValue: boolean; readonly mandatory: boolean }[];
}

/** Every command the `latchkey` program has, read from its own command table. */
export function commandSpecs(): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const walk = (command: Command, path: readonly string[]): void => {
    for (const sub of command.commands) {
      const here = [...path, sub.name()];
      if (sub.commands.length > 0) {
        walk(sub, here);
        continue;
      }
      specs.push({
        name: here.join(' '),
        path: here,
        args: sub.registeredArguments.map((a) => ({ name: a.name(), required: a.required, variadic: a.variadic })),
        options: sub.options.map((o) => ({ long: o.long ?? o.flags, takesValue: o.required || o.optional, mandatory: o.mandatory })),
      });
    }
  };
  walk(buildProgram(), []);
  return specs;
}

/** The options every command takes; the world already gives --vault and --keychain-service. */
const GLOBAL_VALUE_OPTIONS = ['--vault', '--keychain-service'] as const;
const HELP_OR_VERSION = new Set(['-h', '--help', '-V', '--version']);

/**
 * What the fuzz gives each command, and what must come back:
 * - `usage`: a mistake commander or the option check finds (an unknown option, a missing or empty
 *   value, one argument too many or too few): exit 2 before anything runs;
 * - `environment`: a sensible call against a vault that is not this one (a text file, a folder, an
 *   empty file, nothing) or a keychain that does not hold its key: refused, the real vault untouched;
 * - `wrong`: a call that names nothing or proves nothing (the command's own table below): refused;
 * - `read`: anything at all to a command that only reads.
 */
export type CliKind = 'usage' | 'environment' | 'wrong' | 'read';

export interface CliCase {
  readonly command: string;
  readonly kind: CliKind;
  /** Everything after the world's own --vault and --keychain-service. */
  readonly argv: readonly string[];
  readonly stdin: string | Uint8Array;
  readonly json: boolean;
  /** Written to the import files before the run. */
  readonly importFile: string | Uint8Array;
}

/** The words after the command's name: positional arguments, then options. */
interface Call {
  readonly positionals: readonly string[];
  readonly options: readonly (readonly string[])[];
  readonly stdin: string | Uint8Array;
}

/** A program's argument cannot hold NUL, and Linux refuses one longer than 128 KiB: the rest of a hostile text goes through. */
function argvSafe(token: string): string {
  const text = token.replace(/\0/g, '');
  if (HELP_OR_VERSION.has(text)) return `${text.replace(/^-+/, '')}-word`;
  return Buffer.byteLength(text) > 100_000 ? text.slice(0, 30_000) : text;
}

/** Lines of standard input, as `--password-stdin` reads them: only \n and \r\n end a line. */
function lines(...texts: readonly string[]): string {
  return texts.map((text) => text.replace(/[\r\n]/g, ' ')).join('\n') + '\n';
}

const junkStdin: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom<string | Uint8Array>('', '\n', '\r\n\r\n', '\uFEFFcorrect horse battery staple\n', 'no newline at the end', 'a\u0000b\n'),
  fc.constantFrom(
    Uint8Array.of(0xff, 0x0a),
    Uint8Array.of(0xc0, 0xaf, 0x0a),
    Uint8Array.of(0xed, 0xa0, 0x80, 0x0a),
    Uint8Array.of(0x80),
    Uint8Array.of(0xf8, 0x88, 0x80, 0x80, 0x80),
  ),
  fc.uint8Array({ maxLength: 64 }),
  fc.constant('x'.repeat(1_000_000)),
  fc.array(hostileText, { minLength: 1, maxLength: 3 }).map((texts) => lines(...texts)),
);

const pools = valuePools(CLI_ACCOUNTS, { oneLine: true });
/** Shaped like a verification link's token: no such link exists, so each is refused. */
const verificationShaped = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const deliveryKeys = new Set<string>([...DELIVERY_SETTING_KEYS, ...DELIVERY_SECRET_KEYS]);
const unknownSettingKey = unknownPolicyKey.filter((key) => !deliveryKeys.has(key));
const namesNoOneHas = fc.oneof(pools.unknownName, badName);
const rootSpelling = spellingsOf('root');
const anyNote = fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(1001)), fc.constant('   '), hostileText);

function decoyPath(world: CliWorld): fc.Arbitrary<string> {
  const d = world.decoys;
  return fc.oneof(
    fc.constantFrom(d.textFile, d.emptyFile, d.folder, d.linkToText, d.danglingLink, d.inMissingFolder),
    fc.constant(join(world.dir, 'x'.repeat(5_000))),
    fc.constant(''),
  );
}

export function importPaths(world: CliWorld): readonly string[] {
  return ['rows.csv', 'rows.json', 'rows.jsonl', 'rows.txt'].map((name) => join(world.imports, name));
}

/** Plausible values for each argument and option name the command table uses. */
function valueFor(name: string, world: CliWorld): fc.Arbitrary<string> {
  const hostile = hostileText;
  switch (name) {
    case 'name':
    case 'admin':
    case 'account':
      return fc.oneof(pools.anyName, hostile);
    case 'id':
      return fc.oneof(
        idOf('sess'),
        idOf('dev'),
        idOf('msg'),
        idOf('alrt'),
        fc.constantFrom(...world.sessionIds, world.root.deviceId),
        hostile,
      );
    case 'file':
      return fc.oneof(decoyPath(world), fc.constantFrom(...importPaths(world), world.bigImport));
    case 'qr-png':
      // A PNG the command makes before it is refused must be gone again afterwards.
      return fc.oneof(decoyPath(world), fc.constant(world.decoys.nothing));
    case 'output':
      return decoyPath(world);
    case 'key':
      return fc.oneof(fc.constantFrom(...POLICY_KEY_NAMES, ...DELIVERY_SETTING_KEYS, ...DELIVERY_SECRET_KEYS), unknownPolicyKey, hostile);
    case 'value':
      return fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), hostile);
    case 'address':
    case 'email':
      return fc.oneof(fc.emailAddress(), fc.constantFrom('alice@example.org', 'not-an-address', 'x@y'), hostile);
    case 'code':
      return anyCode;
    case 'backup-code':
      return fc.oneof(backupShaped, anyCode);
    case 'format':
      return fc.oneof(fc.constantFrom('json', 'csv', 'JSON', 'Csv', 'xml', 'jsonl'), hostile);
    case 'type':
      return fc.oneof(fc.constantFrom(...AUDIT_EVENT_TYPES, 'session', 'mfa', 'SIGNIN', 'signin.'), hostile);
    case 'since':
      return fc.oneof(
        fc.constantFrom('30m', '24h', '7d', '0m', '999999d', '1000000d', '-1d', '2026-01-31', '2026-13-45', '2026-01-31T09:00Z', '1e3h'),
        hostile,
      );
    case 'note':
      return anyNote;
    case 'fail-on':
      return fc.oneof(fc.constantFrom(...ALERT_SEVERITIES, 'HIGH', 'severe', ''), hostile);
    case 'limit':
      return fc.oneof(fc.constantFrom('1', '50', '10000', '0', '10001', '-1', '1e3', 'NaN', ' 5 ', '0x10', '99999999999'), hostile);
    case 'token':
      return fc.oneof(
        fc.base64String({ minLength: 43, maxLength: 44 }),
        verificationShaped.map((t) => `latchkey://verify?token=${t}`),
        verificationShaped,
        hostile,
      );
    case 'state':
      return fc.oneof(fc.constantFrom(...OUTBOX_STATES, 'SENT', 'pending', ''), hostile);
    case 'channel':
    case 'send-code':
      return fc.oneof(fc.constantFrom('email', 'sms', 'fax', 'EMAIL'), hostile);
    case 'role':
      return fc.oneof(fc.constantFrom('admin', 'user', 'owner', 'ADMIN', ''), hostile);
    case 'number':
    case 'to':
      return fc.oneof(fc.emailAddress(), fc.constantFrom('+44 7700 900123', '07700 900123', 'not-a-number', '+1'), hostile);
    default:
      throw new Error(`the CLI fuzz has no values for "${name}": add them to valueFor`);
  }
}

function plausible(spec: CommandSpec, world: CliWorld): fc.Arbitrary<Call> {
  const positionals = fc.tuple(
    ...spec.args.map((arg) => (arg.required ? valueFor(arg.name, world) : fc.option(valueFor(arg.name, world), { nil: null }))),
  );
  const options = fc.tuple(
    ...spec.options.map((option) => {
      const present: fc.Arbitrary<string[]> = option.takesValue
        ? valueFor(option.long.replace(/^--/, ''), world).map((value) => [option.long, value])
        : fc.constant([option.long]);
      return option.mandatory ? present : fc.option(present, { nil: null, freq: 2 });
    }),
  );
  const takesPasswords = spec.options.some((option) => option.long === '--password-stdin');
  const stdin = takesPasswords
    ? fc.oneof(
        fc.array(pools.anyPassword, { minLength: 1, maxLength: 3 }).map((texts) => lines(...texts)),
        junkStdin,
      )
    : junkStdin;
  return fc.record({ positionals, options, stdin }).map(({ positionals: given, options: chosen, stdin: input }) => ({
    positionals: cutAtFirstGap(given),
    options: chosen.filter((option): option is string[] => option !== null),
    stdin: input,
  }));
}

/** Optional positionals are filled in order: one left out leaves out those after it. */
function cutAtFirstGap(values: readonly (string | null)[]): string[] {
  const gap = values.indexOf(null);
  return (gap === -1 ? values : values.slice(0, gap)) as string[];
}

// ---------------------------------------------------------------------------------------------

type Fault = (call: Call) => Call;

function usageFaults(spec: CommandSpec): fc.Arbitrary<Fault> {
  const longs = new Set([...spec.options.map((o) => o.long), '--vault', '--keychain-service', '--json', '--version', '--help']);
  const valueOptions = [...spec.options.filter((o) => o.takesValue).map((o) => o.long), ...GLOBAL_VALUE_OPTIONS];
  const flags = [...spec.options.filter((o) => !o.takesValue).map((o) => o.long), '--json'];
  const append = (call: Call, ...tokens: string[]): Call => ({ ...call, options: [...call.options, tokens] });
  const faults: fc.Arbitrary<Fault>[] = [
    fc
      .oneof(fc.stringMatching(/^--[a-z][a-z-]{1,14}$/), fc.constantFrom('-q', '-x', '-Z', '---', '--vault-path', '--jsonx'))
      .filter((flag) => !longs.has(flag))
      .map(
        (flag): Fault =>
          (call) =>
            append(call, flag),
      ),
    fc.constantFrom(...valueOptions).map(
      (flag): Fault =>
        (call) =>
          append(call, flag),
    ),
    fc.constantFrom(...valueOptions).map(
      (flag): Fault =>
        (call) =>
          append(call, flag, ''),
    ),
    fc.tuple(fc.constantFrom(...flags), fc.constantFrom('1', 'yes', '')).map(
      ([flag, value]): Fault =>
        (call) =>
          append(call, `${flag}=${value}`),
    ),
  ];
  if (!spec.args.some((arg) => arg.variadic)) {
    faults.push(
      fc.constant<Fault>((call) => ({
        ...call,
        positionals: [...spec.args.map((_, i) => call.positionals[i] ?? 'filler'), 'one-too-many'],
      })),
    );
  }
  const required = spec.args.filter((arg) => arg.required).length;
  if (required > 0) faults.push(fc.constant<Fault>((call) => ({ ...call, positionals: call.positionals.slice(0, required - 1) })));
  const mandatory = spec.options.filter((o) => o.mandatory).map((o) => o.long);
  if (mandatory.length > 0)
    faults.push(fc.constant<Fault>((call) => ({ ...call, options: call.options.filter((o) => !mandatory.includes(o[0] ?? '')) })));
  return fc.oneof(...faults);
}

function environmentFault(spec: CommandSpec, world: CliWorld): fc.Arbitrary<readonly string[]> {
  const d = world.decoys;
  // `init` may make a vault where there is none or in an empty file: only places it must refuse.
  const vaults =
    spec.name === 'init'
      ? [d.textFile, d.folder, d.linkToText]
      : [d.textFile, d.folder, d.linkToText, d.emptyFile, d.danglingLink, d.inMissingFolder, d.nothing];
  return fc.oneof(
    fc.constantFrom(...vaults).map((vault) => ['--vault', vault]),
    fc.constant(['--keychain-service', world.otherService]),
  );
}

// ---------------------------------------------------------------------------------------------
// Import files that hold no row that could be imported: every row names an existing account, a name
// the engine refuses, or a password hash that is none.

function csvField(text: string, quote: boolean): string {
  return quote ? `"${text.replace(/"/g, '""')}"` : text;
}

const notAHash = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    hostileText,
    fc.constantFrom('$argon2id$', '$2b$04$short', '$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA', '*', 'null'),
  )
  .filter((text) => !/^\$(argon2id\$v=|2[aby]\$\d\d\$.{53}$)/.test(text));

const importRow = fc.record({
  username: fc.oneof(pools.existingName, badName, pools.unknownName),
  email: fc.oneof(fc.emailAddress(), hostileText),
  role: fc.oneof(fc.constantFrom('admin', 'user', 'root', ''), hostileText),
  password_hash: notAHash,
  totp_uri: fc.oneof(
    fc.constant(''),
    fc.constantFrom('otpauth://totp/x?secret=JBSWY3DPEHPK3PXP', 'otpauth://hotp/x', 'http://x'),
    hostileText,
  ),
});

const importText: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc
    .tuple(
      fc.oneof(fc.constant([...IMPORT_COLUMNS]), fc.shuffledSubarray([...IMPORT_COLUMNS, 'password', 'extra', '__proto__'])),
      fc.array(fc.tuple(importRow, fc.boolean()), { maxLength: 5 }),
    )
    .map(([header, rows]) =>
      [
        header.join(','),
        ...rows.map(([row, quote]) =>
          header.map((column) => csvField(String((row as Record<string, unknown>)[column] ?? ''), quote)).join(','),
        ),
      ].join('\n'),
    ),
  fc.array(importRow, { maxLength: 5 }).map((rows) => JSON.stringify(rows)),
  fc.array(importRow, { maxLength: 5 }).map((rows) => rows.map((row) => JSON.stringify(row)).join('\n')),
  fc.constantFrom(
    '[{"__proto__": {"username": "mallory", "role": "admin"}}]',
    '{"username": 1e400}',
    '[[[[[]]]]]',
    'null',
    '"text"',
    '{',
    '[{"username":"x","password_hash":{"$gt":""}}]',
  ),
  fc.uint8Array({ maxLength: 200 }),
  hostileText,
);

// ---------------------------------------------------------------------------------------------
// Wrong: well-formed calls that the rules refuse, signed in as root

type Wrong = (world: CliWorld) => fc.Arbitrary<Call>;

const call = (positionals: readonly string[], options: readonly (readonly string[])[] = [], stdin: string | Uint8Array = ''): Call => ({
  positionals,
  options,
  stdin,
});
const maybe = (option: fc.Arbitrary<readonly string[]>): fc.Arbitrary<readonly (readonly string[])[]> =>
  fc.option(option, { nil: null }).map((o) => (o === null ? [] : [o]));

function wrongRootCode(world: CliWorld): fc.Arbitrary<string> {
  return pools.wrongCode(() => Date.now(), world.root.totpSecret, world.root.backupCodes);
}

function proofOption(world: CliWorld): fc.Arbitrary<readonly string[]> {
  return fc.tuple(fc.constantFrom('--code', '--backup-code'), wrongRootCode(world)).map(([flag, code]) => [flag, code]);
}

/** Commands that only read: anything may be asked of them. */
const READS = new Set([
  'status',
  'vault verify',
  'whoami',
  'mfa status',
  'mfa backup-codes count',
  'mfa devices list',
  'account list',
  'account show',
  'session list',
  'audit list',
  'audit verify',
  'audit export',
  'policy show',
  'outbox list',
  'config show',
  // Verifies the log first, and writes only when it does not verify, which it does in this world.
  'alerts list',
  'alerts show',
  'report',
]);

/**
 * For each command that writes, the well-formed calls that must be refused. A command left out
 * (signout, session cleanup) gets only the usage and environment cases: every well-formed call
 * of it is a legitimate one.
 */
const WRONG: Readonly<Record<string, Wrong>> = {
  // The vault has accounts; root's TOTP is on; there is no setup to confirm.
  init: (world) => plausible(spec('init'), world),
  'mfa totp begin': (world) => plausible(spec('mfa totp begin'), world),
  'mfa totp confirm': (world) => plausible(spec('mfa totp confirm'), world),

  signin: (world) =>
    pools.anyName.chain((name) =>
      fc
        .tuple(
          pools.wrongPasswordFor(name),
          maybe(proofOption(world)),
          maybe(fc.constant(['--trust-device'])),
          maybe(fc.oneof(decoyPath(world), fc.constant(world.decoys.nothing)).map((path) => ['--qr-png', path])),
        )
        .map(([password, ...extra]) => call([name], [['--password-stdin'], ...extra.flat()], lines(password))),
    ),
  'mfa totp disable': (world) =>
    fc.oneof(
      fc
        .tuple(pools.wrongPasswordFor('root'), fc.tuple(fc.constantFrom('--code', '--backup-code'), anyCode))
        .map(([password, proof]) => call([], [['--password-stdin'], proof], lines(password))),
      proofOption(world).map((proof) => call([], [['--password-stdin'], proof], lines(CLI_ACCOUNTS.root))),
    ),
  'mfa backup-codes regenerate': () => pools.wrongPasswordFor('root').map((password) => call([], [['--password-stdin']], lines(password))),
  'mfa devices revoke': () => fc.oneof(idOf('dev'), idOf('sess'), hostileText).map((id) => call([id])),

  'account add': () =>
    fc
      .tuple(
        fc.oneof(
          fc.tuple(pools.existingName, pools.anyPassword),
          fc.tuple(badName, pools.anyPassword),
          fc.tuple(pools.unknownName, rejectedPassword),
        ),
        maybe(fc.constant(['--admin'])),
        maybe(fc.oneof(fc.emailAddress(), hostileText).map((email) => ['--email', email])),
      )
      .map(([[name, password], ...extra]) => call([name], [['--password-stdin'], ...extra.flat()], lines(password))),
  'account disable': () => fc.oneof(namesNoOneHas, rootSpelling).map((name) => call([name])),
  'account enable': () => namesNoOneHas.map((name) => call([name])),
  // root is the vault's only administrator: making a user of it is refused, as is any unknown name.
  'account role': () =>
    fc.oneof(
      fc.tuple(namesNoOneHas, fc.constantFrom('admin', 'user')).map(([name, role]) => call([name, role])),
      rootSpelling.map((name) => call([name, 'user'])),
    ),
  'account unlock': () => namesNoOneHas.map((name) => call([name])),
  'account reset-mfa': () => namesNoOneHas.map((name) => call([name])),
  'account delete': () => fc.oneof(namesNoOneHas, rootSpelling).map((name) => call([name, '--yes'])),
  'account passwd': () =>
    fc.oneof(
      fc
        .tuple(
          fc.option(rootSpelling, { nil: null }),
          fc.oneof(fc.tuple(pools.wrongPasswordFor('root'), pools.anyPassword), fc.tuple(fc.constant(CLI_ACCOUNTS.root), rejectedPassword)),
        )
        .map(([name, [current, next]]) => call(name === null ? [] : [name], [['--password-stdin']], lines(current, next))),
      fc.tuple(namesNoOneHas, pools.anyPassword).map(([name, next]) => call([name], [['--password-stdin']], lines(next))),
      fc
        .tuple(fc.constantFrom('alice', 'bob', 'dave'), rejectedPassword)
        .map(([name, next]) => call([name], [['--password-stdin']], lines(next))),
    ),

  import: (world) =>
    fc
      .tuple(
        fc.oneof(fc.constantFrom(...importPaths(world), world.bigImport), decoyPath(world)),
        maybe(valueFor('format', world).map((format) => ['--format', format])),
      )
      .map(([file, format]) => call([file], format)),
  'session revoke': () =>
    fc.oneof(
      fc.oneof(idOf('sess'), hostileText).map((id) => call([id])),
      namesNoOneHas.map((name) => call([], [['--account', name]])),
    ),
  'email send-verification': () => namesNoOneHas.map((name) => call([name])),
  'email set': () =>
    fc.oneof(
      fc.tuple(fc.emailAddress(), namesNoOneHas).map(([address, name]) => call([address, name])),
      fc
        .tuple(fc.emailAddress(), pools.wrongPasswordFor('root'))
        .map(([address, password]) => call([address], [['--password-stdin']], lines(password))),
    ),
  'email remove': () =>
    fc.oneof(
      namesNoOneHas.map((name) => call([name])),
      pools.wrongPasswordFor('root').map((password) => call([], [['--password-stdin']], lines(password))),
    ),
  'email verify': () => verificationShaped.map((token) => call([token])),
  'outbox retry': () => idOf('msg').map((id) => call([id])),
  // No alert has such an id: each is refused, whatever the note.
  'alerts ack': () => fc.tuple(idOf('alrt'), maybe(anyNote.map((note) => ['--note', note]))).map(([id, note]) => call([id], note)),
  'alerts resolve': () =>
    fc.tuple(idOf('alrt'), fc.string({ minLength: 1, maxLength: 40 })).map(([id, note]) => call([id], [['--note', note]])),
  'outbox cancel': () => idOf('msg').map((id) => call([id])),
  'outbox test': () =>
    fc.oneof(
      fc.constantFrom('not-an-address', 'x@', '@example.org').map((to) => call(['email', to])),
      fc.constantFrom('12', '+0 000', '+44 20 7946 0000').map((to) => call(['sms', to])),
    ),
  'config set': () =>
    fc.oneof(
      fc.tuple(unknownSettingKey, fc.string({ minLength: 1, maxLength: 20 })).map(([key, value]) => call([key, value])),
      fc
        .constantFrom(
          ['smtp.port', '70000'],
          ['smtp.port', 'x'],
          ['smtp.secure', 'ssl'],
          ['smtp.password', 'secret-in-argv'],
          ['sms.baseUrl', 'http://sms.example.org'],
          ['sms.accountSid', 'AC123'],
          ['smtp.from', 'no address'],
          ['smtp.host', 'bad host name'],
        )
        .map(([key, value]) => call([key, value])),
    ),
  // root has no phone, and SMS is not set up in this world: each is refused without a change.
  'mfa sms add': () =>
    fc
      .tuple(fc.constantFrom('+44 7400 123456', '07400 123456', '+1 202 555 0143'), pools.wrongPasswordFor('root'))
      .map(([number, password]) => call([number], [['--password-stdin']], lines(password))),
  'mfa sms resend': () => fc.constant(call([])),
  'mfa sms verify': () => fc.stringMatching(/^\d{6}$/).map((code) => call([code])),
  'mfa sms remove': () => fc.constant(call([])),
  'config unset': () => unknownSettingKey.map((key) => call([key])),
  'config set-secret': () =>
    fc.oneof(
      fc.tuple(unknownSettingKey, fc.string({ minLength: 1, maxLength: 20 })).map(([key, secret]) => call([key], [], lines(secret))),
      fc.constantFrom(...DELIVERY_SETTING_KEYS).map((key) => call([key], [], lines('not-a-secret-key'))),
    ),
  'policy set': () =>
    fc.oneof(
      fc.tuple(unknownPolicyKey, fc.string({ minLength: 1, maxLength: 20 })).map(([key, value]) => call([key, value])),
      badPolicySetting.map(({ key, value }) => call([key, value])),
    ),
};

let specs: CommandSpec[] | null = null;

function spec(name: string): CommandSpec {
  specs ??= commandSpecs();
  const found = specs.find((s) => s.name === name);
  if (found === undefined) throw new Error(`the CLI fuzz describes "${name}", which is not a command of the CLI`);
  return found;
}

/** Fails when the tables above name a command the CLI does not have (a renamed one, say). */
export function checkFuzzTables(): void {
  for (const name of [...READS, ...Object.keys(WRONG)]) spec(name);
}

function tokensOf(c: Call): string[] {
  return [...c.positionals, ...c.options.flat()].map(argvSafe);
}

export function cliCases(world: CliWorld, command: CommandSpec): fc.Arbitrary<CliCase> {
  const base = plausible(command, world);
  const kinds: fc.Arbitrary<{ kind: CliKind; call: Call }>[] = [
    fc.tuple(base, usageFaults(command)).map(([c, fault]) => ({ kind: 'usage' as const, call: fault(c) })),
    fc
      .tuple(base, environmentFault(command, world))
      .map(([c, fault]) => ({ kind: 'environment' as const, call: { ...c, options: [...c.options, fault] } })),
  ];
  const wrong = WRONG[command.name];
  if (READS.has(command.name)) kinds.push(base.map((c) => ({ kind: 'read' as const, call: c })));
  else if (wrong !== undefined) kinds.push(wrong(world).map((c) => ({ kind: 'wrong' as const, call: c })));
  return fc.tuple(fc.oneof(...kinds), fc.boolean(), importText).map(([{ kind, call: c }, json, importFile]) => ({
    command: command.name,
    kind,
    argv: [...(json ? ['--json'] : []), ...command.path, ...tokensOf(c)],
    stdin: c.stdin,
    json,
    importFile,
  }));
}
