import type { ClientInfo } from '../../shared/client.js';
import type { LockReason } from '../../shared/contract.js';

/** One renderer: an Electron window, or one browser-host page. Its session token never leaves this object. */
export interface Connection {
  /** The device and program on the other end, recorded with the sessions it starts. */
  readonly client: ClientInfo;
  token: string | null;
  /** Who holds `token`: when the session idles out, the lock screen offers this name. */
  username: string | null;
  /** Set when the app locked (idle, screen lock, suspend): the lock screen offers this name. */
  lockedUsername: string | null;
  /** Why `lockedUsername` is set, so the lock screen does not call a revoked session idle. */
  lockReason: LockReason | null;
}

export function newConnection(client: ClientInfo): Connection {
  return { client, token: null, username: null, lockedUsername: null, lockReason: null };
}
