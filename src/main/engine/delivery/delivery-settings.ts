import * as z from 'zod';
import {
  DELIVERY_SECRET_KEYS,
  DELIVERY_SECRET_MAX,
  DELIVERY_SETTING_KEYS,
  SMTP_SECURITY,
  TWILIO_BASE_URL,
  type Channel,
  type ChannelStatus,
  type DeliverySecretKey,
  type DeliverySettingKey,
  type DeliverySettingView,
  type SmsSettings,
  type SmtpSettings,
} from '../../../shared/delivery.js';
import { LatchkeyError } from '../../../shared/errors.js';
import { type Caller, partyOf, requireAdmin } from '../caller.js';
import type { EngineContext } from '../context.js';
import { requireValidEmail } from '../accounts/usernames.js';
import { defaultRegionFromLocale, isKnownRegion } from './phone.js';
import { requireSafeGatewayUrl } from './sms-transport.js';
import { requireSafeSmtpHost } from './smtp-transport.js';

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]{2,45}\]?$/;

/** A sender as mail clients show it: `Name <address>` or a bare address. */
function requireValidSender(text: string): string {
  const named = /^(.{1,100}?)\s*<([^<>]+)>$/.exec(text);
  const address = requireValidEmail(named === null ? text : (named[2] ?? ''));
  if (named === null) return address;
  const name = (named[1] ?? '').trim();
  if (/[\p{C}"<>]/u.test(name))
    throw new LatchkeyError('INVALID_INPUT', 'The sender name may not hold quotes, angle brackets or control characters.');
  return `${name} <${address}>`;
}

interface SettingRule {
  readonly schema: z.ZodType<string>;
  readonly describe: string;
  /** What is in force when an administrator has not set it; a function when it follows another setting. */
  readonly default: string | null | ((values: ReadonlyMap<string, string>) => string);
}

const text = (max: number): z.ZodString => z.string().trim().min(1).max(max);

/** Every delivery setting, declared once: its check, its default, what it means. */
export const DELIVERY_SETTINGS: Readonly<Record<DeliverySettingKey, SettingRule>> = {
  'smtp.host': {
    schema: text(253).regex(HOST, 'give a host name or an IP address'),
    default: null,
    describe: 'The SMTP server mail is handed to.',
  },
  'smtp.port': {
    schema: z
      .string()
      .regex(/^\d{1,5}$/, 'give a port number')
      .refine((v) => Number(v) >= 1 && Number(v) <= 65535, 'give a port from 1 to 65535'),
    default: (values) => ({ tls: '465', starttls: '587', none: '25' })[values.get('smtp.secure') ?? 'starttls'] ?? '587',
    describe: 'The SMTP port (465 for tls, 587 for starttls, 25 for none, unless set).',
  },
  'smtp.secure': {
    schema: z.enum(SMTP_SECURITY),
    default: 'starttls',
    describe: 'tls (TLS from the start), starttls (TLS required after connecting), or none (plain; only to a loopback host).',
  },
  'smtp.user': {
    schema: text(256).regex(/^[^\p{C}]+$/u, 'no control characters'),
    default: null,
    describe: 'The user name to sign in to the SMTP server with (none: no sign-in).',
  },
  'smtp.from': {
    schema: text(320).transform(requireValidSender),
    default: null,
    describe: 'The sender of every mail, as "Name <address>" or an address.',
  },
  'sms.provider': {
    schema: z.enum(['twilio']),
    default: 'twilio',
    describe: 'The SMS gateway: twilio (or any gateway that speaks Twilio’s Messages API).',
  },
  'sms.baseUrl': {
    schema: text(200).transform((v) => requireSafeGatewayUrl(v).origin),
    default: TWILIO_BASE_URL,
    describe: 'Where the Messages API is (https; plain http only to a loopback host).',
  },
  'sms.accountSid': {
    schema: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'give the account SID: AC and 32 hex digits'),
    default: null,
    describe: 'The Twilio account SID.',
  },
  'sms.from': {
    schema: z.string().regex(/^\+[1-9]\d{6,14}$/, 'give a number in E.164 form, such as +441632960961'),
    default: null,
    describe: 'The number SMS are sent from (or set sms.messagingServiceSid).',
  },
  'sms.messagingServiceSid': {
    schema: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'give the messaging service SID: MG and 32 hex digits'),
    default: null,
    describe: 'A Twilio messaging service to send from, instead of sms.from.',
  },
  'sms.region': {
    schema: z
      .string()
      .regex(/^[A-Z]{2}$/, 'give a two-letter country code such as GB')
      .refine((v) => isKnownRegion(v), 'not a country phone numbers are known for'),
    default: (): string => defaultRegionFromLocale(Intl.DateTimeFormat().resolvedOptions().locale) ?? 'US',
    describe: 'The country a phone number written without +country code is read in (default: from this machine’s locale).',
  },
};

const SECRET_DESCRIPTIONS: Readonly<Record<DeliverySecretKey, string>> = {
  'smtp.password': 'The password for smtp.user, kept in the OS keychain.',
  'sms.authToken': 'The Twilio auth token, kept in the OS keychain.',
};

function isSettingKey(key: string): key is DeliverySettingKey {
  return (DELIVERY_SETTING_KEYS as readonly string[]).includes(key);
}

function isSecretKey(key: string): key is DeliverySecretKey {
  return (DELIVERY_SECRET_KEYS as readonly string[]).includes(key);
}

function unknownKey(key: string): LatchkeyError {
  return new LatchkeyError(
    'INVALID_INPUT',
    `There is no delivery setting "${key.slice(0, 64)}". Settings: ${DELIVERY_SETTING_KEYS.join(', ')}; secrets: ${DELIVERY_SECRET_KEYS.join(', ')}.`,
  );
}

/**
 * Where mail and SMS go, and the secrets to get there. Values live in the sealed `settings` table,
 * secrets in the keychain; both are an administrator's to change, and every change is audited
 * (a secret's value never is).
 */
export class DeliverySettings {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  async describe(caller: Caller): Promise<DeliverySettingView[]> {
    requireAdmin(caller);
    const stored = this.#stored();
    const views: DeliverySettingView[] = DELIVERY_SETTING_KEYS.map((key) => ({
      key,
      secret: false,
      value: this.#value(stored, key),
      set: stored.has(key),
      describe: DELIVERY_SETTINGS[key].describe,
    }));
    for (const key of DELIVERY_SECRET_KEYS) {
      views.push({ key, secret: true, value: null, set: (await this.#secret(key)) !== null, describe: SECRET_DESCRIPTIONS[key] });
    }
    return views;
  }

  set(caller: Caller, key: string, value: string): DeliverySettingView {
    requireAdmin(caller);
    if (isSecretKey(key))
      throw new LatchkeyError(
        'INVALID_INPUT',
        `${key} is a secret: set it with \`latchkey config set-secret ${key}\`, which reads it from standard input.`,
      );
    if (!isSettingKey(key)) throw unknownKey(key);
    const parsed = DELIVERY_SETTINGS[key].schema.safeParse(value);
    if (!parsed.success) {
      throw new LatchkeyError('INVALID_INPUT', `Invalid value for ${key}: ${parsed.error.issues[0]?.message ?? 'not allowed'}.`);
    }
    this.#ctx.change((tx) => {
      const next = new Map(this.#stored());
      next.set(key, parsed.data);
      this.#requireSafeTransport(next);
      tx.repos.settings.set(key, JSON.stringify(parsed.data), this.#ctx.clock.now(), caller.accountId);
      tx.audit({
        type: 'delivery.setting_changed',
        outcome: 'success',
        actor: partyOf(caller),
        sessionId: caller.sessionId,
        details: { key, value: parsed.data },
      });
    });
    return { key, secret: false, value: parsed.data, set: true, describe: DELIVERY_SETTINGS[key].describe };
  }

  /** Back to the default (or to unset); a secret is removed from the keychain. */
  async unset(caller: Caller, key: string): Promise<void> {
    requireAdmin(caller);
    if (isSecretKey(key)) {
      const removed = await this.#ctx.vault.secrets.delete(this.#secretName(key));
      if (removed) this.#auditSecret(caller, key, true);
      return;
    }
    if (!isSettingKey(key)) throw unknownKey(key);
    this.#ctx.change((tx) => {
      const next = new Map(this.#stored());
      next.delete(key);
      this.#requireSafeTransport(next);
      if (tx.repos.settings.delete(key)) {
        tx.audit({
          type: 'delivery.setting_changed',
          outcome: 'success',
          actor: partyOf(caller),
          sessionId: caller.sessionId,
          details: { key, value: null },
        });
      }
    });
  }

  /** Stores a secret in the keychain; the audit event says only that it changed. */
  async setSecret(caller: Caller, key: string, secret: string): Promise<void> {
    requireAdmin(caller);
    if (!isSecretKey(key))
      throw isSettingKey(key)
        ? new LatchkeyError('INVALID_INPUT', `${key} is not a secret: set it with \`latchkey config set ${key} VALUE\`.`)
        : unknownKey(key);
    if (secret.length > DELIVERY_SECRET_MAX)
      throw new LatchkeyError('INVALID_INPUT', `${key} may be at most ${DELIVERY_SECRET_MAX} characters.`, {
        maxBytes: DELIVERY_SECRET_MAX,
      });
    if (secret === '' || /[\p{C}]/u.test(secret)) {
      throw new LatchkeyError(
        'INVALID_INPUT',
        `${key} must be given, with no line breaks or control characters; \`latchkey config unset ${key}\` removes it.`,
      );
    }
    await this.#ctx.vault.secrets.set(this.#secretName(key), secret);
    this.#auditSecret(caller, key, false);
  }

  #auditSecret(caller: Caller, key: DeliverySecretKey, removed: boolean): void {
    this.#ctx.change((tx) => {
      tx.audit({
        type: 'delivery.setting_changed',
        outcome: 'success',
        actor: partyOf(caller),
        sessionId: caller.sessionId,
        details: { key, secret: true, removed },
      });
    });
  }

  /** What the SMTP transport needs, or null with the reasons mail cannot go yet. */
  async smtp(): Promise<{ settings: SmtpSettings | null; status: ChannelStatus }> {
    const stored = this.#stored();
    const host = this.#value(stored, 'smtp.host');
    const from = this.#value(stored, 'smtp.from');
    const user = this.#value(stored, 'smtp.user');
    const secure = z.enum(SMTP_SECURITY).parse(this.#value(stored, 'smtp.secure'));
    const password = user === null ? null : await this.#secret('smtp.password');
    const problems = [
      ...(host === null ? ['smtp.host is not set'] : []),
      ...(from === null ? ['smtp.from is not set'] : []),
      ...(user !== null && password === null
        ? ['smtp.user is set but smtp.password is not (latchkey config set-secret smtp.password)']
        : []),
    ];
    const warning =
      secure === 'none' ? `mail goes to ${host ?? 'the SMTP host'} without TLS: allowed only because it is this machine (loopback)` : null;
    const status: ChannelStatus = { channel: 'email', configured: problems.length === 0, problems, warning };
    if (host === null || from === null || problems.length > 0) return { settings: null, status };
    return { settings: { host, port: Number(this.#value(stored, 'smtp.port')), secure, user, password, from }, status };
  }

  /** What the SMS transport needs, or null with the reasons SMS cannot go yet. */
  async sms(): Promise<{ settings: SmsSettings | null; status: ChannelStatus }> {
    const stored = this.#stored();
    const accountSid = this.#value(stored, 'sms.accountSid');
    const from = this.#value(stored, 'sms.from');
    const messagingServiceSid = this.#value(stored, 'sms.messagingServiceSid');
    const baseUrl = this.#value(stored, 'sms.baseUrl') ?? TWILIO_BASE_URL;
    const authToken = await this.#secret('sms.authToken');
    const problems = [
      ...(accountSid === null ? ['sms.accountSid is not set'] : []),
      ...(authToken === null ? ['sms.authToken is not set (latchkey config set-secret sms.authToken)'] : []),
      ...(from === null && messagingServiceSid === null ? ['neither sms.from nor sms.messagingServiceSid is set'] : []),
    ];
    const plain = new URL(baseUrl).protocol === 'http:';
    const warning = plain ? `SMS go to ${baseUrl} without TLS: allowed only because it is this machine (loopback)` : null;
    const status: ChannelStatus = { channel: 'sms', configured: problems.length === 0, problems, warning };
    if (accountSid === null || authToken === null || problems.length > 0) return { settings: null, status };
    return {
      settings: {
        provider: 'twilio',
        baseUrl,
        accountSid,
        authToken,
        from: messagingServiceSid === null ? from : null,
        messagingServiceSid,
      },
      status,
    };
  }

  /**
   * Why a code sent on `channel` could not reach someone now, or null when it could: the channel
   * must be set up (its secret aside, which only the keychain knows) and the last message tried on
   * it must have got through. A sign-in offers no "send a code" that would only wait in the outbox.
   */
  sendProblem(channel: Channel): 'not_configured' | 'unreachable' | null {
    const stored = this.#stored();
    const set =
      channel === 'email'
        ? this.#value(stored, 'smtp.host') !== null && this.#value(stored, 'smtp.from') !== null
        : this.#value(stored, 'sms.accountSid') !== null &&
          (this.#value(stored, 'sms.from') !== null || this.#value(stored, 'sms.messagingServiceSid') !== null);
    if (!set) return 'not_configured';
    return this.#ctx.repos.outbox.latestTried(channel)?.state === 'failed' ? 'unreachable' : null;
  }

  /** The region a phone number without a country code is read in. */
  region(): string {
    return this.#value(this.#stored(), 'sms.region') ?? 'US';
  }

  #stored(): Map<string, string> {
    const values = new Map<string, string>();
    for (const row of this.#ctx.repos.settings.all()) {
      if (isSettingKey(row.key)) values.set(row.key, JSON.parse(row.value) as string);
    }
    return values;
  }

  #value(stored: ReadonlyMap<string, string>, key: DeliverySettingKey): string | null {
    const value = stored.get(key);
    if (value !== undefined) return value;
    const fallback = DELIVERY_SETTINGS[key].default;
    return typeof fallback === 'function' ? fallback(stored) : fallback;
  }

  /** Plain SMTP only to this machine: a change that would send mail unprotected over a network is refused. */
  #requireSafeTransport(values: ReadonlyMap<string, string>): void {
    const host = values.get('smtp.host');
    if (host !== undefined) requireSafeSmtpHost(host, z.enum(SMTP_SECURITY).parse(this.#value(values, 'smtp.secure')));
  }

  #secretName(key: DeliverySecretKey): string {
    return `delivery:${this.#ctx.vault.id}:${key}`;
  }

  #secret(key: DeliverySecretKey): Promise<string | null> {
    return this.#ctx.vault.secrets.get(this.#secretName(key));
  }
}
