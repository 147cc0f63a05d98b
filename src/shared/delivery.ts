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
