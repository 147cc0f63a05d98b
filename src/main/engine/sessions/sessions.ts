import type { ClientInfo } from '../../../shared/client.js';
import { LatchkeyError } from '../../../shared/errors.js';
import type { AccountNotice } from '../../../shared/notices.js';
import type { Assurance, SessionEndReason, SessionView } from '../../../shared/views.js';
import type { AccountRow } from '../../store/accounts.js';
import type { SessionRow } from '../../store/sessions.js';
import { UnchangedCache } from '../../store/unchanged-cache.js';
import { type Caller, partyOf, requireAdmin, requireSelfOrAdmin } from '../caller.js';
import { DAY, HOUR, MINUTE, SECOND } from '../clock.js';
import { accountParty } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import type { Change } from '../write-path.js';
import { constantTimeEqual, hashToken, newId, newToken } from '../crypto/random.js';
import { signInNeedsSecondFactor } from '../mfa/second-factor-rule.js';
import { revokedUseToRecord } from '../monitoring/rules.js';
import type { Policy } from '../policy/policy-keys.js';

/** Last activity is written at most this often: validation is a read, not a write, on most calls. */
export const TOUCH_INTERVAL = MINUTE;

export interface StartedSession {
  readonly session: SessionView;
  /** The bearer secret; the host keeps it (keychain or memory) and never shows it. */
  readonly token: string;
  /** Present when "stay signed in" was asked for and policy allows it. */
  readonly refreshToken: string | null;
  /** Things the account holder must be told now, once (e.g. an admin reset their second factor). */
  readonly notices: readonly AccountNotice[];
  /** Who the new session speaks for, as `validate` would answer for its token now. */
  readonly caller: Caller;
}

interface NewSession {
  readonly account: AccountRow;
  readonly client: ClientInfo;
  readonly assurance: Assurance;
  readonly staySignedIn: boolean;
}

const SESSION_ENDED = 'Your session has ended. Sign in again.';

/** What validation reads for a token: its session, the session's account and the policy, each as checked when read. */
interface ValidationFacts {
  readonly row: SessionRow;
  readonly account: AccountRow | undefined;
  readonly policy: Policy;
}

/** Validations kept per token while the vault is unchanged; a host holds a handful of tokens, a server a few hundred. */
const VALIDATIONS_KEPT = 1024;

export class SessionService {
  readonly #ctx: EngineContext;
  readonly #policy: () => Policy;
  /**
   * A session is validated on every call a window or command makes, nearly always while nothing was
   * written: one look at the vault's version then answers for the session, its account and the
   * policy together, where reading them costs three statements and three seals. Any commit, by this
   * process or another, empties it; the deadlines are still checked on every call.
   */
  readonly #validations: UnchangedCache<string, ValidationFacts | undefined>;

  constructor(ctx: EngineContext, policy: () => Policy) {
    this.#ctx = ctx;
    this.#policy = policy;
    this.#validations = new UnchangedCache(ctx.vaultVersion, VALIDATIONS_KEPT);
  }

  /**
   * Starts a session, in the change that also holds the sign-in's own audit event. Enforces the
   * per-account limit first.
   */
  start(tx: Change, request: NewSession, family: { id: string; expiresAt: number } | null = null): StartedSession {
    const { account, client, assurance } = request;
    const now = this.#ctx.clock.now();
    const policy = this.#policy();
    this.#makeRoom(tx, account, policy);

    let familyId = family?.id ?? null;
    let refreshToken: string | null = null;
    let familyCap = family?.expiresAt ?? Number.POSITIVE_INFINITY;
    if (family === null && request.staySignedIn && policy['session.rememberDays'] > 0) {
      familyId = newId('fam');
      familyCap = now + policy['session.rememberDays'] * DAY;
      tx.repos.sessions.insertFamily({
        id: familyId,
        account_id: account.id,
        assurance,
        created_at: now,
        expires_at: familyCap,
        revoked_at: null,
        revoke_reason: null,
      });
    }
    if (familyId !== null) refreshToken = this.#issueRefreshToken(tx, familyId, familyCap);

    const token = newToken();
    const row: SessionRow = {
      id: newId('sess'),
      account_id: account.id,
      token_hash: hashToken(token),
      family_id: familyId,
      assurance,
      host: client.host,
      device_name: client.deviceName,
      os_user: client.osUser,
      ip: client.ip,
      user_agent: client.userAgent,
      created_at: now,
      last_active_at: now,
      // NIST AAL2: an absolute cap; a remembered family never outlives its own cap either.
      expires_at: Math.min(now + policy['session.absoluteTimeoutHours'] * HOUR, familyCap),
      active: 1,
      ended_at: null,
      end_reason: null,
    };
    tx.repos.sessions.insert(row);
    tx.audit({
      type: 'session.created',
      outcome: 'success',
      actor: accountParty(account),
      target: accountParty(account),
      sessionId: row.id,
      device: client.deviceName,
      details: { assurance, host: client.host, staySignedIn: familyId !== null },
    });
    // A stored notice this version does not know never gets here: its row is refused where it is read.
    const notices = account.notice === null ? [] : [account.notice];
    if (account.notice !== null) tx.repos.accounts.setNotice(account.id, null);
    const caller: Caller = {
      sessionId: row.id,
      accountId: account.id,
      username: account.username,
      role: account.role,
      deviceName: row.device_name,
    };
    return { session: this.#view(row, account.username, policy), token, refreshToken, notices, caller };
  }

  /**
   * Checks a bearer token on every use: active, within the idle and the absolute deadline,
   * and its account still enabled. An expired session is ended and audited here. A call made on
   * the holder's behalf (`touch: true`, the default) counts as activity; a host's own check does not.
   */
  validate(token: string, options: { touch?: boolean } = {}): Caller {
    const hash = hashToken(token);
    const facts = this.#validations.get(hash.toString('latin1'), () => this.#validationFacts(hash));
    // The look-up is by SHA-256 of the token, so its timing says nothing about the token itself;
    // the explicit compare is a second guard should the look-up ever change.
    if (facts === undefined || !constantTimeEqual(facts.row.token_hash, hash)) {
      throw new LatchkeyError('SESSION_EXPIRED', SESSION_ENDED);
    }
    const { row, account, policy } = facts;
    // Already ended (by another path before this holder came back): say why, so an idle lock
    // still reads as one while the row is kept.
    if (row.active !== 1) {
      if (row.end_reason === 'revoked' || row.end_reason === 'revoked_by_admin') this.#revokedUsed(row, policy);
      throw new LatchkeyError('SESSION_EXPIRED', SESSION_ENDED, { reason: row.end_reason ?? 'ended' });
    }
    const now = this.#ctx.clock.now();
    const timeout = this.#timeoutReason(row, now, policy);
    if (timeout !== null) {
      this.#ctx.change((tx) => this.#endAlone(tx, row, timeout, now));
      throw new LatchkeyError('SESSION_EXPIRED', SESSION_ENDED, { reason: timeout });
    }
    if (account === undefined || account.status !== 'active') {
      throw new LatchkeyError('SESSION_EXPIRED', SESSION_ENDED);
    }
    if (options.touch !== false && now - row.last_active_at >= TOUCH_INTERVAL)
      this.#ctx.change((tx) => tx.repos.sessions.touch(row.id, now));
    return {
      sessionId: row.id,
      accountId: account.id,
      username: account.username,
      role: account.role,
      deviceName: row.device_name,
    };
  }

  /**
   * A revoked session was presented: audited when it is its first refusal or a use after the grace,
   * which the monitoring rules read. Decided again inside the transaction, as another process may
   * have just recorded the same use; most refusals read one index and write nothing.
   */
  #revokedUsed(row: SessionRow, policy: Policy): void {
    const now = this.#ctx.clock.now();
    const grace = policy['monitor.revokedSessionGraceSeconds'] * SECOND;
    if (revokedUseToRecord(this.#ctx.repos.monitorHits, row.id, now, grace) === null) return;
    this.#ctx.change((tx) => {
      const use = revokedUseToRecord(tx.repos.monitorHits, row.id, now, grace);
      if (use === null) return;
      tx.audit({
        type: 'session.revoked_used',
        outcome: 'denied',
        target: { id: row.account_id, name: tx.repos.accounts.byId(row.account_id)?.username ?? row.account_id },
        sessionId: row.id,
        device: row.device_name,
        reason: use,
        details: { revokedAt: row.ended_at },
      });
    });
  }

  #validationFacts(hash: Buffer): ValidationFacts | undefined {
    const row = this.#ctx.repos.sessions.byTokenHash(hash);
    if (row === undefined) return undefined;
    // An ended session needs neither: it is refused for its own reason.
    const account = row.active === 1 ? this.#ctx.repos.accounts.byId(row.account_id) : undefined;
    return { row, account, policy: this.#policy() };
  }

  /** The caller's own session, as the dashboard shows it. */
  current(caller: Caller): SessionView {
    const row = this.#ctx.repos.sessions.byId(caller.sessionId);
    if (row === undefined) throw new LatchkeyError('SESSION_EXPIRED', SESSION_ENDED);
    return this.#view(row, caller.username, this.#policy());
  }

  /** Own sessions; an admin may name another account or ask for every account's. */
  list(caller: Caller, options: { accountId?: string; allAccounts?: boolean; includeEnded?: boolean } = {}): SessionView[] {
    if (options.allAccounts === true) requireAdmin(caller);
    const accountId = options.allAccounts === true ? undefined : (options.accountId ?? caller.accountId);
    if (accountId !== undefined) requireSelfOrAdmin(caller, accountId);
    const policy = this.#policy();
    const now = this.#ctx.clock.now();
    const names = new Map<string, string>();
    const nameOf = (id: string): string => {
      if (!names.has(id)) names.set(id, this.#ctx.repos.accounts.byId(id)?.username ?? id);
      return names.get(id) ?? id;
    };
    return this.#ctx.repos.sessions
      .list({ includeEnded: options.includeEnded === true, ...(accountId === undefined ? {} : { accountId }) })
      .filter((row) => options.includeEnded === true || this.#timeoutReason(row, now, policy) === null)
      .map((row) => this.#view(row, nameOf(row.account_id), policy));
  }

  /** Ends one session: the caller's own, or anyone's for an admin. */
  revoke(caller: Caller, sessionId: string): SessionView {
    const row = this.#ctx.repos.sessions.byId(sessionId);
    if (row === undefined || (caller.role !== 'admin' && row.account_id !== caller.accountId)) {
      throw new LatchkeyError('NOT_FOUND', `No session ${sessionId} that you may end.`);
    }
    const byAdmin = row.account_id !== caller.accountId;
    this.#ctx.change((tx) => this.endSession(tx, row, byAdmin ? 'revoked_by_admin' : 'revoked', caller));
    const ended = this.#ctx.repos.sessions.byId(sessionId) ?? row;
    return this.#view(ended, this.#ctx.repos.accounts.byId(row.account_id)?.username ?? row.account_id, this.#policy());
  }

  /** "Sign out everywhere else." */
  revokeOthers(caller: Caller): number {
    return this.#ctx.change((tx) => this.endAllForAccount(tx, caller.accountId, 'revoked', caller, caller.sessionId));
  }

  /** An admin ends every session of an account. */
  revokeAccount(caller: Caller, accountId: string): number {
    requireAdmin(caller);
    // An id from a list that went stale (the account was deleted meanwhile) is not "no sessions".
    if (this.#ctx.repos.accounts.byId(accountId) === undefined) throw new LatchkeyError('NOT_FOUND', 'There is no such account.');
    const reason: SessionEndReason = accountId === caller.accountId ? 'revoked' : 'revoked_by_admin';
    return this.#ctx.change((tx) => this.endAllForAccount(tx, accountId, reason, caller));
  }

  signOut(caller: Caller): void {
    const row = this.#ctx.repos.sessions.byId(caller.sessionId);
    if (row === undefined) return;
    this.#ctx.change((tx) => {
      this.endSession(tx, row, 'signed_out', caller);
      if (row.family_id !== null) tx.repos.sessions.revokeFamily(row.family_id, this.#ctx.clock.now(), 'signed_out');
    });
  }

  /**
   * The window or browser page that held this session is gone, and the token went with it: the
   * session ends now instead of counting against the account's limit until it idles out. A "stay
   * signed in" family lives on, so the next launch restores from it.
   */
  closeWithWindow(token: string): void {
    const row = this.#ctx.repos.sessions.byTokenHash(hashToken(token));
    if (row === undefined || row.active !== 1) return;
    this.#ctx.change((tx) => this.#endAlone(tx, row, 'window_closed', this.#ctx.clock.now()));
  }

  /**
   * "Stay signed in": trades a refresh token for a new session and a new refresh token (RFC 9700 §4.14).
   * A token that was already traded is a sign of theft: the whole family ends.
   */
  refresh(refreshToken: string, client: ClientInfo): StartedSession {
    const hash = hashToken(refreshToken);
    const now = this.#ctx.clock.now();
    const invalid = (): LatchkeyError =>
      new LatchkeyError('REFRESH_TOKEN_INVALID', 'This device is no longer signed in. Sign in with your password.');
    const token = this.#ctx.repos.sessions.refreshToken(hash);
    if (token === undefined) throw invalid();
    const family = this.#ctx.repos.sessions.family(token.family_id);
    const account = family === undefined ? undefined : this.#ctx.repos.accounts.byId(family.account_id);
    if (family === undefined || account === undefined) throw invalid();

    const outcome = this.#ctx.change((tx): StartedSession | 'reused' | 'dead' | 'disabled' => {
      if (token.used_at !== null || !tx.repos.sessions.spendRefreshToken(hash, now)) {
        if (family.revoked_at === null) this.#endFamily(tx, family.id, account, 'refresh_reuse', client.deviceName);
        return 'reused';
      }
      if (family.revoked_at !== null || family.expires_at <= now || token.expires_at <= now) return 'dead';
      if (account.status !== 'active') return 'disabled';
      // Remembered before a second factor was set up or required: only a sign-in with it may go on.
      if (family.assurance === 'password' && signInNeedsSecondFactor(this.#policy(), account)) return 'dead';
      for (const old of this.#ctx.repos.sessions.activeInFamily(family.id)) {
        tx.repos.sessions.end(old.id, now, 'refreshed');
      }
      const started = this.start(
        tx,
        { account, client, assurance: family.assurance, staySignedIn: true },
        { id: family.id, expiresAt: family.expires_at },
      );
      tx.audit({
        type: 'session.refreshed',
        outcome: 'success',
        actor: accountParty(account),
        target: accountParty(account),
        sessionId: started.session.id,
        device: client.deviceName,
      });
      return started;
    });
    if (outcome === 'disabled') throw new LatchkeyError('ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator.');
    if (typeof outcome === 'string') throw invalid();
    return outcome;
  }

  /** Returns how many sessions ended. */
  endAllForAccount(tx: Change, accountId: string, reason: SessionEndReason, by: Caller | null, exceptSessionId?: string): number {
    let ended = 0;
    for (const row of this.#ctx.repos.sessions.activeForAccount(accountId)) {
      if (row.id === exceptSessionId) continue;
      if (this.endSession(tx, row, reason, by)) ended += 1;
    }
    return ended;
  }

  /** Ends a session, its "stay signed in" family, and records why. */
  endSession(tx: Change, row: SessionRow, reason: SessionEndReason, by: Caller | null): boolean {
    const now = this.#ctx.clock.now();
    if (!tx.repos.sessions.end(row.id, now, reason)) return false;
    if (row.family_id !== null) tx.repos.sessions.revokeFamily(row.family_id, now, reason);
    const owner = this.#ctx.repos.accounts.byId(row.account_id);
    tx.audit({
      type: reason === 'evicted' ? 'session.evicted' : reason === 'signed_out' ? 'signout' : 'session.revoked',
      outcome: 'success',
      actor: by === null ? null : partyOf(by),
      target: { id: row.account_id, name: owner?.username ?? row.account_id },
      sessionId: row.id,
      device: row.device_name,
      reason,
    });
    return true;
  }

  /** Ends sessions whose idle or absolute deadline passed; at most `limit`. */
  expireTimedOut(tx: Change, limit: number): number {
    const now = this.#ctx.clock.now();
    const policy = this.#policy();
    const rows = this.#ctx.repos.sessions.timedOut(
      now,
      policy['session.idleTimeoutMinutes'] * MINUTE,
      policy['session.absoluteTimeoutHours'] * HOUR,
      limit,
    );
    for (const row of rows) this.#endAlone(tx, row, this.#timeoutReason(row, now, policy) ?? 'absolute_timeout', now);
    return rows.length;
  }

  /** Ends one session and no more: its "stay signed in" family, if any, lives on. */
  #endAlone(tx: Change, row: SessionRow, reason: 'idle_timeout' | 'absolute_timeout' | 'window_closed', now: number): void {
    if (!tx.repos.sessions.end(row.id, now, reason)) return;
    const owner = this.#ctx.repos.accounts.byId(row.account_id);
    tx.audit({
      type: reason === 'window_closed' ? 'session.closed' : 'session.expired',
      outcome: 'success',
      target: { id: row.account_id, name: owner?.username ?? row.account_id },
      sessionId: row.id,
      device: row.device_name,
      reason,
    });
  }

  #timeoutReason(row: SessionRow, now: number, policy: Policy): 'idle_timeout' | 'absolute_timeout' | null {
    if (now >= this.#absoluteDeadline(row, policy)) return 'absolute_timeout';
    if (now >= row.last_active_at + policy['session.idleTimeoutMinutes'] * MINUTE) return 'idle_timeout';
    return null;
  }

  /** A lowered policy applies to sessions already running, too. */
  #absoluteDeadline(row: SessionRow, policy: Policy): number {
    return Math.min(row.expires_at, row.created_at + policy['session.absoluteTimeoutHours'] * HOUR);
  }

  #makeRoom(tx: Change, account: AccountRow, policy: Policy): void {
    const now = this.#ctx.clock.now();
    const live: SessionRow[] = [];
    for (const row of this.#ctx.repos.sessions.activeForAccount(account.id)) {
      const timeout = this.#timeoutReason(row, now, policy);
      if (timeout === null) live.push(row);
      else this.#endAlone(tx, row, timeout, now);
    }
    const excess = live.length - policy['session.maxPerAccount'] + 1;
    if (excess <= 0) return;
    if (policy['session.limitMode'] === 'deny') {
      throw new LatchkeyError(
        'SESSION_LIMIT_REACHED',
        `This account already has ${live.length} active sessions, the most allowed. Sign out of one (from the security dashboard or \`latchkey session revoke\`) and try again.`,
        { limit: policy['session.maxPerAccount'] },
      );
    }
    for (const row of live.slice(0, excess)) this.endSession(tx, row, 'evicted', null);
  }

  #issueRefreshToken(tx: Change, familyId: string, familyCap: number): string {
    const token = newToken();
    tx.repos.sessions.insertRefreshToken({
      token_hash: hashToken(token),
      family_id: familyId,
      created_at: this.#ctx.clock.now(),
      expires_at: familyCap,
      used_at: null,
    });
    return token;
  }

  #endFamily(tx: Change, familyId: string, account: AccountRow, reason: SessionEndReason, device: string): void {
    tx.repos.sessions.revokeFamily(familyId, this.#ctx.clock.now(), reason);
    tx.audit({
      type: 'session.refresh_reuse',
      outcome: 'denied',
      target: accountParty(account),
      device,
      reason: 'A refresh token was used twice; every session of its family was ended.',
    });
    for (const row of this.#ctx.repos.sessions.activeInFamily(familyId)) this.endSession(tx, row, reason, null);
  }

  #view(row: SessionRow, username: string, policy: Policy): SessionView {
    const absolute = this.#absoluteDeadline(row, policy);
    return {
      id: row.id,
      accountId: row.account_id,
      username,
      assurance: row.assurance,
      host: row.host,
      deviceName: row.device_name,
      osUser: row.os_user,
      ip: row.ip,
      userAgent: row.user_agent,
      createdAt: row.created_at,
      lastActiveAt: row.last_active_at,
      expiresAt: Math.min(absolute, row.last_active_at + policy['session.idleTimeoutMinutes'] * MINUTE),
      absoluteExpiresAt: absolute,
      active: row.active === 1,
      endedAt: row.ended_at,
      endReason: row.end_reason,
      staySignedIn: row.family_id !== null,
    };
  }
}
