import * as z from 'zod';
import type { PolicyInput } from '../../../shared/policy-input.js';

/**
 * Every admin-settable rule, declared once: the words the admin screen shows for it (a label that
 * reads before the value, and the value's unit or a label for each choice), its schema, its strict
 * default, what it means, and who may read it. Every account may read what shapes its own sign-in
 * and sessions (`everyone`); the tuning of the defences against guessing (lockout thresholds, the
 * TOTP drift window) only administrators (`admins`). The CLI's `policy show|set`, the admin screen
 * and the engine all read this table.
 */
export const POLICY_KEYS = {
  'session.idleTimeoutMinutes': {
    label: 'Lock after no activity for',
    unit: 'minutes',
    audience: 'everyone',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    default: 30,
    describe: 'Minutes without activity after which a session ends (NIST AAL2: 30).',
  },
  'session.absoluteTimeoutHours': {
    label: 'End every session after',
    unit: 'hours',
    audience: 'everyone',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    default: 12,
    describe: 'Hours after sign-in after which a session ends whatever its activity (NIST AAL2: 12).',
  },
  'session.maxPerAccount': {
    label: 'Let one account hold at most',
    unit: 'sessions',
    audience: 'everyone',
    schema: z.coerce.number().int().min(1).max(100),
    default: 5,
    describe: 'Active sessions one account may hold at once.',
  },
  'session.limitMode': {
    label: 'When an account is at its session limit',
    choices: { 'evict-oldest': 'End its oldest session', deny: 'Refuse the new sign-in' },
    audience: 'everyone',
    schema: z.enum(['evict-oldest', 'deny']),
    default: 'evict-oldest' as 'evict-oldest' | 'deny',
    describe: 'At the limit: end the oldest session (evict-oldest) or refuse the new sign-in (deny).',
  },
  'session.rememberDays': {
    label: 'Keep “Stay signed in” for up to',
    unit: 'days',
    audience: 'everyone',
    schema: z.coerce.number().int().min(0).max(90),
    default: 30,
    describe: 'Days a "stay signed in" family may live from its first sign-in; 0 turns staying signed in off.',
  },
  'lockout.delayAfterFailures': {
    label: 'Slow down sign-ins to an account after',
    unit: 'failedSignIns',
    audience: 'admins',
    schema: z.coerce.number().int().min(1).max(100),
    default: 5,
    describe: 'Failed sign-ins after which each further attempt waits a growing delay (1 s, 2 s, 4 s … 15 min).',
  },
  'lockout.lockAfterFailures': {
    label: 'Lock the account after',
    unit: 'failedSignIns',
    audience: 'admins',
    schema: z.coerce.number().int().min(2).max(100),
    default: 20,
    describe: 'Failed sign-ins after which the account locks until an admin unlocks it or the lock ends.',
  },
  'lockout.lockMinutes': {
    label: 'Keep a locked account locked for',
    unit: 'minutes',
    audience: 'admins',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    default: 60,
    describe: 'Minutes a lock lasts unless an admin unlocks the account first.',
  },
  'mfa.required': {
    label: 'Who must use two-step sign-in',
    choices: { off: 'No one', admins: 'Administrators', all: 'Everyone' },
    audience: 'everyone',
    schema: z.enum(['off', 'admins', 'all']),
    default: 'off' as 'off' | 'admins' | 'all',
    describe:
      'Who must have a second factor: nobody (off), administrators, or every account (all). Those without one enroll right after the password.',
  },
  'mfa.emailFallback': {
    label: 'Codes by e-mail instead of the authenticator app',
    choices: { on: 'Allowed', off: 'Not allowed' },
    audience: 'everyone',
    schema: z.enum(['on', 'off']),
    default: 'on' as 'on' | 'off',
    describe:
      'Whether a person with an authenticator may sign in with a code e-mailed to their verified address instead (on, once mail is set up). Such a session is marked lower assurance.',
  },
  'mfa.totpStepsBack': {
    label: 'Accept a code from earlier steps, up to',
    unit: 'timeSteps',
    audience: 'admins',
    schema: z.coerce.number().int().min(0).max(2),
    default: 1,
    describe: 'Earlier 30-second TOTP steps still accepted, for clock drift (NIST: minimal; 0–2).',
  },
  'mfa.totpStepsAhead': {
    label: 'Accept a code from later steps, up to',
    unit: 'timeSteps',
    audience: 'admins',
    schema: z.coerce.number().int().min(0).max(2),
    default: 0,
    describe: 'Later TOTP steps accepted, for a phone whose clock runs ahead (0–2).',
  },
  'mfa.trustDeviceDays': {
    label: 'Let “Trust this device” skip the code for up to',
    unit: 'days',
    audience: 'everyone',
    schema: z.coerce.number().int().min(0).max(30),
    default: 30,
    describe: 'Days "trust this device" skips the second factor on that device; 0 turns the option off.',
  },
  'monitor.failureBurst': {
    label: 'Warn when one account reaches',
    unit: 'failures',
    audience: 'admins',
    schema: z.coerce.number().int().min(2).max(1000),
    default: 10,
    describe:
      'Failed sign-ins or codes for one account within monitor.failureWindowMinutes that raise a warning: half the lockout, far above a few typos.',
  },
  'monitor.failureWindowMinutes': {
    label: 'Count failures for one account over',
    unit: 'minutes',
    audience: 'admins',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    default: 15,
    describe: 'The window failed sign-ins for one account are counted over.',
  },
  'monitor.sprayNames': {
    label: 'Warn of password spraying when failed sign-ins reach',
    unit: 'accountNames',
    audience: 'admins',
    schema: z.coerce.number().int().min(2).max(10_000),
    default: 10,
    describe:
      'Different account names (known or not) with a failed sign-in within monitor.sprayWindowMinutes that raise a password-spraying warning.',
  },
  'monitor.sprayWindowMinutes': {
    label: 'Count failed sign-ins across names over',
    unit: 'minutes',
    audience: 'admins',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    default: 10,
    describe: 'The window failed sign-ins across names are counted over.',
  },
  'monitor.evictionsPerDay': {
    label: 'Warn when the session limit ends, in a day, more of one account’s sessions than',
    unit: 'sessions',
    audience: 'admins',
    schema: z.coerce.number().int().min(1).max(1000),
    default: 10,
    describe: 'Sessions of one account ended by the session limit within 24 hours above which a warning is raised.',
  },
  'monitor.refusedCallsPerMinute': {
    label: 'Warn when one window or program reaches, within a minute,',
    unit: 'refusedCalls',
    audience: 'admins',
    schema: z.coerce.number().int().min(5).max(10_000),
    default: 30,
    describe:
      'Calls that need a session, refused to one window or program within a minute for want of one, that raise a warning: a window whose session ended makes a few, a script probing the router makes many.',
  },
  'monitor.revokedSessionGraceSeconds': {
    label: 'Let a revoked session be presented again unremarked for',
    unit: 'seconds',
    audience: 'admins',
    schema: z.coerce.number().int().min(5).max(3600),
    default: 60,
    describe:
      'Seconds after a revoked session is first refused within which it may be presented again unremarked: a window or command whose session was revoked hears of it once and forgets it, so a use after that comes from a copy.',
  },
  'monitor.deviceBurst': {
    label: 'Warn when one account signs in at',
    unit: 'devices',
    audience: 'admins',
    schema: z.coerce.number().int().min(2).max(100),
    default: 4,
    describe: 'Different devices one account signs in at within monitor.deviceWindowMinutes that raise a warning.',
  },
  'monitor.deviceWindowMinutes': {
    label: 'Count the devices of one account over',
    unit: 'minutes',
    audience: 'admins',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    default: 60,
    describe: 'The window the devices of one account are counted over.',
  },
} as const;

export type PolicyKey = keyof typeof POLICY_KEYS;
export type Policy = { -readonly [K in PolicyKey]: z.output<(typeof POLICY_KEYS)[K]['schema']> };

export const POLICY_KEY_NAMES = Object.keys(POLICY_KEYS) as PolicyKey[];

export function isPolicyKey(key: string): key is PolicyKey {
  return Object.hasOwn(POLICY_KEYS, key);
}

/**
 * The input each key takes, read from its schema so the bounds are declared only once, with the
 * unit or the choices' labels declared beside it.
 */
export function policyInputOf(key: PolicyKey): PolicyInput {
  const declared = POLICY_KEYS[key];
  const schema: z.ZodType = declared.schema;
  if (schema instanceof z.ZodEnum && 'choices' in declared) {
    const labels: Readonly<Record<string, string>> = declared.choices;
    return {
      kind: 'choice',
      options: schema.options.map((option) => {
        const value = String(option);
        const label = labels[value];
        if (label === undefined) throw new Error(`policy key ${key} needs a label for the choice ${value}`);
        return { value, label };
      }),
    };
  }
  if (schema instanceof z.ZodNumber && Number.isFinite(schema.minValue) && Number.isFinite(schema.maxValue) && 'unit' in declared) {
    return { kind: 'integer', min: schema.minValue as number, max: schema.maxValue as number, unit: declared.unit };
  }
  throw new Error(`policy key ${key} needs an enum schema with labelled choices or a bounded number schema with a unit`);
}

/** The policy in force from the stored rows: each valid stored value over its strict default. */
export function policyFromRows(rows: readonly { readonly key: string; readonly value: string }[]): Policy {
  const policy = defaultPolicy();
  for (const row of rows) {
    if (!isPolicyKey(row.key)) continue;
    const parsed = POLICY_KEYS[row.key].schema.safeParse(JSON.parse(row.value));
    if (parsed.success) (policy as Record<PolicyKey, unknown>)[row.key] = parsed.data;
  }
  return policy;
}

export function defaultPolicy(): Policy {
  return Object.fromEntries(POLICY_KEY_NAMES.map((key) => [key, POLICY_KEYS[key].default])) as Policy;
}
