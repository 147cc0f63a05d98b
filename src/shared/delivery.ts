/** Delivery's closed sets and settings, declared once for the engine, the hosts and the screens. */

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** How the connection to the SMTP server is protected. `none` is allowed only to a loopback host. */
export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** Everything the SMTP transport needs; `password` comes from the keychain, never the vault. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly secure: SmtpSecurity;
  readonly user: string | null;
  readonly password: string | null;
  /** The sender, as `Name <address>` or a bare address. */
  readonly from: string;
}

/** Twilio's Messages API, or any gateway that speaks it; `authToken` comes from the keychain. */
export interface SmsSettings {
  readonly provider: 'twilio';
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Exactly one of these says who the message is from. */
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
}

export const TWILIO_BASE_URL = 'https://api.twilio.com';

/**
 * A message's life, as a courier keeps it: `queued` → `sending` → `sent`; `failed` waits for its
 * next attempt; `abandoned` is final (attempts used up, expired with its code, refused for good, or
 * cancelled by an administrator).
 */
export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed', 'abandoned'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** What a message is for; the row keeps this, never the body. */
export const MESSAGE_KINDS = ['verification', 'code', 'notice', 'test'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** A message as an administrator sees it: no body, no recipient in clear. */
export interface OutboxMessageView {
  readonly id: string;
  readonly channel: Channel;
  readonly kind: MessageKind;
  /** The account it concerns, when there is one (a test message has none). */
  readonly username: string | null;
  readonly recipient: string;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly maxAttempts: number;
  /** The last attempt's failure in plain words, while it is not sent. */
  readonly lastError: string | null;
  /** When the next attempt is due, for `queued` and `failed`. */
  readonly nextAttemptAt: number | null;
  readonly expiresAt: number;
  readonly sentAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Whether Retry would be taken now: failed or abandoned, with its body kept and not expired. */
  readonly canRetry: boolean;
  /** Whether Cancel would be taken: not sent and not given up on. */
  readonly canCancel: boolean;
}

/** The settings an administrator sets with `latchkey config set KEY VALUE` and on the Delivery screen. */
export const DELIVERY_SETTING_KEYS = [
  'smtp.host',
  'smtp.port',
  'smtp.secure',
  'smtp.user',
  'smtp.from',
  'sms.provider',
  'sms.baseUrl',
  'sms.accountSid',
  'sms.from',
  'sms.messagingServiceSid',
  'sms.region',
] as const;
export type DeliverySettingKey = (typeof DELIVERY_SETTING_KEYS)[number];

/** Kept in the OS keychain, never in the vault; set with `latchkey config set-secret KEY` (standard input). */
export const DELIVERY_SECRET_KEYS = ['smtp.password', 'sms.authToken'] as const;
export type DeliverySecretKey = (typeof DELIVERY_SECRET_KEYS)[number];

/** Longest secret accepted: far above any real password or token, far below what could fill the keychain. */
export const DELIVERY_SECRET_MAX = 512;

/** One setting as an administrator sees it; a secret shows only whether it is set. */
export interface DeliverySettingView {
  readonly key: DeliverySettingKey | DeliverySecretKey;
  readonly secret: boolean;
  /** The value in force (null when unset with no default); always null for a secret. */
  readonly value: string | null;
  /** Whether an administrator set it (otherwise the default is in force). */
  readonly set: boolean;
  readonly describe: string;
}

/** Whether a channel can send now, and why not when it cannot. */
export interface ChannelStatus {
  readonly channel: Channel;
  readonly configured: boolean;
  /** What is missing or wrong, in words; empty when configured. */
  readonly problems: readonly string[];
  /** A warning a person must see even though the channel works (plain SMTP to a loopback host). */
  readonly warning: string | null;
}

export interface DeliveryStatusView {
  readonly channels: readonly ChannelStatus[];
  readonly settings: readonly DeliverySettingView[];
  readonly counts: Readonly<Partial<Record<OutboxState, number>>>;
}

/** What a sent code is for: finishing a sign-in, or proving a phone number. */
export const CODE_PURPOSES = ['signin', 'phone'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** A code on its way, as the person waiting for it may see it. */
export interface SentCodeView {
  readonly channel: Channel;
  /** Masked: `+44••••••••56`, `a•••@example.com`. */
  readonly to: string;
  /** The vault's time when it was sent: a window counts down to `resendAt` from it, whatever its own clock says. */
  readonly sentAt: number;
  readonly expiresAt: number;
  /** When another code may be asked for (one a minute, five an hour). */
  readonly resendAt: number;
  /** Whether the message left already; false: it waits in the outbox (the network may be down). */
  readonly sent: boolean;
  /** Wrong tries the code allows before it is void. */
  readonly attemptsLeft: number;
}

/**
 * Why a sign-in offers no code by a channel, so the screen can say so: the account has nowhere
 * verified to send it (no proved phone, no verified address), policy turned the e-mail fallback off, TOTP is not
 * on (a sent code is only ever offered next to it), the vault has the channel not set up, or the
 * last message tried on it did not get through (the network or the server may be down).
 */
export const CODE_CHANNEL_PROBLEMS = ['no_destination', 'policy_off', 'totp_off', 'not_configured', 'unreachable'] as const;
export type CodeChannelProblem = (typeof CODE_CHANNEL_PROBLEMS)[number];

/** Each problem in words, for the challenge screen and the CLI alike. */
export const CODE_CHANNEL_PROBLEM_TEXT: Record<Channel, Record<CodeChannelProblem, string>> = {
  sms: {
    no_destination: 'No verified phone is on this account; one can be added in Settings.',
    policy_off: 'Codes by SMS are turned off on this vault.',
    totp_off: 'A code by SMS is offered only next to an authenticator app, which this account does not have on.',
    not_configured: 'SMS is not set up on this vault.',
    unreachable: 'The last SMS Latchkey tried did not get through: the network or the SMS service may be down.',
  },
  email: {
    no_destination: 'No verified e-mail address is on this account.',
    policy_off: 'Codes by e-mail are turned off on this vault.',
    totp_off: 'A code by e-mail is offered only next to an authenticator app, which this account does not have on.',
    not_configured: 'E-mail is not set up on this vault.',
    unreachable: 'The last e-mail Latchkey tried did not get through: the network or the mail server may be down.',
  },
};

/** One way a sign-in code could be sent, as the challenge shows it. */
export interface CodeChannelView {
  readonly channel: Channel;
  /** The masked destination when offered. */
  readonly to: string | null;
  /** Null when offered. */
  readonly problem: CodeChannelProblem | null;
}

/** A phone as its owner sees it. */
export interface PhoneView {
  readonly masked: string;
  readonly verifiedAt: number | null;
}
