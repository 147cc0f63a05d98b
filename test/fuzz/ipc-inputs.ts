import fc from 'fast-check';
import type { z } from 'zod';
import { contract, type ChannelName, type InputOf } from '../../src/shared/contract.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { AUDIT_EVENT_TYPES } from '../../src/shared/audit-events.js';
import { DELIVERY_SECRET_KEYS, DELIVERY_SETTING_KEYS, OUTBOX_STATES } from '../../src/shared/delivery.js';
import { POLICY_KEY_NAMES } from '../../src/main/engine/policy/policy-keys.js';
import { SPECIAL_KEYS, hex32, hostileText, hostileValue, idOf, ownProto } from './hostile.js';
import { textOf } from './secrets.js';
import { SECOND_FACTORS, type SecondFactor } from '../../src/shared/fields.js';
import {
  anyCode,
  backupShaped,
  badName,
  badPolicySetting,
  goodPolicySetting,
  rejectedPassword,
  spellingsOf,
  unknownPolicyKey,
  valuePools,
} from './values.js';
import { ACCOUNTS, type AccountName, type IpcWorld, type Persona, type SignedInPersona } from './ipc-world.js';

/**
 * What the fuzz sends each channel. Three kinds of case, each with what must come back:
 *
 * - `malformed`: input the channel's schema refuses (derived from the contract for every channel):
 *   INVALID_INPUT, before anything else runs;
 * - `unauthorised`: well-formed input from someone the channel's access level shuts out (also
 *   derived from the contract): SESSION_EXPIRED without a session, NOT_AUTHORISED otherwise;
 * - `wrong`: well-formed input that names nothing or proves nothing (an id no row has, a password
 *   or code that is not the one, a name no account has): a refusal with a typed code.
 */
export type CaseKind = 'malformed' | 'unauthorised' | 'wrong';

export interface FuzzCase {
  readonly persona: Persona;
  readonly kind: CaseKind;
  readonly input: unknown;
  /** The one code the answer must carry, when the kind decides it. */
  readonly expect: ErrorCode | null;
}

type Shape = Record<string, z.ZodType>;
type Schema = z.ZodType & { shape?: Shape; options?: readonly Schema[] };

/** What the router checks first: `null` and `undefined` stand for no input, as the router reads them. */
export function schemaAccepts(channel: ChannelName, input: unknown): boolean {
  return (contract[channel].input as Schema).safeParse(input ?? {}).success;
}

/**
 * The shapes a channel's input may take: an object's one, or one per option of a union (an
 * answer whose code is checked in its factor's shape has one option per factor).
 */
function shapesOf(channel: ChannelName): Shape[] {
  const schema = contract[channel].input as Schema;
  return schema.options === undefined ? [schema.shape ?? {}] : schema.options.map((option) => option.shape ?? {});
}

function fieldsOf(channel: ChannelName): string[] {
  return [...new Set(shapesOf(channel).flatMap((shape) => Object.keys(shape)))];
}

const EXISTING = Object.keys(ACCOUNTS) as AccountName[];
const pools = valuePools(Object.fromEntries(EXISTING.map((name) => [name, ACCOUNTS[name].password])));
const { existingName, unknownName, anyName, anyPassword } = pools;
const wrongPasswordFor = (account: string): fc.Arbitrary<string> => pools.wrongPasswordFor(account);
const wrongCode = (world: IpcWorld, secret: string | null, backupCodes: readonly string[] = []): fc.Arbitrary<string> =>
  pools.wrongCode(() => world.vault.clock.now(), secret, backupCodes);

// ---------------------------------------------------------------------------------------------
// Plausible values for each field name the contract uses, for building malformed and unauthorised cases

const fieldValueCache = new WeakMap<IpcWorld, Record<string, fc.Arbitrary<unknown>>>();

function fieldValues(world: IpcWorld, channel: ChannelName): Record<string, fc.Arbitrary<unknown>> {
  let values = fieldValueCache.get(world);
  if (values === undefined) {
    values = makeFieldValues(world);
    fieldValueCache.set(world, values);
  }
  return { ...values, ...CHANNEL_FIELD_VALUES[channel] };
}

/** Shaped like a verification mail's token: no such link exists, so each is refused. */
const verificationShaped = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const deliveryKeys = new Set<string>([...DELIVERY_SETTING_KEYS, ...DELIVERY_SECRET_KEYS]);
const unknownSettingKey = unknownPolicyKey.filter((key) => !deliveryKeys.has(key));

/** Where one field name means another set of values on some channels: `key` is a policy key, a delivery setting or a secret's name. */
const CHANNEL_FIELD_VALUES: { readonly [C in ChannelName]?: Record<string, fc.Arbitrary<unknown>> } = {
  'admin.delivery.setSetting': {
    key: fc.oneof(fc.constantFrom(...DELIVERY_SETTING_KEYS), unknownSettingKey),
    value: fc.oneof(
      fc.string({ minLength: 1, maxLength: 64 }),
      fc.constantFrom('127.0.0.1', '587', 'starttls', 'Latchkey <a@example.org>'),
    ),
  },
  'admin.policy.setMany': {
    changes: fc.array(
      fc.record({
        key: fc.oneof(fc.constantFrom(...POLICY_KEY_NAMES), unknownPolicyKey),
        value: fc.string({ minLength: 1, maxLength: 64 }),
      }),
      { minLength: 1, maxLength: POLICY_KEY_NAMES.length },
    ),
  },
  'admin.delivery.unsetSetting': { key: fc.oneof(fc.constantFrom(...deliveryKeys), unknownSettingKey) },
  'admin.delivery.setSecret': { key: fc.oneof(fc.constantFrom(...DELIVERY_SECRET_KEYS), unknownSettingKey) },
};

function makeFieldValues(world: IpcWorld): Record<string, fc.Arbitrary<unknown>> {
  const ids = (kind: 'acc' | 'sess' | 'dev' | 'chal', real: readonly string[]): fc.Arbitrary<string> =>
    fc.oneof(idOf(kind), fc.constantFrom(...real));
  return {
    username: anyName,
    password: anyPassword,
    currentPassword: anyPassword,
    newPassword: fc.oneof(anyPassword, rejectedPassword),
    email: fc.oneof(fc.emailAddress(), fc.constantFrom('alice@example.org', 'not-an-address', "x'@y.z"), hostileText),
    staySignedIn: fc.boolean(),
    trustDevice: fc.boolean(),
    allAccounts: fc.boolean(),
    challengeId: ids('chal', [world.bob.challengeId]),
    factor: fc.constantFrom('totp', 'backup_code'),
    code: anyCode,
    accountId: ids('acc', Object.values(world.accountIds)),
    sessionId: ids('sess', Object.values(world.sessionIds).flat()),
    deviceId: ids('dev', [world.bob.deviceId]),
    limit: fc.integer({ min: 1, max: 500 }),
    role: fc.constantFrom('admin', 'user'),
    status: fc.constantFrom('active', 'disabled'),
    key: fc.oneof(fc.constantFrom(...POLICY_KEY_NAMES), unknownPolicyKey),
    value: fc.string({ minLength: 1, maxLength: 64 }),
    type: fc.oneof(fc.constantFrom(...AUDIT_EVENT_TYPES, 'session', 'mfa'), fc.stringMatching(/^[a-z_]{1,20}$/)),
    since: fc.nat(),
    days: fc.integer({ min: 1, max: 90 }),
    link: fc.oneof(
      hex32.map((t) => `latchkey://verify?token=${t}`),
      fc.webUrl(),
      fc.string({ maxLength: 200 }),
    ),
    ms: fc.nat(),
    state: fc.constantFrom(...OUTBOX_STATES),
    messageId: idOf('msg'),
    alertId: idOf('alrt'),
    note: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('asked the account holder'), hostileText),
    unresolvedOnly: fc.boolean(),
    periodDays: fc.constantFrom(7, 30, 90),
    channel: fc.constantFrom('email', 'sms'),
    to: fc.oneof(fc.emailAddress(), fc.constantFrom('+447400123456', '07400 123456', 'not-an-address'), hostileText),
    secret: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), hostileText),
    phone: fc.oneof(fc.constantFrom('+44 7400 123456', '07400 123456', '+1 (202) 555-0143', '12', '+44 20 7946 0000'), hostileText),
    token: fc.oneof(
      verificationShaped,
      verificationShaped.map((t) => `latchkey://verify?token=${t}`),
      fc.string({ minLength: 1, maxLength: 200 }),
    ),
  };
}

/**
 * A well-formed-looking object of the channel's fields, each drawn from its plausible values (optional
 * ones may be left out). For an option of a union that fixes the factor, the factor is that one and
 * the code is mostly drawn in its shape.
 */
function plausible(world: IpcWorld, channel: ChannelName): fc.Arbitrary<Record<string, unknown>> {
  const values = fieldValues(world, channel);
  const missing = fieldsOf(channel).filter((field) => !Object.hasOwn(values, field));
  if (missing.length > 0)
    throw new Error(`the fuzz has no values for ${channel}'s field(s) ${missing.join(', ')}: add them to fieldValues`);
  const objects = shapesOf(channel).map((shape) => {
    const model: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(
      Object.keys(shape).map((field) => [field, values[field] as fc.Arbitrary<unknown>]),
    );
    const factor = shape['factor'] === undefined ? undefined : SECOND_FACTORS.filter((f) => shape['factor']?.safeParse(f).success);
    if (factor !== undefined && factor.length === 1 && factor[0] !== undefined) {
      model['factor'] = fc.constant(factor[0]);
      model['code'] = fc.oneof(CODE_SHAPED[factor[0]], anyCode);
    }
    return fc.record(model, { requiredKeys: [] });
  });
  return objects.length === 1 && objects[0] !== undefined ? objects[0] : fc.oneof(...objects);
}

/** Codes in each factor's shape (not one that works: the wrong-input cases draw those). */
const CODE_SHAPED: Record<SecondFactor, fc.Arbitrary<string>> = {
  totp: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.stringMatching(/^\d{3} \d{3}$/)),
  backup_code: backupShaped,
  sms_code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.stringMatching(/^\d{3} \d{3}$/)),
  email_code: fc.stringMatching(/^\d{6}$/),
};

/**
 * `arbitrary` kept to the values `accepts` takes. fast-check's filter draws until one passes, so a
 * filter that (almost) nothing passes never ends and no time limit stops it: a model that has
 * drifted from the contract would hang the suite instead of failing it. So a sample is drawn
 * first, and too few accepted values is an error that says which.
 */
function keptTo<T>(arbitrary: fc.Arbitrary<T>, accepts: (value: T) => boolean, what: string): fc.Arbitrary<T> {
  const sample = fc.sample(arbitrary, { numRuns: 200, seed: 1 });
  const kept = sample.filter(accepts).length;
  if (kept < sample.length / 20)
    throw new Error(`the fuzz draws ${what} too rarely (${kept} of ${sample.length}): bring its values in line with the contract`);
  return arbitrary.filter(accepts);
}

// ---------------------------------------------------------------------------------------------
// Malformed: the plausible object, broken

type Mutation = (input: Record<string, unknown>) => unknown;

function mutations(channel: ChannelName, world: IpcWorld): fc.Arbitrary<Mutation> {
  const fields = fieldsOf(channel);
  const secret = fc.constantFrom(...world.secrets.values());
  const extraKey = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 12 }), hostileText);
  const field = fields.length === 0 ? fc.constant(null) : fc.constantFrom(...fields);
  return fc.oneof(
    // One field of the wrong type, too long, or full of control characters.
    fc.tuple(field, hostileValue).map(
      ([name, bad]): Mutation =>
        (input) =>
          name === null ? input : { ...input, [name]: bad },
    ),
    // A required field gone.
    field.map((name): Mutation => (input) => {
      const { [name ?? '']: _gone, ...rest } = input;
      return rest;
    }),
    // A key the contract does not have, perhaps holding a secret.
    fc.tuple(extraKey, fc.oneof(hostileValue, secret)).map(([key, bad]): Mutation => (input) => {
      const copy: Record<string, unknown> = { ...input };
      Object.defineProperty(copy, key, { value: bad, enumerable: true, configurable: true, writable: true });
      return copy;
    }),
    // An own __proto__ beside the fields, as JSON.parse makes it.
    fc.constant<Mutation>((input) => ({ ...ownProto({ role: 'admin', accountId: world.accountIds.admin }), ...input })),
    // Not an object at all.
    hostileValue.map(
      (bad): Mutation =>
        () =>
          bad,
    ),
    fc.constant<Mutation>((input) => [input]),
    fc.constant<Mutation>((input) => textOf(input)),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function malformed(world: IpcWorld, channel: ChannelName): fc.Arbitrary<unknown> {
  const broken = fc
    .tuple(plausible(world, channel), fc.array(mutations(channel, world), { minLength: 1, maxLength: 3 }))
    .map(([base, steps]) => steps.reduce<unknown>((input, step) => (isRecord(input) ? step(input) : input), base));
  return keptTo(broken, (input) => !schemaAccepts(channel, input), `malformed inputs for ${channel}`);
}

// ---------------------------------------------------------------------------------------------
// Wrong: well-formed, and refused by the rules

type WrongInputs = {
  [C in ChannelName]?: (world: IpcWorld, persona: Persona) => fc.Arbitrary<InputOf<C>> | null;
};

const others = (persona: SignedInPersona): AccountName[] => EXISTING.filter((name) => name !== persona);
const isPlain = (persona: Persona): persona is 'alice' | 'bob' | 'carol' => persona === 'alice' || persona === 'bob' || persona === 'carol';
const adminSpelling = spellingsOf('admin');
const namesNoOneHas = fc.oneof(unknownName, badName);

/**
 * For each channel that can be asked something well-formed and wrong, what that is for whom. A
 * channel left out (or a persona given null) gets only the malformed and unauthorised cases: any
 * well-formed question it takes is a legitimate one.
 */
const WRONG: WrongInputs = {
  'setup.createAdmin': () => fc.record({ username: anyName, password: anyPassword }),

  'auth.signIn': () =>
    anyName.chain((username) =>
      fc.record({ username: fc.constant(username), password: wrongPasswordFor(username), staySignedIn: fc.boolean() }),
    ),
  'auth.answerChallenge': (world) =>
    fc.record({
      challengeId: fc.oneof(idOf('chal'), fc.constant(world.bob.challengeId)),
      factor: fc.constantFrom('totp' as const, 'backup_code' as const),
      code: wrongCode(world, world.bob.totpSecret, world.bob.backupCodes),
      trustDevice: fc.boolean(),
    }),
  // The live challenge is a second step of a sign-in, not an enrollment.
  // Bob's challenge offers no code by SMS or e-mail: he has neither phone nor address, and neither channel is set up.
  'auth.sendCode': (world) =>
    fc.record({
      challengeId: fc.oneof(idOf('chal'), fc.constant(world.bob.challengeId)),
      channel: fc.constantFrom('sms' as const, 'email' as const),
    }),
  'auth.beginEnrollment': (world) => fc.record({ challengeId: fc.oneof(idOf('chal'), fc.constant(world.bob.challengeId)) }),
  'auth.confirmEnrollment': (world) =>
    fc.record({ challengeId: fc.oneof(idOf('chal'), fc.constant(world.bob.challengeId)), code: anyCode, trustDevice: fc.boolean() }),

  'sessions.list': (world, persona) =>
    isPlain(persona)
      ? fc.oneof(
          fc.record({ accountId: fc.oneof(idOf('acc'), fc.constantFrom(...others(persona).map((name) => world.accountIds[name]))) }),
          fc.record({ allAccounts: fc.constant(true) }),
        )
      : null,
  'sessions.revoke': (world, persona) =>
    persona === 'anonymous'
      ? null
      : fc.record({
          sessionId: isPlain(persona)
            ? fc.oneof(idOf('sess'), fc.constantFrom(...others(persona).flatMap((name) => world.sessionIds[name])))
            : idOf('sess'),
        }),

  'mfa.beginTotp': (_world, persona) => (persona === 'bob' ? fc.constant({}) : null),
  'mfa.confirmTotp': (world, persona) =>
    persona === 'anonymous' ? null : fc.record({ code: persona === 'carol' ? wrongCode(world, world.carol.pendingSecret) : anyCode }),
  'mfa.disable': (world, persona) => {
    if (persona === 'anonymous') return null;
    const factor = fc.constantFrom('totp' as const, 'backup_code' as const);
    if (persona !== 'bob') return fc.record({ password: anyPassword, factor, code: anyCode });
    return fc.oneof(
      fc.record({ password: wrongPasswordFor('bob'), factor, code: anyCode }),
      fc.record({
        password: fc.constant(ACCOUNTS.bob.password),
        factor,
        code: wrongCode(world, world.bob.totpSecret, world.bob.backupCodes),
      }),
    );
  },
  'mfa.regenerateBackupCodes': (_world, persona) =>
    persona === 'anonymous' ? null : fc.record({ password: persona === 'bob' ? wrongPasswordFor('bob') : anyPassword }),
  'devices.revoke': (world, persona) =>
    persona === 'anonymous'
      ? null
      : fc.record({ deviceId: persona === 'bob' ? idOf('dev') : fc.oneof(idOf('dev'), fc.constant(world.bob.deviceId)) }),

  'account.changePassword': (_world, persona) =>
    persona === 'anonymous'
      ? null
      : fc.oneof(
          fc.record({ currentPassword: wrongPasswordFor(persona), newPassword: fc.oneof(anyPassword, rejectedPassword) }),
          fc.record({ currentPassword: fc.constant(ACCOUNTS[persona].password), newPassword: rejectedPassword }),
        ),

  'admin.accounts.create': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(
          fc.record({ username: existingName, password: anyPassword, role: fc.constantFrom('admin' as const, 'user' as const) }),
          fc.record({ username: badName, password: anyPassword }),
          fc.record({ username: unknownName, password: rejectedPassword, email: fc.option(fc.emailAddress(), { nil: undefined }) }),
        ),
  'admin.accounts.setStatus': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(
          fc.record({ username: namesNoOneHas, status: fc.constantFrom('active' as const, 'disabled' as const) }),
          // The last active administrator.
          fc.record({ username: adminSpelling, status: fc.constant('disabled' as const) }),
        ),
  'admin.accounts.unlock': (_world, persona) => (persona !== 'admin' ? null : fc.record({ username: namesNoOneHas })),
  'admin.accounts.setRole': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(
          fc.record({ username: namesNoOneHas, role: fc.constantFrom('admin' as const, 'user' as const) }),
          // The last active administrator.
          fc.record({ username: adminSpelling, role: fc.constant('user' as const) }),
        ),
  // Someone else's unknown name, or the administrator's own address without the right password.
  'admin.accounts.setEmail': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(
          fc.record({ username: namesNoOneHas, email: fc.option(fc.constant('someone@example.org'), { nil: null }) }),
          fc.record({ username: adminSpelling, email: fc.constant('root@example.org') }),
        ),
  'admin.accounts.resetMfa': (_world, persona) => (persona !== 'admin' ? null : fc.record({ username: namesNoOneHas })),
  'admin.accounts.resetPassword': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(
          fc.record({ username: namesNoOneHas, newPassword: anyPassword }),
          // One's own password needs the current one (account.changePassword).
          fc.record({ username: adminSpelling, newPassword: anyPassword }),
          fc.record({ username: fc.constantFrom('alice', 'bob', 'carol', 'dave'), newPassword: rejectedPassword }),
        ),
  'admin.accounts.delete': (_world, persona) =>
    persona !== 'admin' ? null : fc.record({ username: fc.oneof(namesNoOneHas, adminSpelling) }),
  'admin.sessions.revokeAccount': (_world, persona) => (persona !== 'admin' ? null : fc.record({ accountId: idOf('acc') })),
  'admin.policy.set': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(fc.record({ key: unknownPolicyKey, value: fc.string({ minLength: 1, maxLength: 64 }) }), badPolicySetting),
  // Good values with one bad among them, anywhere in the list: all or nothing, so nothing is written.
  'admin.policy.setMany': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc
          .tuple(
            fc.uniqueArray(goodPolicySetting, { maxLength: 4, selector: (setting) => setting.key }),
            fc.oneof(fc.record({ key: unknownPolicyKey, value: fc.string({ minLength: 1, maxLength: 64 }) }), badPolicySetting),
            fc.nat(),
          )
          .map(([good, bad, at]) => ({ changes: [...good.slice(0, at % (good.length + 1)), bad, ...good.slice(at % (good.length + 1))] })),

  // Unknown ids only: the vault's real messages (alice's verification, queued) may be cancelled or retried.
  'admin.delivery.retry': (_world, persona) => (persona !== 'admin' ? null : fc.record({ messageId: idOf('msg') })),
  'admin.delivery.cancel': (_world, persona) => (persona !== 'admin' ? null : fc.record({ messageId: idOf('msg') })),
  // No alert has such an id.
  'admin.alerts.acknowledge': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.record({ alertId: idOf('alrt'), note: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }) }),
  'admin.alerts.resolve': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.record({ alertId: idOf('alrt'), note: fc.string({ minLength: 1, maxLength: 40 }).filter((note) => note.trim() !== '') }),
  'admin.delivery.sendTest': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.oneof(
          fc.constantFrom('not-an-address', 'x@', '@example.org', 'alice@@example.org').map((to) => ({ channel: 'email' as const, to })),
          // Too short, no country at all, and a London landline (which cannot take an SMS).
          fc.constantFrom('12', '+0 000', '+44 20 7946 0000', 'call me').map((to) => ({ channel: 'sms' as const, to })),
        ),
  'admin.delivery.setSetting': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.constantFrom(
          { key: 'smtp.port' as const, value: '70000' },
          { key: 'smtp.port' as const, value: 'x' },
          { key: 'smtp.secure' as const, value: 'ssl' },
          { key: 'sms.baseUrl' as const, value: 'http://sms.example.org' },
          { key: 'sms.accountSid' as const, value: 'AC123' },
          { key: 'sms.region' as const, value: 'ZZ' },
          { key: 'smtp.from' as const, value: 'no address' },
          { key: 'smtp.host' as const, value: 'bad host name' },
        ),
  'admin.delivery.setSecret': (_world, persona) =>
    persona !== 'admin'
      ? null
      : fc.record({
          key: fc.constantFrom(...DELIVERY_SECRET_KEYS),
          secret: fc
            .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('\n', '\r', '\u0000', '\u0007', '\u202e'))
            .map(([text, control]) => `${text}${control}${text}`),
        }),

  // No one has a phone, and SMS is not set up: adding one, proving one and removing one are each refused.
  'phone.add': (_world, persona) =>
    persona === 'anonymous'
      ? null
      : fc.record({ phone: fc.constantFrom('+44 7400 123456', '07400 123456'), currentPassword: wrongPasswordFor(persona) }),
  'phone.resend': (_world, persona) => (persona === 'anonymous' ? null : fc.constant({})),
  'phone.verify': (_world, persona) => (persona === 'anonymous' ? null : fc.record({ code: fc.stringMatching(/^\d{6}$/) })),
  'phone.remove': (_world, persona) => (persona === 'anonymous' ? null : fc.constant({})),

  // Alice has an address to verify, so only someone else's account is wrong for her; bob and carol have none.
  'email.sendVerification': (_world, persona) => {
    if (persona === 'anonymous') return null;
    if (persona === 'admin') return fc.record({ username: fc.oneof(namesNoOneHas, fc.constantFrom('bob', 'carol', 'dave')) });
    if (persona === 'alice') return fc.record({ username: fc.oneof(namesNoOneHas, fc.constantFrom(...others('alice'))) });
    return fc.record({ username: fc.option(fc.oneof(namesNoOneHas, fc.constantFrom(...others(persona))), { nil: undefined }) });
  },
  'email.confirmToken': (_world, persona) =>
    persona === 'anonymous'
      ? null
      : fc.record({
          token: fc.oneof(
            verificationShaped,
            verificationShaped.map((t) => `latchkey://verify?token=${t}`),
          ),
        }),
};

// ---------------------------------------------------------------------------------------------

/** The code a well-formed request from `persona` must get because of who is asking, or null when it may ask. */
export function accessRefusal(channel: ChannelName, persona: Persona): ErrorCode | null {
  const { access } = contract[channel];
  switch (access) {
    case 'none':
      return null;
    case 'test':
      // The desktop router has no test mode.
      return 'NOT_AUTHORISED';
    case 'session':
      return persona === 'anonymous' ? 'SESSION_EXPIRED' : null;
    case 'admin':
      return persona === 'anonymous' ? 'SESSION_EXPIRED' : persona === 'admin' ? null : 'NOT_AUTHORISED';
  }
}

export function casesFor(world: IpcWorld, channel: ChannelName, personas: readonly Persona[]): fc.Arbitrary<FuzzCase> {
  // Built once per channel: making an arbitrary (a regex one above all) costs far more than drawing from it.
  const broken = malformed(world, channel);
  const wellFormed = keptTo(plausible(world, channel), (input) => schemaAccepts(channel, input), `well-formed inputs for ${channel}`);
  const byPersona = new Map(
    personas.map((persona) => {
      const kinds: fc.Arbitrary<FuzzCase>[] = [
        broken.map((input) => ({ persona, kind: 'malformed' as const, input, expect: 'INVALID_INPUT' as const })),
      ];
      const refused = accessRefusal(channel, persona);
      if (refused !== null) {
        kinds.push(wellFormed.map((input) => ({ persona, kind: 'unauthorised' as const, input, expect: refused })));
      } else {
        const wrong = (WRONG[channel] as ((w: IpcWorld, p: Persona) => fc.Arbitrary<unknown> | null) | undefined)?.(world, persona);
        if (wrong != null) kinds.push(wrong.map((input) => ({ persona, kind: 'wrong' as const, input, expect: null })));
      }
      return [persona, fc.oneof(...kinds)] as const;
    }),
  );
  return fc
    .constantFrom(...personas)
    .chain((persona) => byPersona.get(persona) ?? fc.constant<FuzzCase>({ persona, kind: 'malformed', input: null, expect: null }));
}
