import type { AccessOf, ChannelName, HostNotice, OutputOf, ParsedInputOf, PromptDelivery, TestChannelName } from '../../shared/contract.js';
import { tokenOfVerificationLink, type Caller, type Engine } from '../engine/index.js';
import { normaliseUsername } from '../../shared/fields.js';
import type { Connection } from './connection.js';
import type { WindowSessions } from './window-session.js';
import { signInWithKeptDevice } from '../host/kept-device.js';

/** A `session` or `admin` channel's handler gets the validated caller; the others get none. */
export type CallerFor<C extends ChannelName> = AccessOf<C> extends 'session' | 'admin' ? Caller : null;

export interface HandlerContext<C extends ChannelName> {
  readonly input: ParsedInputOf<C>;
  readonly connection: Connection;
  readonly caller: CallerFor<C>;
}

export type Handler<C extends ChannelName> = (ctx: HandlerContext<C>) => Promise<OutputOf<C>> | OutputOf<C>;

/** Every channel that every host answers. */
export type AppHandlers = { [C in Exclude<ChannelName, TestChannelName>]: Handler<C> };
/** The `test` channels, which only the browser host's test mode registers. */
export type TestHandlers = { [C in TestChannelName]: Handler<C> };

export interface HandlerHost {
  readonly engine: Engine;
  readonly version: string;
  readonly windows: WindowSessions;
  /** Notices waiting for the window's next `app.notices` (the outcome of a `latchkey://` link). */
  readonly notices: HostNotice[];
}

/** Each channel's work: the engine decides, the handler only passes the caller and input on and keeps the window in step. */
export function appHandlers({ engine, version, windows, notices }: HandlerHost): AppHandlers {
  return {
    'app.status': async ({ connection }) => {
      await windows.resume(connection);
      const facts = engine.policy.signInFacts();
      return {
        version,
        initialised: engine.accounts.isInitialised(),
        vaultPath: engine.vaultPath,
        signedIn: windows.currentView(connection),
        lockedUsername: connection.lockedUsername,
        lockReason: connection.lockReason,
        idleLockMinutes: facts.idleLockMinutes,
        offers: { staySignedInDays: facts.staySignedInDays, trustDeviceDays: facts.trustDeviceDays },
        clockSkew: engine.clockSkew(),
      };
    },
    'app.peek': ({ connection }) => {
      if (windows.peek(connection)) return { state: 'signed_in', lockedUsername: null, reason: null };
      const { lockedUsername, lockReason } = connection;
      return { state: lockedUsername === null ? 'signed_out' : 'locked', lockedUsername, reason: lockReason };
    },
    'app.notices': () => notices.splice(0),
    'setup.createAdmin': async ({ input }) => {
      const account = await engine.accounts.initialise({ username: input.username, password: input.password, email: input.email ?? null });
      // An address is mailed its verification link; it goes now if it can, or waits for the timer.
      await engine.delivery.sendQueuedHere();
      return account;
    },

    'auth.signIn': async ({ input, connection }) => {
      const started = await signInWithKeptDevice(engine, windows.deviceToken(normaliseUsername(input.username)), {
        username: input.username,
        password: input.password,
        client: connection.client,
        staySignedIn: input.staySignedIn,
      });
      return windows.signedIn(connection, started);
    },
    'auth.answerChallenge': ({ input, connection }) =>
      windows.signedIn(
        connection,
        engine.signIn.answer({ challengeId: input.challengeId, factor: input.factor, code: input.code, trustDevice: input.trustDevice }),
      ),
    'auth.beginEnrollment': ({ input }) => engine.signIn.beginEnrollment(input.challengeId),
    'auth.confirmEnrollment': ({ input, connection }) =>
      windows.signedIn(connection, engine.signIn.confirmEnrollment(input.challengeId, input.code, { trustDevice: input.trustDevice })),
    'auth.sendCode': ({ input }) => engine.signIn.sendCode(input.challengeId, input.channel),
    'auth.signOut': async ({ connection, caller }) => {
      await windows.signOut(connection, caller);
      return null;
    },
    'auth.lock': async ({ connection, caller }) => {
      await windows.lockWith(connection, caller);
      return null;
    },

    'sessions.list': ({ input, caller }) =>
      engine.sessions.list(caller, {
        allAccounts: input.allAccounts,
        ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
      }),
    'sessions.revoke': ({ input, caller, connection }) => {
      const ended = engine.sessions.revoke(caller, input.sessionId);
      if (ended.id === caller.sessionId) windows.forget(connection);
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
    'audit.mine': ({ input, caller }) => engine.audit.list(caller, { accountId: caller.accountId, limit: input.limit }).events,

    'phone.get': ({ caller }) => engine.phones.view(caller),
    'phone.add': ({ input, caller }) => engine.phones.add(caller, input.phone, input.currentPassword),
    'phone.resend': ({ caller }) => engine.phones.resend(caller),
    'phone.verify': ({ input, caller }) => engine.phones.verify(caller, input.code),
    'phone.remove': ({ caller }) => {
      engine.phones.remove(caller);
      return null;
    },

    'email.sendVerification': async ({ input, caller }) => {
      const username = input.username ?? caller.username;
      const sent = engine.emailVerification.send(caller, username);
      return { username, expiresAt: sent.expiresAt, delivery: promptDelivery(await engine.delivery.sendQueuedHere()) };
    },
    'email.confirmToken': ({ input }) => engine.emailVerification.confirm(tokenOfVerificationLink(input.token) ?? input.token),

    'admin.accounts.list': ({ caller }) => engine.accounts.list(caller),
    'admin.accounts.create': async ({ input, caller }) => {
      const account = await engine.accounts.add(caller, {
        username: input.username,
        password: input.password,
        email: input.email ?? null,
        role: input.role,
      });
      await engine.delivery.sendQueuedHere();
      return account;
    },
    'admin.accounts.setStatus': ({ input, caller }) =>
      input.status === 'active' ? engine.accounts.enable(caller, input.username) : engine.accounts.disable(caller, input.username),
    'admin.accounts.unlock': ({ input, caller }) => engine.accounts.unlock(caller, input.username),
    'admin.accounts.setRole': ({ input, caller }) => engine.accounts.setRole(caller, input.username, input.role),
    'admin.accounts.setEmail': async ({ input, caller }) => {
      const account = await engine.accounts.setEmail(caller, input.username, input.email, input.currentPassword);
      await engine.delivery.sendQueuedHere();
      return account;
    },
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
    'admin.policy.get': ({ caller }) => engine.policy.describe(caller),
    'admin.policy.set': ({ input, caller }) => engine.policy.set(caller, input.key, input.value),
    'admin.policy.setMany': ({ input, caller }) => engine.policy.setMany(caller, input.changes),
    'admin.audit.list': ({ input, caller }) =>
      engine.audit.list(caller, {
        limit: input.limit,
        ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
        ...(input.type === undefined ? {} : { type: input.type }),
        ...(input.since === undefined ? {} : { since: input.since }),
      }).events,
    'admin.audit.verify': ({ caller }) => engine.audit.verify(caller),
    'admin.audit.export': ({ caller }) => {
      const lines = [...engine.audit.exportLines(caller)];
      return { jsonl: lines.join(''), events: lines.length };
    },
    'admin.audit.activity': ({ input, caller }) => engine.audit.activity(caller, input.days),

    'admin.alerts.list': ({ input, caller }) => engine.alerts.list(caller, { unresolvedOnly: input.unresolvedOnly, limit: input.limit }),
    'admin.alerts.acknowledge': ({ input, caller }) => engine.alerts.acknowledge(caller, input.alertId, input.note),
    'admin.alerts.resolve': ({ input, caller }) => engine.alerts.resolve(caller, input.alertId, input.note),
    'admin.security.report': ({ input, caller }) => engine.reports.report(caller, input.periodDays),

    'admin.delivery.status': ({ caller }) => engine.delivery.status(caller),
    'admin.delivery.list': ({ input, caller }) =>
      engine.delivery.list(caller, { limit: input.limit, ...(input.state === undefined ? {} : { state: input.state }) }),
    'admin.delivery.retry': ({ input, caller }) => engine.delivery.retry(caller, input.messageId),
    'admin.delivery.cancel': ({ input, caller }) => engine.delivery.cancel(caller, input.messageId),
    'admin.delivery.sendTest': ({ input, caller }) => engine.delivery.sendTest(caller, input.channel, input.to),
    'admin.delivery.setSetting': ({ input, caller }) => engine.delivery.settings.set(caller, input.key, input.value),
    'admin.delivery.unsetSetting': async ({ input, caller }) => {
      await engine.delivery.settings.unset(caller, input.key);
      return null;
    },
    'admin.delivery.setSecret': async ({ input, caller }) => {
      await engine.delivery.settings.setSecret(caller, input.key, input.secret);
      return null;
    },
  };
}

type DeliveryReport = Awaited<ReturnType<Engine['delivery']['sendQueuedHere']>>;

/**
 * The prompt attempt's report, read for the one message just queued. It covers every message this
 * process queued that was due, the new one among them, so only an outcome they all share is surely its own.
 */
function promptDelivery(report: DeliveryReport): PromptDelivery {
  const outcomes: [PromptDelivery, number][] = [
    ['sent', report.sent],
    ['will_retry', report.failed],
    ['refused', report.abandoned],
    ['not_configured', report.waiting],
  ];
  const seen = outcomes.filter(([, count]) => count > 0);
  return seen.length === 1 && seen[0] !== undefined ? seen[0][0] : 'queued';
}
