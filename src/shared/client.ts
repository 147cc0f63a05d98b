import type { SessionHost } from './views.js';

/** Facts about the device and program a sign-in comes from; recorded with the session, never trusted for a decision. */
export interface ClientInfo {
  readonly host: SessionHost;
  readonly deviceName: string;
  readonly osUser: string | null;
  readonly ip: string | null;
  readonly userAgent: string;
}
