import { z } from 'zod';
import { UsageError } from './password-input.js';

/** The CLI's boundary checks: each argument is parsed here before the engine sees it; a bad one is a usage error (exit 2). */
const schemas = {
  accountName: z.string().trim().min(1, 'an account name is required').max(64, 'an account name is at most 64 characters'),
  sessionId: z.string().regex(/^sess_[0-9a-f]{32}$/, 'a session id looks like sess_ followed by 32 hex digits'),
  email: z.email('not an e-mail address').max(254),
  limit: z.coerce.number().int('a whole number').min(1).max(10_000),
  eventType: z.string().regex(/^[a-z_]+(\.[a-z_]+)?$/, 'an event type such as signin.failed, or a group such as session'),
  policyKey: z.string().regex(/^[a-zA-Z]+\.[a-zA-Z]+$/, 'a policy key such as session.idleTimeoutMinutes'),
  policyValue: z.string().min(1).max(64),
  // Spaces are allowed inside, as some authenticator apps show "123 456".
  totpCode: z.string().transform((code) => code.replace(/\s/g, '')).pipe(z.string().regex(/^\d{6,8}$/, 'a code is 6 to 8 digits')),
  backupCode: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 -]{7,30}$/, 'a backup code looks like XXXXX-XXXXX-XXX (case, dashes and spaces do not matter)'),
  deviceId: z.string().regex(/^dev_[0-9a-f]{32}$/, 'a device id looks like dev_ followed by 32 hex digits'),
  filePath: z.string().min(1, 'a file name is required').max(4096),
  importFormat: z.enum(['json', 'csv'], 'json or csv'),
} as const;

export function parseArg<K extends keyof typeof schemas>(kind: K, value: unknown, label: string = kind): z.output<(typeof schemas)[K]> {
  const result = schemas[kind].safeParse(value);
  if (!result.success) throw new UsageError(`Invalid ${label}: ${result.error.issues[0]?.message ?? 'not accepted'}.`);
  return result.data as z.output<(typeof schemas)[K]>;
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
