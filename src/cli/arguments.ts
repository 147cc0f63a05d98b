import * as z from 'zod';
import { EVENT_FILTER_PATTERN, MAX_EVENT_FILTER_LENGTH } from '../shared/audit-events.js';
import { CHANNELS, DELIVERY_SECRET_MAX, OUTBOX_STATES } from '../shared/delivery.js';
import { backupCode, deviceId, email, messageId, phoneNumber, sentCode, sessionId, totpCode, username } from '../shared/field-schemas.js';
import { BACKUP_CODE_LENGTH, CODE_MAX_LENGTH, EMAIL_MAX_LENGTH, PHONE_INPUT_MAX, USERNAME_MAX_LENGTH } from '../shared/fields.js';
import { ALERT_ID_LENGTH, ALERT_ID_PATTERN, ALERT_NOTE_MAX_LENGTH, ALERT_SEVERITIES, REPORT_PERIODS } from '../shared/monitoring.js';
import { policyValueProblem } from '../shared/policy-input.js';
import { isPolicyKey, POLICY_KEY_NAMES, policyInputOf, type PolicyKey } from '../main/engine/index.js';
import { UsageError } from './password-input.js';

/**
 * The CLI's boundary checks: each argument is parsed here before the engine sees it; a bad one is a
 * usage error (exit 2). The message is the rule's own sentence, never the validation library's
 * ("expected number, received NaN"), which names no option and no range.
 */
const rule = <T extends z.ZodType<unknown, string>>(maxLength: number, schema: T, expects: string) => ({
  // The length first: no pattern, transform or query (SQLite's LIKE stops at 50,000 bytes) sees more.
  schema: z.string().max(maxLength).pipe(schema),
  expects,
});

const rules = {
  accountName: rule(256, username, `an account name is 1 to ${USERNAME_MAX_LENGTH} characters`),
  role: rule(8, z.enum(['admin', 'user']), 'give admin or user'),
  sessionId: rule(37, sessionId, 'a session id looks like sess_ followed by 32 hex digits'),
  email: rule(EMAIL_MAX_LENGTH, email, `give an e-mail address such as alice@example.com, at most ${EMAIL_MAX_LENGTH} characters`),
  limit: rule(
    32,
    z
      .string()
      .trim()
      .regex(/^\d{1,9}$/)
      .transform(Number)
      .pipe(z.number().min(1).max(10_000)),
    'give a whole number from 1 to 10000',
  ),
  eventType: rule(
    MAX_EVENT_FILTER_LENGTH,
    z.string().regex(EVENT_FILTER_PATTERN),
    `give an event type such as signin.failed, or a group such as session (at most ${MAX_EVENT_FILTER_LENGTH} characters)`,
  ),
  // Spaces are allowed inside, as some authenticator apps show "123 456".
  totpCode: rule(CODE_MAX_LENGTH, totpCode, 'a code is 6 to 8 digits'),
  sentCode: rule(CODE_MAX_LENGTH, sentCode, 'a code sent by SMS or e-mail is 6 digits'),
  backupCode: rule(
    CODE_MAX_LENGTH,
    backupCode,
    `a backup code has ${BACKUP_CODE_LENGTH} letters and digits, written like XXXXX-XXXXX-XXX (case, dashes and spaces do not matter)`,
  ),
  deviceId: rule(36, deviceId, 'a device id looks like dev_ followed by 32 hex digits'),
  filePath: rule(4096, z.string().min(1), 'give a file name of at most 4096 characters'),
  importFormat: rule(4, z.enum(['json', 'csv']), 'give json or csv'),
  messageId: rule(36, messageId, 'a message id looks like msg_ followed by 32 hex digits'),
  outboxState: rule(16, z.enum(OUTBOX_STATES), `give one of ${OUTBOX_STATES.join(', ')}`),
  channel: rule(8, z.enum(CHANNELS), `give ${CHANNELS.join(' or ')}`),
  // Read into E.164 by the engine, with the region the settings give.
  phone: rule(PHONE_INPUT_MAX, phoneNumber, 'give a phone number such as +44 1632 960961'),
  settingKey: rule(64, z.string().regex(/^[a-z]+\.[A-Za-z]+$/), 'a setting looks like smtp.host; `latchkey config show` lists them'),
  settingValue: rule(DELIVERY_SECRET_MAX, z.string().min(1), `give a value of 1 to ${DELIVERY_SECRET_MAX} characters`),
  verificationToken: rule(
    200,
    z.string().regex(/^(?:latchkey:\/\/verify\?token=)?[A-Za-z0-9_-]{43}$/),
    'give the token from the mail (43 letters, digits, - and _) or the whole latchkey://verify link',
  ),
  alertId: rule(ALERT_ID_LENGTH, z.string().regex(ALERT_ID_PATTERN), 'an alert id looks like alrt_ followed by 32 hex digits'),
  alertNote: rule(
    ALERT_NOTE_MAX_LENGTH,
    z.string().trim().min(1),
    `give a note of 1 to ${ALERT_NOTE_MAX_LENGTH} characters: what was found, or what was done`,
  ),
  severity: rule(16, z.enum(ALERT_SEVERITIES), `give one of ${ALERT_SEVERITIES.join(', ')}`),
  reportPeriod: rule(
    8,
    z
      .string()
      .regex(/^\d{1,3}d$/)
      .transform((text) => Number(text.slice(0, -1)))
      .pipe(z.union(REPORT_PERIODS.map((days) => z.literal(days)) as [z.ZodLiteral<7>, z.ZodLiteral<30>, z.ZodLiteral<90>])),
    `give ${REPORT_PERIODS.map((days) => `${days}d`).join(', ')}`,
  ),
} as const;

type Rules = typeof rules;

export function parseArg<K extends keyof Rules>(kind: K, value: unknown, label: string = kind): z.output<Rules[K]['schema']> {
  const result = rules[kind].schema.safeParse(value);
  if (!result.success) throw new UsageError(`Invalid ${label}: ${rules[kind].expects}.`);
  return result.data as z.output<Rules[K]['schema']>;
}

/**
 * `policy set KEY VALUE`, checked against the policy table the engine enforces, so a mistake is
 * told with the keys or the range there are. The engine still parses the value and checks the
 * rules between keys.
 */
export function parsePolicySetting(key: string, value: string): { key: PolicyKey; value: string } {
  if (!isPolicyKey(key)) throw new UsageError(`Unknown policy key "${key}". The keys are: ${POLICY_KEY_NAMES.join(', ')}.`);
  const problem = policyValueProblem(policyInputOf(key), value);
  if (problem !== null) throw new UsageError(`Invalid value for ${key}: ${problem}.`);
  return { key, value: value.trim() };
}

/** `--since` takes an ISO date/time or a span back from now: 30m, 24h, 7d. */
export function parseSince(value: string, now: number = Date.now()): number {
  const span = /^(\d{1,6})([mhd])$/.exec(value);
  if (span !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as 'm' | 'h' | 'd'];
    return now - Number(span[1]) * unit;
  }
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at)) {
    throw new UsageError('Invalid --since: give an ISO date such as 2026-01-31 (or 2026-01-31T09:00Z), or a span such as 30m, 24h, 7d.');
  }
  return at;
}
