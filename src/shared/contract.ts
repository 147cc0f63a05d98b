import * as z from 'zod';
import { EVENT_FILTER_PATTERN, MAX_EVENT_FILTER_LENGTH } from './audit-events.js';
import {
  CHANNELS,
  DELIVERY_SECRET_KEYS,
  DELIVERY_SECRET_MAX,
  DELIVERY_SETTING_KEYS,
  OUTBOX_STATES,
  type DeliverySettingView,
  type DeliveryStatusView,
  type OutboxMessageView,
  type PhoneView,
  type SentCodeView,
} from './delivery.js';
import {
  accountId,
  challengeId,
  deviceId,
  email,
  factorAnswer,
  messageId,
  password,
  phoneNumber,
  sentCode,
  sessionId,
  totpCode,
  username,
} from './field-schemas.js';
import { EMAIL_MAX_LENGTH } from './fields.js';
import type { ErrorInfo } from './errors.js';
import {
  ALERT_ID_LENGTH,
  ALERT_ID_PATTERN,
  ALERT_NOTE_MAX_LENGTH,
  REPORT_PERIODS,
  type AlertView,
  type SecurityReport,
} from './monitoring.js';
import type { ClockSkewView } from './monitoring.js';
import type { AccountNotice } from './notices.js';
import { POLICY_KEY_COUNT, type PolicyInput } from './policy-input.js';
import type { Result } from './result.js';
import type {
  AccountView,
  ActivityBucket,
  AuditEventView,
  AuditVerdict,
  MfaStatusView,
  SessionView,
  TotpSetupView,
  TrustedDeviceView,
} from './views.js';

/**
 * The IPC contract, declared once. For each channel: who may call it, the schema its input must
 * pass (checked in the main process before anything else), and the type of its result. The preload,
 * the router, the browser host's bridge and the renderer's types are all derived from this object.
 */

/** `none`: anyone; `session`: a live session; `admin`: a live session of an administrator; `test`: the browser host's test mode only. */
export type Access = 'none' | 'session' | 'admin' | 'test';

export interface Channel<Input extends z.ZodType, Output, A extends Access = Access> {
  readonly access: A;
  readonly input: Input;
  /** Never read: carries the result type for the derived API. */
  readonly output?: Output;
}

function channel<Output>() {
  return <A extends Access, Input extends z.ZodType>(access: A, input: Input): Channel<Input, Output, A> => ({ access, input });
}

const none = z.object({}).strict();

const alertId = z.string().max(ALERT_ID_LENGTH).regex(ALERT_ID_PATTERN);
/** An administrator's note on an alert; the engine trims it and bounds it again. */
const alertNote = z.string().trim().min(1).max(ALERT_NOTE_MAX_LENGTH);

/** One policy key's new value in its text form; the engine checks both against its table. */
const policySetting = z
  .object({
    key: z
      .string()
      .max(64)
      .regex(/^[a-zA-Z]+\.[a-zA-Z]+$/),
    value: z.string().trim().min(1).max(64),
  })
  .strict();

/** The longest `latchkey://` link read; a verification link is 66 characters. */
const LINK_MAX_LENGTH = 200;
/** The token from a verification mail as a person pastes it, or the whole link it came in. */
const verificationToken = z.string().trim().min(1).max(LINK_MAX_LENGTH);

/** What the renderer knows about the person using it; never a token. */
export interface SignedInView {
  readonly session: SessionView;
  readonly account: AccountView;
  /** Things to tell the person once, e.g. 'mfa_reset_by_admin'. */
  readonly notices: readonly AccountNotice[];
  /** With a backup code sign-in: how many remain. */
  readonly backupCodesLeft: number | null;
  /** After a forced enrollment: the backup codes, shown once. */
  readonly backupCodes: readonly string[] | null;
}

/**
 * Why a window lost its session: `idle` when the app locked itself (idle timeout, screen lock,
 * suspend); `ended` when the session ended otherwise (revoked by an admin, signed out in another
 * window, the absolute timeout, a disabled account).
 */
export type LockReason = 'idle' | 'ended';

export interface AppStatus {
  readonly version: string;
  readonly initialised: boolean;
  readonly vaultPath: string;
  /** Present when this window has a live session. */
  readonly signedIn: SignedInView | null;
  /** The name to offer on the lock screen after the app locked itself. */
  readonly lockedUsername: string | null;
  /** Why the lock screen shows; null when it does not. */
  readonly lockReason: LockReason | null;
  readonly idleLockMinutes: number;
  /** How many days "stay signed in" and "trust this device" last (policy); 0: not offered. */
  readonly offers: { readonly staySignedInDays: number; readonly trustDeviceDays: number };
  /** This machine's clock against the vault's time, when it is off: the person at the machine is told. */
  readonly clockSkew: ClockSkewView | null;
}

/** A cheap look that does not count as activity: the renderer polls it to notice an idle lock. */
export interface AppPeek {
  readonly state: 'signed_in' | 'locked' | 'signed_out';
  readonly lockedUsername: string | null;
  readonly reason: LockReason | null;
}

export interface PolicyEntry {
  readonly key: string;
  /** The words the admin screen shows for the key: they read before its value (and its unit). */
  readonly label: string;
  readonly value: string | number;
  readonly default: string | number;
  readonly description: string;
  readonly input: PolicyInput;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

/**
 * Something the host has to tell a window that the window did not ask for: the outcome of a
 * `latchkey://` link the OS handed to the app. Taken once through `app.notices`.
 */
export type HostNotice =
  | { readonly kind: 'email_verified'; readonly username: string; readonly email: string }
  | { readonly kind: 'link_refused'; readonly error: ErrorInfo };

/**
 * What became of a mail a person asked for, as far as the attempt made at once tells: `sent`;
 * `will_retry` (the server could not be reached or said try later); `not_configured` (it waits
 * until an administrator sets up e-mail); `refused` (given up on for good); `queued` (this window
 * cannot tell: it waits in the outbox with others).
 */
export type PromptDelivery = 'sent' | 'will_retry' | 'not_configured' | 'refused' | 'queued';

export interface SentVerificationView {
  readonly username: string;
  readonly expiresAt: number;
  readonly delivery: PromptDelivery;
}

export const contract = {
  'app.status': channel<AppStatus>()('none', none),
  'app.peek': channel<AppPeek>()('none', none),
  /** Takes (and clears) what the host queued for this window, such as a verification link's outcome. */
  'app.notices': channel<readonly HostNotice[]>()('none', none),
  'setup.createAdmin': channel<AccountView>()('none', z.object({ username, password, email: email.optional() }).strict()),

  'auth.signIn': channel<SignedInView>()('none', z.object({ username, password, staySignedIn: z.boolean().default(false) }).strict()),
  'auth.answerChallenge': channel<SignedInView>()('none', factorAnswer({ challengeId, trustDevice: z.boolean().default(false) })),
  'auth.beginEnrollment': channel<TotpSetupView>()('none', z.object({ challengeId }).strict()),
  'auth.confirmEnrollment': channel<SignedInView>()(
    'none',
    z.object({ challengeId, code: totpCode, trustDevice: z.boolean().default(false) }).strict(),
  ),
  /** A one-time code for the challenge by SMS or e-mail, where the challenge offers it; tried at once. */
  'auth.sendCode': channel<SentCodeView>()('none', z.object({ challengeId, channel: z.enum(CHANNELS) }).strict()),
  'auth.signOut': channel<null>()('session', none),
  /** The app locks itself (idle, screen lock, suspend): the session ends and the lock screen offers the same name. */
  'auth.lock': channel<null>()('session', none),

  'sessions.list': channel<readonly SessionView[]>()(
    'session',
    z.object({ accountId: accountId.optional(), allAccounts: z.boolean().default(false) }).strict(),
  ),
  'sessions.revoke': channel<SessionView>()('session', z.object({ sessionId }).strict()),
  'sessions.revokeOthers': channel<number>()('session', none),

  'mfa.status': channel<MfaStatusView>()('session', none),
  'mfa.beginTotp': channel<TotpSetupView>()('session', none),
  'mfa.confirmTotp': channel<{ readonly backupCodes: readonly string[] }>()('session', z.object({ code: totpCode }).strict()),
  'mfa.disable': channel<null>()('session', factorAnswer({ password })),
  'mfa.regenerateBackupCodes': channel<{ readonly backupCodes: readonly string[] }>()('session', z.object({ password }).strict()),
  'devices.list': channel<readonly TrustedDeviceView[]>()('session', none),
  'devices.revoke': channel<null>()('session', z.object({ deviceId }).strict()),

  /** The caller's phone for codes by SMS, masked; null when there is none. */
  'phone.get': channel<PhoneView | null>()('session', none),
  /** Adds (or replaces) the caller's phone, unproved, with the current password, and sends it a code to prove it. */
  'phone.add': channel<SentCodeView>()('session', z.object({ phone: phoneNumber, currentPassword: password }).strict()),
  'phone.resend': channel<SentCodeView>()('session', none),
  'phone.verify': channel<PhoneView>()('session', z.object({ code: sentCode }).strict()),
  'phone.remove': channel<null>()('session', none),

  /** Mails a new verification link to the caller's address (an administrator: to anyone's) and tries it at once. */
  'email.sendVerification': channel<SentVerificationView>()('session', z.object({ username: username.optional() }).strict()),
  /** The token a person pasted from the verification mail (or its whole link); the token itself is the proof. */
  'email.confirmToken': channel<{ readonly username: string; readonly email: string }>()(
    'session',
    z.object({ token: verificationToken }).strict(),
  ),

  'account.changePassword': channel<null>()('session', z.object({ currentPassword: password, newPassword: password }).strict()),
  'audit.mine': channel<readonly AuditEventView[]>()('session', z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict()),

  'admin.accounts.list': channel<readonly AccountView[]>()('admin', none),
  'admin.accounts.create': channel<AccountView>()(
    'admin',
    z.object({ username, password, email: email.optional(), role: z.enum(['admin', 'user']).default('user') }).strict(),
  ),
  'admin.accounts.setStatus': channel<AccountView>()('admin', z.object({ username, status: z.enum(['active', 'disabled']) }).strict()),
  'admin.accounts.unlock': channel<AccountView>()('admin', z.object({ username }).strict()),
  'admin.accounts.setRole': channel<AccountView>()('admin', z.object({ username, role: z.enum(['admin', 'user']) }).strict()),
  /**
   * A new address (null: none) for an account, unverified and mailed a link; the old verified one
   * is told. Your own takes your current password.
   */
  'admin.accounts.setEmail': channel<AccountView>()(
    'admin',
    z.object({ username, email: email.nullable(), currentPassword: password.optional() }).strict(),
  ),
  'admin.accounts.resetMfa': channel<null>()('admin', z.object({ username }).strict()),
  'admin.accounts.resetPassword': channel<null>()('admin', z.object({ username, newPassword: password }).strict()),
  'admin.accounts.delete': channel<null>()('admin', z.object({ username }).strict()),
  'admin.sessions.revokeAccount': channel<number>()('admin', z.object({ accountId }).strict()),
  'admin.policy.get': channel<readonly PolicyEntry[]>()('admin', none),
  'admin.policy.set': channel<PolicyEntry>()('admin', policySetting),
  /** Several keys at once, all or nothing; the answer is every entry. */
  'admin.policy.setMany': channel<readonly PolicyEntry[]>()(
    'admin',
    z.object({ changes: z.array(policySetting).min(1).max(POLICY_KEY_COUNT) }).strict(),
  ),
  'admin.audit.list': channel<readonly AuditEventView[]>()(
    'admin',
    z
      .object({
        accountId: accountId.optional(),
        type: z.string().max(MAX_EVENT_FILTER_LENGTH).regex(EVENT_FILTER_PATTERN).optional(),
        since: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(10_000).default(200),
      })
      .strict(),
  ),
  'admin.audit.verify': channel<AuditVerdict>()('admin', none),
  'admin.audit.export': channel<{ readonly jsonl: string; readonly events: number }>()('admin', none),
  'admin.audit.activity': channel<readonly ActivityBucket[]>()(
    'admin',
    z.object({ days: z.number().int().min(1).max(90).default(14) }).strict(),
  ),

  /** The alerts the monitoring rules raised, newest first; `unresolvedOnly` leaves out the resolved ones. */
  'admin.alerts.list': channel<readonly AlertView[]>()(
    'admin',
    z.object({ unresolvedOnly: z.boolean().default(false), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  'admin.alerts.acknowledge': channel<AlertView>()('admin', z.object({ alertId, note: alertNote.nullable().default(null) }).strict()),
  /** A resolution always says what was found or done. */
  'admin.alerts.resolve': channel<AlertView>()('admin', z.object({ alertId, note: alertNote }).strict()),
  /** The security figures over 7, 30 or 90 days. */
  'admin.security.report': channel<SecurityReport>()(
    'admin',
    z
      .object({
        periodDays: z
          .union(REPORT_PERIODS.map((days) => z.literal(days)) as [z.ZodLiteral<7>, z.ZodLiteral<30>, z.ZodLiteral<90>])
          .default(30),
      })
      .strict(),
  ),

  'admin.delivery.status': channel<DeliveryStatusView>()('admin', none),
  'admin.delivery.list': channel<readonly OutboxMessageView[]>()(
    'admin',
    z.object({ state: z.enum(OUTBOX_STATES).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  ),
  'admin.delivery.retry': channel<OutboxMessageView>()('admin', z.object({ messageId }).strict()),
  'admin.delivery.cancel': channel<OutboxMessageView>()('admin', z.object({ messageId }).strict()),
  /** The engine reads `to` as an address or a phone number, by channel; an address is the longer of the two. */
  'admin.delivery.sendTest': channel<OutboxMessageView>()(
    'admin',
    z.object({ channel: z.enum(CHANNELS), to: z.string().trim().min(1).max(EMAIL_MAX_LENGTH) }).strict(),
  ),
  'admin.delivery.setSetting': channel<DeliverySettingView>()(
    'admin',
    z.object({ key: z.enum(DELIVERY_SETTING_KEYS), value: z.string().min(1).max(DELIVERY_SECRET_MAX) }).strict(),
  ),
  /** Back to the default; a secret is removed from the keychain. */
  'admin.delivery.unsetSetting': channel<null>()(
    'admin',
    z.object({ key: z.enum([...DELIVERY_SETTING_KEYS, ...DELIVERY_SECRET_KEYS]) }).strict(),
  ),
  /** A secret travels only this way, renderer to main: no channel ever answers with one. */
  'admin.delivery.setSecret': channel<null>()(
    'admin',
    z.object({ key: z.enum(DELIVERY_SECRET_KEYS), secret: z.string().min(1).max(DELIVERY_SECRET_MAX) }).strict(),
  ),

  /** Plays the OS handing the app a `latchkey://` link, as a click in a mail program does for the desktop app. */
  'test.openLink': channel<null>()('test', z.object({ link: z.string().max(LINK_MAX_LENGTH) }).strict()),
  /** Makes a verification link and gives it to the test, which stands where the mailbox would be. */
  'test.issueVerificationLink': channel<{ readonly link: string }>()('test', z.object({ username }).strict()),
  /** Moves the browser host's clock; the Electron build has no such channel handler. */
  'test.advanceClock': channel<{ readonly now: number }>()(
    'test',
    z
      .object({
        ms: z
          .number()
          .int()
          .min(0)
          .max(400 * 24 * 3600 * 1000),
      })
      .strict(),
  ),
} as const;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[];

export type InputOf<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends ChannelName> = z.output<Contract[C]['input']>;
export type OutputOf<C extends ChannelName> = Exclude<Contract[C]['output'], undefined>;
export type AccessOf<C extends ChannelName> = Contract[C]['access'];
/** The channels a host answers only in the browser host's test mode. */
export type TestChannelName = { [C in ChannelName]: AccessOf<C> extends 'test' ? C : never }[ChannelName];

/** What the preload (or the browser host's bridge) gives the renderer as `window.latchkey`. */
export interface LatchkeyBridge {
  readonly version: string;
  invoke<C extends ChannelName>(channel: C, input: InputOf<C>): Promise<Result<OutputOf<C>>>;
}
