import type { ClientInfo } from '../../shared/client.js';
import {
  CHANNEL_NAMES,
  contract,
  type ActivityBucket,
  type ChannelName,
  type HostNotice,
  type LockReason,
  type OutputOf,
  type ParsedInputOf,
  type SignedInView,
} from '../../shared/contract.js';
import { LatchkeyError, isLatchkeyError, toErrorInfo } from '../../shared/errors.js';
import { settle, type Result } from '../../shared/result.js';
import { requireAdmin, type Caller } from '../engine/caller.js';
import { DAY, type ManualClock } from '../engine/clock.js';
import type { Engine } from '../engine/engine.js';
import type { SignedIn } from '../engine/auth/sign-in.js';
import type { StartedSession } from '../engine/sessions/sessions.js';
import { normaliseUsername } from '../engine/accounts/usernames.js';
import { tokenOfVerificationLink } from '../engine/email/verification-link.js';
import { HostKeychain } from '../secrets/host-keychain.js';

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

export interface RouterHost {
  readonly engine: Engine;
  readonly version: string;
  /** Which host this is; also scopes the "stay signed in" token in the keychain. */
  readonly kind: ClientInfo['host'];
  /** The OS user the host runs as; scopes the tokens it keeps in the keychain. */
  readonly osUser: string | null;
  /** Present only in the browser host's test mode: lets a test move time. */
  readonly testClock?: ManualClock;
}

interface HandlerContext<C extends ChannelName> {
  readonly input: ParsedInputOf<C>;
  readonly connection: Connection;
  /** The validated caller; present for every channel whose access is not `none`. */
  readonly caller: Caller;
}

type Handlers = { [C in ChannelName]: (ctx: HandlerContext<C>) => Promise<OutputOf<C>> | OutputOf<C> };

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

/**
 * The contract's one router, shared by Electron's IPC and the browser host's WebSocket. Every call:
 * known channel → input valid against its schema → live session and role → engine → envelope.
 */
export function createRouter(host: RouterHost): Router {
  const { engine } = host;
  const keychain = new HostKeychain(engine.secrets, engine.vaultId, host.osUser);
  const refreshToken = keychain.entry('refresh', host.kind);
  const notices: HostNotice[] = [];
  const keepRefreshToken = async (token: string | null): Promise<void> => {
    if (token === null) await refreshToken.delete();
    else await refreshToken.set(token);
  };

  async function signedIn(connection: Connection, started: StartedSession | SignedIn): Promise<SignedInView> {
    connection.token = started.token;
    connection.lockedUsername = null;
    connection.lockReason = null;
    if (started.refreshToken !== null) await keepRefreshToken(started.refreshToken);
    const caller = engine.sessions.validate(started.token);
    connection.username = caller.username;
    const extra = 'deviceToken' in started ? started : null;
    if (extra?.deviceToken != null) await keychain.entry('device', caller.username).set(extra.deviceToken);
    return {
      session: started.session,
      account: engine.accounts.show(caller, caller.username),
      notices: started.notices,
      backupCodesLeft: extra?.backupCodesLeft ?? null,
      backupCodes: extra?.backupCodes ?? null,
    };
  }

  /** "Stay signed in": a window without a session tries the refresh token the keychain holds. */
  async function resume(connection: Connection): Promise<void> {
    if (connection.token !== null || connection.lockedUsername !== null) return;
    const refresh = await refreshToken.get();
    if (refresh === null) return;
    try {
      await signedIn(connection, engine.sessions.refresh(refresh, connection.client));
    } catch (error) {
      if (!isLatchkeyError(error)) throw error;
      await keepRefreshToken(null);
    }
  }

  function currentView(connection: Connection): SignedInView | null {
    if (connection.token === null) return null;
    try {
      const caller = engine.sessions.validate(connection.token);
      return {
        session: engine.sessions.current(caller),
        account: engine.accounts.show(caller, caller.username),
        notices: [],
        backupCodesLeft: null,
        backupCodes: null,
      };
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_EXPIRED') {
        expired(connection, error);
        return null;
      }
      throw error;
    }
  }

  /** The session ended under this window: idle or absolute timeout, or revoked elsewhere. */
  function expired(connection: Connection, error: LatchkeyError): void {
    connection.lockedUsername = connection.username;
    // SESSION_EXPIRED says why the session ended: an idle timeout (now, or noticed earlier by cleanup) reads as a lock.
    connection.lockReason = connection.username === null ? null : error.details?.['reason'] === 'idle_timeout' ? 'idle' : 'ended';
    connection.token = null;
    connection.username = null;
  }

  async function endHere(connection: Connection, caller: Caller): Promise<void> {
    engine.signIn.signOut(caller);
    connection.token = null;
    connection.username = null;
    await keepRefreshToken(null);
  }

  const handlers: Handlers = {
    'app.status': async ({ connection }) => {
      await resume(connection);
      const policy = engine.policy.current();
      return {
        version: host.version,
        initialised: engine.accounts.isInitialised(),
        vaultPath: engine.vaultPath,
        signedIn: currentView(connection),
        lockedUsername: connection.lockedUsername,
        lockReason: connection.lockReason,
        idleLockMinutes: policy['session.idleTimeoutMinutes'],
        offers: { staySignedInDays: policy['session.rememberDays'], trustDeviceDays: policy['mfa.trustDeviceDays'] },
      };
    },
    'app.peek': ({ connection }) => {
      if (connection.token !== null) {
        try {
          engine.sessions.validate(connection.token, { touch: false });
          return { state: 'signed_in', lockedUsername: null, reason: null };
        } catch (error) {
          if (!isLatchkeyError(error) || error.code !== 'SESSION_EXPIRED') throw error;
          expired(connection, error);
        }
      }
      const { lockedUsername, lockReason } = connection;
      return { state: lockedUsername === null ? 'signed_out' : 'locked', lockedUsername, reason: lockReason };
    },
    'app.notices': () => notices.splice(0),
    'setup.createAdmin': ({ input }) => engine.accounts.initialise({ username: input.username, password: input.password, email: input.email ?? null }),

    'auth.signIn': async ({ input, connection }) => {
      const deviceToken = await keychain.entry('device', normaliseUsername(input.username)).get();
      const started = await engine.signIn.withPassword({
        username: input.username,
        password: input.password,
        client: connection.client,
        staySignedIn: input.staySignedIn,
        deviceToken,
      });
      return signedIn(connection, started);
    },
    'auth.answerChallenge': ({ input, connection }) =>
      signedIn(connection, engine.signIn.answer({ challengeId: input.challengeId, factor: input.factor, code: input.code, trustDevice: input.trustDevice })),
    'auth.beginEnrollment': ({ input }) => engine.signIn.beginEnrollment(input.challengeId),
    'auth.confirmEnrollment': ({ input, connection }) =>
      signedIn(connection, engine.signIn.confirmEnrollment(input.challengeId, input.code, { trustDevice: input.trustDevice })),
    'auth.signOut': async ({ connection, caller }) => {
      await endHere(connection, caller);
      connection.lockedUsername = null;
      connection.lockReason = null;
      return null;
    },
    'auth.lock': async ({ connection, caller }) => {
      await lockWith(connection, caller);
      return null;
    },

    'sessions.list': ({ input, caller }) =>
      engine.sessions.list(caller, { allAccounts: input.allAccounts, ...(input.accountId === undefined ? {} : { accountId: input.accountId }) }),
    'sessions.revoke': ({ input, caller, connection }) => {
      const ended = engine.sessions.revoke(caller, input.sessionId);
      if (ended.id === caller.sessionId) {
        connection.token = null;
        connection.username = null;
      }
      return ended;
    },
    'sessions.revokeOthers': ({ caller }) => engine.sessions.revokeOthers(caller),

    'mfa.status': ({ caller }) => engine.mfa.status(caller),
    'mfa.beginTotp': ({ caller }) => engine.mfa.beginTotp(caller),
    'mfa.confirmTotp': ({ input, caller }) => engine.mfa.confirmTotp(caller, input.code),
    'mfa.disable': async ({ input, caller }) => {
      await engine.mfa.disableTotp(caller, input.password, { factor: input.factor, code: input.code });
      return null;
    },
    'mfa.regenerateBackupCodes': ({ input, caller }) => engine.mfa.regenerateBackupCodes(caller, input.password),
    'devices.list': ({ caller }) => engine.trustedDevices.list(caller),
    'devices.revoke': ({ input, caller }) => {
      engine.trustedDevices.revoke(caller, input.deviceId);
      return null;
    },

    'account.changePassword': async ({ input, caller }) => {
      await engine.accounts.changeOwnPassword(caller, input.currentPassword, input.newPassword);
      return null;
    },
    'audit.mine': ({ input, caller }) => engine.audit.list({ accountId: caller.accountId, limit: input.limit }),

    'admin.accounts.list': ({ caller }) => engine.accounts.list(caller),
    'admin.accounts.create': ({ input, caller }) =>
      engine.accounts.add(caller, { username: input.username, password: input.password, email: input.email ?? null, role: input.role }),
    'admin.accounts.setStatus': ({ input, caller }) =>
      input.status === 'active' ? engine.accounts.enable(caller, input.username) : engine.accounts.disable(caller, input.username),
    'admin.accounts.unlock': ({ input, caller }) => engine.accounts.unlock(caller, input.username),
    'admin.accounts.resetMfa': ({ input, caller }) => {
      engine.mfa.reset(caller, input.username);
      return null;
    },
    'admin.accounts.resetPassword': async ({ input, caller }) => {
      await engine.accounts.resetPassword(caller, input.username, input.newPassword);
      return null;
    },
    'admin.accounts.delete': ({ input, caller }) => {
      engine.accounts.delete(caller, input.username);
      return null;
    },
    'admin.sessions.revokeAccount': ({ input, caller }) => engine.sessions.revokeAccount(caller, input.accountId),
    'admin.policy.get': () => engine.policy.describe(),
    'admin.policy.set': ({ input, caller }) => engine.policy.set(caller, input.key, input.value),
    'admin.audit.list': ({ input }) =>
      engine.audit.list({
        limit: input.limit,
        ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
        ...(input.type === undefined ? {} : { type: input.type }),
        ...(input.since === undefined ? {} : { since: input.since }),
      }),
    'admin.audit.verify': () => engine.audit.verify(),
    'admin.audit.export': () => {
      const lines: string[] = [];
      for (const event of engine.audit.all()) lines.push(JSON.stringify(event));
      return { jsonl: lines.length === 0 ? '' : `${lines.join('\n')}\n`, events: lines.length };
    },
    'admin.audit.activity': ({ input }) => activity(engine, input.days, engine.clock.now()),

    'test.openLink': ({ input }) => {
      openLink(input.link);
      return null;
    },
    'test.issueVerificationLink': ({ input, connection }) => {
      // As a real request would be, this is made by the signed-in person, for themselves or (an admin) for anyone.
      if (connection.token === null) throw new LatchkeyError('SESSION_EXPIRED', 'You are not signed in.');
      const { link } = engine.emailVerification.issue(engine.sessions.validate(connection.token), input.username);
      return { link };
    },
    'test.advanceClock': ({ input }) => {
      if (host.testClock === undefined) throw new LatchkeyError('NOT_AUTHORISED', 'This channel exists only in the browser host\'s test mode.');
      host.testClock.advance(input.ms);
      return { now: host.testClock.now() };
    },
  };

  async function lockWith(connection: Connection, caller: Caller): Promise<void> {
    await endHere(connection, caller);
    connection.lockedUsername = caller.username;
    connection.lockReason = 'idle';
  }

  async function lock(connection: Connection): Promise<void> {
    if (connection.token === null) return;
    try {
      await lockWith(connection, engine.sessions.validate(connection.token, { touch: false }));
    } catch (error) {
      if (!isLatchkeyError(error) || error.code !== 'SESSION_EXPIRED') throw error;
      expired(connection, error);
    }
  }

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

  const route = async (connection: Connection, channel: unknown, rawInput: unknown): Promise<Result<unknown>> => {
    const result = await answer(connection, channel, rawInput);
    // Whatever the call wrote to the audit log is anchored before the window hears back. A keychain
    // that fails here only weakens the anchor; the answer stands.
    await engine.audit.anchor().catch(() => undefined);
    return result;
  };

  const answer = (connection: Connection, channel: unknown, rawInput: unknown): Promise<Result<unknown>> =>
    settle(async () => {
      if (typeof channel !== 'string' || !(CHANNEL_NAMES as readonly string[]).includes(channel)) {
        throw new LatchkeyError('INVALID_INPUT', 'Unknown channel.');
      }
      const name = channel as ChannelName;
      const definition = contract[name];
      const parsed = definition.input.safeParse(rawInput ?? {});
      if (!parsed.success) {
        // Field paths and rules only: the offending values (perhaps a password) are never echoed.
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.code}`);
        throw new LatchkeyError('INVALID_INPUT', `The request for ${name} is not valid.`, { problems });
      }
      const caller = authorise(definition.access, connection);
      const handler = handlers[name] as (ctx: HandlerContext<ChannelName>) => unknown;
      return handler({ input: parsed.data as ParsedInputOf<ChannelName>, connection, caller: caller as Caller });
    });

  async function release(connection: Connection): Promise<void> {
    const { token } = connection;
    connection.token = null;
    connection.username = null;
    if (token === null) return;
    engine.sessions.closeWithWindow(token);
    await engine.audit.anchor();
  }

  return { route, lock, openLink, release };

  function authorise(access: string, connection: Connection): Caller | null {
    if (access === 'none') return null;
    if (access === 'test') {
      if (host.testClock === undefined) throw new LatchkeyError('NOT_AUTHORISED', 'This channel exists only in the browser host\'s test mode.');
      return null;
    }
    if (connection.token === null) throw new LatchkeyError('SESSION_EXPIRED', 'You are not signed in.');
    let caller: Caller;
    try {
      caller = engine.sessions.validate(connection.token);
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_EXPIRED') expired(connection, error);
      throw error;
    }
    if (access === 'admin') requireAdmin(caller);
    return caller;
  }
}

/** Sign-ins and failures per day, for the admin's activity chart. */
function activity(engine: Engine, days: number, now: number): ActivityBucket[] {
  const startOfToday = Math.floor(now / DAY) * DAY;
  const since = startOfToday - (days - 1) * DAY;
  const buckets = Array.from({ length: days }, (_, i) => ({ start: since + i * DAY, signIns: 0, failures: 0 }));
  for (const event of engine.audit.list({ type: 'signin', since, limit: 10_000 })) {
    const bucket = buckets[Math.floor((event.at - since) / DAY)];
    if (bucket === undefined) continue;
    if (event.type === 'signin.succeeded') bucket.signIns += 1;
    else if (event.type === 'signin.failed') bucket.failures += 1;
  }
  return buckets;
}
