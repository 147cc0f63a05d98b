import type { ClientInfo } from '../../shared/client.js';
import { CHANNEL_NAMES, contract, type ChannelName, type HostNotice } from '../../shared/contract.js';
import { LatchkeyError, isLatchkeyError, toErrorInfo } from '../../shared/errors.js';
import { settle, type Result } from '../../shared/result.js';
import { requireAdmin, tokenOfVerificationLink, type Caller, type Engine } from '../engine/index.js';
import { HostKeychain } from '../secrets/host-keychain.js';
import type { Connection } from './connection.js';
import { appHandlers, type Handler, type TestHandlers } from './handlers.js';
import { WindowSessions } from './window-session.js';

export { newConnection, type Connection } from './connection.js';

/** What a host's test mode may reach to answer the `test` channels. */
export interface TestTools {
  readonly engine: Engine;
  readonly windows: WindowSessions;
  /** Acts on a `latchkey://` link as the OS handing it to the app would. */
  readonly openLink: (link: string) => boolean;
}

export interface RouterHost {
  readonly engine: Engine;
  readonly version: string;
  /** Which host this is; also scopes the "stay signed in" token in the keychain. */
  readonly kind: ClientInfo['host'];
  /** The OS user the host runs as; scopes the tokens it keeps in the keychain. */
  readonly osUser: string | null;
  /**
   * The `test` channels' handlers: only the browser host's test mode gives them. Without them, those
   * channels answer NOT_AUTHORISED.
   */
  readonly testChannels?: (tools: TestTools) => TestHandlers;
}

export interface Router {
  /** Answers one call from a renderer. */
  route(connection: Connection, channel: unknown, input: unknown): Promise<Result<unknown>>;
  /** Locks a window from the host's side (the OS locked the screen or is suspending). */
  lock(connection: Connection): Promise<void>;
  /**
   * A `latchkey://` link the OS handed to the app: it is acted on now, and its outcome waits for
   * the window's next `app.notices`. Anything that is not one of our links is ignored (false).
   */
  openLink(link: string): boolean;
  /** The window or page behind `connection` is gone: its session ends (see SessionService.closeWithWindow). */
  release(connection: Connection): Promise<void>;
}

/** Links arrive from outside (any web page can open one); a flood must not grow the queue without end. */
const MAX_QUEUED_NOTICES = 8;

const NOT_IN_TEST_MODE = (): LatchkeyError =>
  new LatchkeyError('NOT_AUTHORISED', "This channel exists only in the browser host's test mode.");

/**
 * The contract's one router, shared by Electron's IPC and the browser host's WebSocket. Every call:
 * known channel → input valid against its schema → live session and role → handler → envelope.
 */
export function createRouter(host: RouterHost): Router {
  const { engine } = host;
  const keychain = new HostKeychain(engine.secrets, engine.vaultId, host.osUser);
  const windows = new WindowSessions(engine, keychain, keychain.entry('refresh', host.kind));
  const notices: HostNotice[] = [];

  function openLink(link: string): boolean {
    const token = tokenOfVerificationLink(link);
    if (token === null) return false;
    let notice: HostNotice;
    try {
      notice = { kind: 'email_verified', ...engine.emailVerification.confirm(token) };
    } catch (error) {
      // The link came from outside, not from a call that could carry the failure back: the window hears of it.
      notice = { kind: 'link_refused', error: toErrorInfo(error) };
    }
    notices.push(notice);
    if (notices.length > MAX_QUEUED_NOTICES) notices.shift();
    return true;
  }

  const handlers: Partial<Record<ChannelName, Handler<ChannelName>>> = {
    ...(appHandlers({ engine, version: host.version, windows, notices }) as Record<string, Handler<ChannelName>>),
    ...(host.testChannels?.({ engine, windows, openLink }) as Record<string, Handler<ChannelName>> | undefined),
  };

  /** The window's caller; a call refused for want of a session is told to the engine, which watches for many. */
  function sessionCaller(connection: Connection): Caller {
    try {
      return windows.caller(connection);
    } catch (error) {
      if (isLatchkeyError(error, 'SESSION_EXPIRED')) engine.alerts.noteCallWithoutSession(connection.client);
      throw error;
    }
  }

  function authorise(name: ChannelName, connection: Connection): Caller | null {
    const { access } = contract[name];
    switch (access) {
      case 'none':
        return null;
      case 'test':
        if (host.testChannels === undefined) throw NOT_IN_TEST_MODE();
        return null;
      case 'session':
        return sessionCaller(connection);
      case 'admin': {
        const caller = sessionCaller(connection);
        requireAdmin(caller);
        return caller;
      }
    }
  }

  const answer = (connection: Connection, channel: unknown, rawInput: unknown): Promise<Result<unknown>> =>
    settle(async () => {
      if (typeof channel !== 'string' || !(CHANNEL_NAMES as readonly string[]).includes(channel)) {
        throw new LatchkeyError('INVALID_INPUT', 'Unknown channel.');
      }
      const name = channel as ChannelName;
      const parsed = contract[name].input.safeParse(rawInput ?? {});
      if (!parsed.success) {
        // Field paths and rules only: the offending values (perhaps a password) are never echoed.
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.code}`);
        throw new LatchkeyError('INVALID_INPUT', `The request for ${name} is not valid.`, { problems });
      }
      const caller = authorise(name, connection);
      const handler = handlers[name];
      if (handler === undefined) throw NOT_IN_TEST_MODE();
      // The contract ties each channel's access to its handler's caller type; one name at a time, the compiler cannot follow.
      return handler({ input: parsed.data, connection, caller: caller as never });
    });

  return {
    async route(connection, channel, rawInput) {
      const result = await answer(connection, channel, rawInput);
      // Whatever the call wrote to the audit log is anchored before the window hears back. A keychain
      // that fails here only weakens the anchor; the answer stands.
      await engine.audit.anchor().catch(() => undefined);
      return result;
    },
    lock: (connection) => windows.lock(connection),
    openLink,
    async release(connection) {
      windows.release(connection);
      await engine.audit.anchor();
    },
  };
}
