import type { SignedInView } from '../../shared/contract.js';
import { LatchkeyError, isLatchkeyError } from '../../shared/errors.js';
import type { Caller, Engine, SignedIn, StartedSession } from '../engine/index.js';
import type { HostKeychain, KeychainEntry } from '../secrets/host-keychain.js';
import type { Connection } from './connection.js';

/**
 * A window's session, from the host's side: the token it holds, the lock screen it falls back to
 * when the session ends under it, and the tokens kept in the keychain for it ("stay signed in",
 * trusted devices). The rules stay in the engine; this only keeps the window's state in step.
 */
export class WindowSessions {
  readonly #engine: Engine;
  readonly #keychain: HostKeychain;
  readonly #refreshToken: KeychainEntry;

  constructor(engine: Engine, keychain: HostKeychain, refreshToken: KeychainEntry) {
    this.#engine = engine;
    this.#keychain = keychain;
    this.#refreshToken = refreshToken;
  }

  /** A session began in this window: it holds the token, and the host keeps what the person asked it to keep. */
  async signedIn(connection: Connection, started: StartedSession | SignedIn): Promise<SignedInView> {
    const { caller } = started;
    connection.token = started.token;
    connection.username = caller.username;
    connection.lockedUsername = null;
    connection.lockReason = null;
    if (started.refreshToken !== null) await this.#refreshToken.set(started.refreshToken);
    const extra = 'deviceToken' in started ? started : null;
    if (extra?.deviceToken != null) await this.deviceToken(caller.username).set(extra.deviceToken);
    return {
      session: started.session,
      account: this.#engine.accounts.show(caller, caller.username),
      notices: started.notices,
      backupCodesLeft: extra?.backupCodesLeft ?? null,
      backupCodes: extra?.backupCodes ?? null,
    };
  }

  /** The token that lets this computer skip the second factor for `username`. */
  deviceToken(username: string): KeychainEntry {
    return this.#keychain.entry('device', username);
  }

  /** "Stay signed in": a window without a session tries the refresh token the keychain holds. */
  async resume(connection: Connection): Promise<void> {
    if (connection.token !== null || connection.lockedUsername !== null) return;
    const refresh = await this.#refreshToken.get();
    if (refresh === null) return;
    try {
      await this.signedIn(connection, this.#engine.sessions.refresh(refresh, connection.client));
    } catch (error) {
      if (!isLatchkeyError(error)) throw error;
      await this.#refreshToken.delete();
    }
  }

  /** The window's live session as the renderer sees it, or null (and the lock screen) when it ended. */
  currentView(connection: Connection): SignedInView | null {
    if (connection.token === null) return null;
    try {
      const caller = this.#engine.sessions.validate(connection.token);
      return {
        session: this.#engine.sessions.current(caller),
        account: this.#engine.accounts.show(caller, caller.username),
        notices: [],
        backupCodesLeft: null,
        backupCodes: null,
      };
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_EXPIRED') {
        this.#expired(connection, error);
        return null;
      }
      throw error;
    }
  }

  /** The caller behind the window's session, checked now; a session that ended turns the window to its lock screen. */
  caller(connection: Connection, options: { touch?: boolean } = {}): Caller {
    if (connection.token === null) throw new LatchkeyError('SESSION_EXPIRED', 'You are not signed in.');
    try {
      return this.#engine.sessions.validate(connection.token, options);
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_EXPIRED') this.#expired(connection, error);
      throw error;
    }
  }

  /** Whether the window still has a live session, without counting as activity. */
  peek(connection: Connection): boolean {
    if (connection.token === null) return false;
    try {
      this.caller(connection, { touch: false });
      return true;
    } catch (error) {
      if (!isLatchkeyError(error) || error.code !== 'SESSION_EXPIRED') throw error;
      return false;
    }
  }

  /** Sign-out in this window: the session, its "stay signed in" token and the lock screen go. */
  async signOut(connection: Connection, caller: Caller): Promise<void> {
    await this.#endHere(connection, caller);
    connection.lockedUsername = null;
    connection.lockReason = null;
  }

  /** "Lock" in this window, or the host locking it: the session ends, and the lock screen offers the same name. */
  async lockWith(connection: Connection, caller: Caller): Promise<void> {
    await this.#endHere(connection, caller);
    connection.lockedUsername = caller.username;
    connection.lockReason = 'idle';
  }

  /** The host locks the window (screen lock, suspend); a session already gone just shows why. */
  async lock(connection: Connection): Promise<void> {
    if (connection.token === null) return;
    let caller: Caller;
    try {
      caller = this.caller(connection, { touch: false });
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_EXPIRED') return;
      throw error;
    }
    await this.lockWith(connection, caller);
  }

  /** The window's own session was revoked from it: the window no longer holds a token. */
  forget(connection: Connection): void {
    connection.token = null;
    connection.username = null;
  }

  /** The window or page is gone: its session ends (see SessionService.closeWithWindow). */
  release(connection: Connection): void {
    const { token } = connection;
    this.forget(connection);
    if (token !== null) this.#engine.sessions.closeWithWindow(token);
  }

  async #endHere(connection: Connection, caller: Caller): Promise<void> {
    this.#engine.signIn.signOut(caller);
    this.forget(connection);
    await this.#refreshToken.delete();
  }

  /** The session ended under this window: idle or absolute timeout, or revoked elsewhere. */
  #expired(connection: Connection, error: LatchkeyError): void {
    connection.lockedUsername = connection.username;
    // SESSION_EXPIRED says why the session ended: an idle timeout (now, or noticed earlier by cleanup) reads as a lock.
    connection.lockReason =
      connection.username === null ? null : error.is('SESSION_EXPIRED') && error.details?.reason === 'idle_timeout' ? 'idle' : 'ended';
    this.forget(connection);
  }
}
