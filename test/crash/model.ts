import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { backupCodeDigest } from '../../src/main/engine/mfa/backup-codes.js';
import { canonicalBackupCode } from '../../src/shared/fields.js';
import { totpCodeAt, totpStep } from '../../src/main/engine/mfa/totp.js';
import { PasswordHasher } from '../../src/main/engine/passwords/password-hasher.js';
import { QUICK_HASH } from '../support/signed-in.js';
import type { AckedEvent, Op, OpKind, Outcome } from './ops.js';

/**
 * What the vault must hold, built only from what the writer acknowledged (and, after a kill, from
 * the audit events of the one write that was under way). After every kill the vault is compared
 * with it exactly: accounts, passwords, second factors, backup codes, sessions and audit events.
 */

type MfaState = 'DISABLED' | 'SETUP_IN_PROGRESS' | 'ENABLED';

interface AccountState {
  id: string;
  status: 'active' | 'disabled';
  password: string;
  mfa: MfaState;
  totpSecret: string | null;
  /** A setup's secret; UNKNOWN when its begin committed but was never acknowledged. */
  pending: string | null;
  /** Unused backup codes; null when a set was made but never acknowledged. */
  backupCodes: string[] | null;
}

interface SessionState {
  readonly account: string;
  /** Null for a session whose sign-in committed but was never acknowledged. */
  readonly token: string | null;
  active: boolean;
  /** The model's time of the last write that presented its token. */
  lastUsed: number;
}

/**
 * The idle timeout the test sets, as long as policy allows. The model's clock still passes it in a
 * long run (each TOTP code and each restart moves it 31 s), so a session left alone that long is
 * ended as expired: the model explains it, but only for a session idle for the whole timeout.
 */
export const IDLE_TIMEOUT_MINUTES = 1440;
/** A session's last activity is written at most once a minute, so the vault's may be that much older. */
const TOUCH_INTERVAL = 60_000;

/** The audit event types each write may append: anything else after it is unexplained. */
const EVENTS: Readonly<Record<OpKind, readonly string[]>> = {
  fail: ['signin.failed'],
  signin: ['mfa.challenge_issued', 'session.created', 'signin.succeeded', 'mfa.backup_code_used', 'signin.failed', 'mfa.challenge_failed'],
  signout: ['signout', 'mfa.totp_setup_abandoned'],
  passwd_own: ['password.changed', 'session.revoked'],
  passwd_reset: ['password.reset', 'session.revoked'],
  create: ['account.created'],
  disable: ['account.disabled', 'session.revoked'],
  enable: ['account.enabled'],
  mfa_begin: ['mfa.totp_setup_started'],
  mfa_confirm: ['mfa.totp_enabled'],
  regenerate: ['mfa.backup_codes_regenerated', 'signin.failed'],
};

/** Refusals a write may meet that say nothing is wrong: a password check the killed writer left reserved. */
const TOLERATED: Readonly<Record<OpKind, readonly string[]>> = {
  fail: ['INVALID_CREDENTIALS', 'LOCKED_OUT'],
  signin: ['LOCKED_OUT'],
  signout: [],
  passwd_own: ['LOCKED_OUT'],
  passwd_reset: [],
  create: [],
  disable: [],
  enable: [],
  mfa_begin: [],
  mfa_confirm: [],
  regenerate: ['LOCKED_OUT'],
};

const MAX_ACCOUNTS = 12;
/** A secret that exists in the vault but was never acknowledged, so the model cannot use it. */
const UNKNOWN = 'unknown';

/** A small seeded generator, so a run (and a failure) can be repeated from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const newPassword = (): string => `crash-${randomBytes(8).toString('hex')}-pass`;

export class CrashModel {
  readonly #accounts = new Map<string, AccountState>();
  readonly #sessions = new Map<string, SessionState>();
  readonly #events: AckedEvent[] = [];
  readonly #random: () => number;
  readonly #rootToken: string;
  #at: number;
  #lastSeq: number;
  #n = 0;
  /** Writes acknowledged so far, over every writer. */
  acknowledged = 0;
  /** How many of each kind were acknowledged, for the report. */
  readonly kinds: Partial<Record<OpKind | 'backup_code_signin' | 'totp_signin', number>> = {};
  /** Kills that landed while a write had committed without its acknowledgement, and while one had not. */
  readonly inFlight = { committed: 0, notCommitted: 0, none: 0 };

  constructor(options: {
    seed: number;
    at: number;
    lastSeq: number;
    root: { id: string; password: string; token: string; sessionId: string };
  }) {
    this.#random = seededRandom(options.seed);
    this.#at = options.at;
    this.#lastSeq = options.lastSeq;
    this.#rootToken = options.root.token;
    this.#accounts.set('root', {
      id: options.root.id,
      status: 'active',
      password: options.root.password,
      mfa: 'DISABLED',
      totpSecret: null,
      pending: null,
      backupCodes: null,
    });
    this.#sessions.set(options.root.sessionId, { account: 'root', token: options.root.token, active: true, lastUsed: options.at });
  }

  /** A writer starts: time moves past the lease of any password check the last one left reserved. */
  restart(): void {
    this.#at += 31_000;
  }

  #pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#random() * items.length)];
    if (item === undefined) throw new Error('picked from nothing');
    return item;
  }

  #users(filter: (name: string, account: AccountState) => boolean = () => true): string[] {
    return [...this.#accounts].filter(([name, account]) => name !== 'root' && filter(name, account)).map(([name]) => name);
  }

  /** Sessions whose token we hold, of active plain accounts. */
  #held(filter: (account: AccountState) => boolean = () => true): { id: string; token: string; account: string }[] {
    return [...this.#sessions]
      .filter(([, s]) => s.active && s.token !== null && s.account !== 'root' && this.#accounts.get(s.account)?.status === 'active')
      .filter(([, s]) => filter(this.#accounts.get(s.account) as AccountState))
      .map(([id, s]) => ({ id, token: s.token as string, account: s.account }));
  }

  #totpCode(secret: string): string {
    // A new 30-second step for every code, so none is refused as a replay.
    this.#at += 31_000;
    return totpCodeAt(secret, totpStep(this.#at, 30));
  }

  /** The next write, chosen from what the model says is possible now. */
  next(): Op {
    this.#at += 1_000;
    const step = { n: ++this.#n, at: this.#at };
    const users = this.#users();
    const active = this.#users((_, a) => a.status === 'active');
    const held = this.#held();
    const crowded = held.filter((s) => held.filter((t) => t.account === s.account).length > 4);
    const choices: [number, () => Op][] = [
      [3, () => ({ ...step, kind: 'fail', username: this.#pick([...users, 'nobody']), password: newPassword() })],
      [
        held.length === 0 ? 0 : crowded.length > 0 ? 6 : 2,
        () => ({ ...step, kind: 'signout', token: this.#pick(crowded.length > 0 ? crowded : held).token }),
      ],
      [
        users.length > 0 ? 1 : 0,
        () => ({ ...step, kind: 'passwd_reset', admin: this.#rootToken, username: this.#pick(users), next: newPassword() }),
      ],
      [
        users.length < 3 ? 6 : users.length < MAX_ACCOUNTS ? 1 : 0,
        () => ({ ...step, kind: 'create', admin: this.#rootToken, username: `u${users.length + 1}`, password: newPassword() }),
      ],
      [active.length > 1 ? 1 : 0, () => ({ ...step, kind: 'disable', admin: this.#rootToken, username: this.#pick(active) })],
      [
        users.length > active.length ? 1 : 0,
        () => ({ ...step, kind: 'enable', admin: this.#rootToken, username: this.#pick(users.filter((u) => !active.includes(u))) }),
      ],
    ];
    if (active.length > 0) {
      choices.push([
        5,
        () => {
          const username = this.#pick(active);
          const account = this.#accounts.get(username) as AccountState;
          let second: { factor: 'totp' | 'backup_code'; code: string } | null = null;
          if (account.mfa === 'ENABLED') {
            const codes = account.backupCodes ?? [];
            second =
              codes.length > 0 && this.#random() < 0.5
                ? { factor: 'backup_code', code: this.#pick(codes) }
                : { factor: 'totp', code: this.#totpCode(account.totpSecret ?? '') };
          }
          return { ...step, at: this.#at, kind: 'signin', username, password: account.password, second };
        },
      ]);
    }
    if (held.length > 0) {
      choices.push([
        1,
        () => {
          const s = this.#pick(held);
          return {
            ...step,
            kind: 'passwd_own',
            token: s.token,
            current: this.#accounts.get(s.account)?.password ?? '',
            next: newPassword(),
          };
        },
      ]);
    }
    const canBegin = this.#held((a) => a.mfa !== 'ENABLED');
    if (canBegin.length > 0) choices.push([2, () => ({ ...step, kind: 'mfa_begin', token: this.#pick(canBegin).token })]);
    const canConfirm = this.#held((a) => a.mfa === 'SETUP_IN_PROGRESS' && a.pending !== null && a.pending !== UNKNOWN);
    if (canConfirm.length > 0) {
      choices.push([
        3,
        () => {
          const s = this.#pick(canConfirm);
          const code = this.#totpCode(this.#accounts.get(s.account)?.pending ?? '');
          return { ...step, at: this.#at, kind: 'mfa_confirm', token: s.token, code };
        },
      ]);
    }
    const canRegenerate = this.#held((a) => a.mfa === 'ENABLED');
    if (canRegenerate.length > 0) {
      choices.push([
        1,
        () => {
          const s = this.#pick(canRegenerate);
          return { ...step, kind: 'regenerate', token: s.token, password: this.#accounts.get(s.account)?.password ?? '' };
        },
      ]);
    }
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.#random() * total;
    for (const [weight, make] of choices) {
      roll -= weight;
      if (roll < 0) return make();
    }
    return (choices.find(([weight]) => weight > 0) as [number, () => Op])[1]();
  }

  /** The writer acknowledged `op`: it committed with `events`. */
  acknowledge(op: Op, outcome: Outcome, events: readonly AckedEvent[]): void {
    this.#checkEvents(op, events, 'acknowledged');
    this.acknowledged += 1;
    const kind = op.kind === 'signin' && op.second !== null ? (`${op.second.factor}_signin` as const) : op.kind;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    this.#events.push(...events);
    // Whatever the answer, the writer's engine checked the token it was given.
    const presented = 'token' in op ? op.token : 'admin' in op ? op.admin : null;
    for (const session of this.#sessions.values()) if (session.token !== null && session.token === presented) session.lastUsed = op.at;
    if (!outcome.ok) {
      const expired = outcome.code === 'SESSION_EXPIRED' && events.some((event) => event.type === 'session.expired');
      if (!expired && !TOLERATED[op.kind].includes(outcome.code)) {
        throw new Error(
          `write ${op.n} (${op.kind}) was refused with ${outcome.code} (${outcome.message}): the vault does not hold what was acknowledged before`,
        );
      }
      return;
    }
    if (op.kind === 'fail') throw new Error(`write ${op.n}: a wrong password signed in`);
    this.#apply(op, outcome, events);
  }

  /**
   * The writer was killed while `op` was under way: `events` are what the vault holds after the
   * last acknowledged one. Either its change committed, events and all, or none of it did.
   */
  settleInFlight(op: Op | null, events: readonly AckedEvent[]): void {
    if (op === null) {
      if (events.length > 0) throw new Error(`events no write explains after seq ${this.#lastSeq}: ${JSON.stringify(events)}`);
      this.inFlight.none += 1;
      return;
    }
    this.#checkEvents(op, events, 'in flight');
    this.#events.push(...events);
    const committed = this.#apply(op, { ok: true }, events);
    if (committed) this.inFlight.committed += 1;
    else this.inFlight.notCommitted += 1;
  }

  #checkEvents(op: Op, events: readonly AckedEvent[], what: string): void {
    events.forEach((event, i) => {
      if (event.seq !== this.#lastSeq + 1 + i)
        throw new Error(`write ${op.n} (${what}): event ${event.seq} where ${this.#lastSeq + 1 + i} was due`);
      if (event.type === 'session.expired') return this.#explainExpiry(op, event);
      if (!EVENTS[op.kind].includes(event.type))
        throw new Error(`write ${op.n} (${op.kind}, ${what}) appended an unexplained ${event.type}`);
    });
    this.#lastSeq += events.length;
  }

  /** A session the vault ended as expired must have been left alone for the whole idle timeout. */
  #explainExpiry(op: Op, event: AckedEvent): void {
    const session = this.#sessions.get(event.sessionId ?? '');
    if (session === undefined) throw new Error(`write ${op.n} (${op.kind}): expired a session the model does not know`);
    const idle = op.at - session.lastUsed;
    if (idle < IDLE_TIMEOUT_MINUTES * 60_000 - TOUCH_INTERVAL) {
      throw new Error(`write ${op.n} (${op.kind}): expired a session used ${Math.round(idle / 60_000)} min before, under the idle timeout`);
    }
    session.active = false;
  }

  /** Applies a write's change as its events show it; returns whether its main change is there. */
  #apply(op: Op, outcome: Outcome & { ok: true }, events: readonly AckedEvent[]): boolean {
    const has = (type: string, outcomeIs = 'success'): AckedEvent | undefined =>
      events.find((e) => e.type === type && e.outcome === outcomeIs);
    const sessionOf = (token: string): [string, SessionState] => {
      const found = [...this.#sessions].find(([, s]) => s.token === token);
      if (found === undefined) throw new Error(`write ${op.n}: a token the model does not know`);
      return found;
    };
    const endAll = (account: string, except: string | null): void => {
      for (const [id, s] of this.#sessions) if (s.account === account && id !== except) s.active = false;
    };
    const account = (name: string): AccountState => {
      const found = this.#accounts.get(name);
      if (found === undefined) throw new Error(`write ${op.n}: an account the model does not know: ${name}`);
      return found;
    };
    switch (op.kind) {
      case 'fail':
        return events.length > 0;
      case 'signin': {
        const done = has('signin.succeeded');
        if (done === undefined) {
          if (op.second?.factor === 'backup_code' && has('mfa.backup_code_used'))
            throw new Error(`write ${op.n}: a backup code spent without its sign-in`);
          return false;
        }
        if (outcome.sessionId !== undefined && outcome.sessionId !== done.sessionId)
          throw new Error(`write ${op.n}: the session acknowledged is not the one audited`);
        this.#sessions.set(done.sessionId ?? '', { account: op.username, token: outcome.token ?? null, active: true, lastUsed: op.at });
        if (op.second?.factor === 'backup_code') {
          if (!has('mfa.backup_code_used')) throw new Error(`write ${op.n}: signed in with a backup code that was not spent`);
          const target = account(op.username);
          target.backupCodes = (target.backupCodes ?? []).filter((code) => code !== op.second?.code);
        }
        return true;
      }
      case 'signout': {
        const [id, s] = sessionOf(op.token);
        const ended = has('signout') !== undefined;
        if (ended) s.active = false;
        if (has('mfa.totp_setup_abandoned')) Object.assign(account(s.account), { mfa: 'DISABLED', pending: null });
        return ended && id !== '';
      }
      case 'passwd_own': {
        if (has('password.changed') === undefined) return false;
        const [id, s] = sessionOf(op.token);
        account(s.account).password = op.next;
        endAll(s.account, id);
        return true;
      }
      case 'passwd_reset':
        if (has('password.reset') === undefined) return false;
        account(op.username).password = op.next;
        endAll(op.username, null);
        return true;
      case 'create': {
        const created = has('account.created');
        if (created === undefined) return false;
        this.#accounts.set(op.username, {
          id: outcome.accountId ?? '',
          status: 'active',
          password: op.password,
          mfa: 'DISABLED',
          totpSecret: null,
          pending: null,
          backupCodes: null,
        });
        return true;
      }
      case 'disable':
        if (has('account.disabled') === undefined) return false;
        account(op.username).status = 'disabled';
        endAll(op.username, null);
        return true;
      case 'enable':
        if (has('account.enabled') === undefined) return false;
        account(op.username).status = 'active';
        return true;
      case 'mfa_begin': {
        if (has('mfa.totp_setup_started') === undefined) return false;
        Object.assign(account(sessionOf(op.token)[1].account), { mfa: 'SETUP_IN_PROGRESS', pending: outcome.secret ?? UNKNOWN });
        return true;
      }
      case 'mfa_confirm': {
        if (has('mfa.totp_enabled') === undefined) return false;
        const target = account(sessionOf(op.token)[1].account);
        Object.assign(target, {
          mfa: 'ENABLED',
          totpSecret: target.pending,
          pending: null,
          backupCodes: outcome.backupCodes ? [...outcome.backupCodes] : null,
        });
        return true;
      }
      case 'regenerate': {
        if (has('mfa.backup_codes_regenerated') === undefined) return false;
        account(sessionOf(op.token)[1].account).backupCodes = outcome.backupCodes ? [...outcome.backupCodes] : null;
        return true;
      }
    }
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The latest time any write has used: a writer or a check opens the vault at it, never before. */
  get now(): number {
    return this.#at;
  }

  /** Differences between the vault and the model; empty when every acknowledged change is there. */
  async differences(db: Database.Database, lookupKey: Buffer): Promise<string[]> {
    const found: string[] = [];
    const hasher = new PasswordHasher(QUICK_HASH);
    const rows = db
      .prepare<[], { id: string; username: string; status: string; mfa_state: string; password_hash: string }>(
        'SELECT id, username, status, mfa_state, password_hash FROM accounts',
      )
      .all();
    const names = rows.map((r) => r.username).sort();
    const modelled = [...this.#accounts.keys()].sort();
    if (names.join() !== modelled.join()) found.push(`accounts: vault has ${names.join(',')}, acknowledged ${modelled.join(',')}`);
    for (const row of rows) {
      const expected = this.#accounts.get(row.username);
      if (expected === undefined) continue;
      if (expected.id !== '' && expected.id !== row.id) found.push(`${row.username}: id ${row.id}, acknowledged ${expected.id}`);
      if (expected.id === '') expected.id = row.id;
      if (row.status !== expected.status) found.push(`${row.username}: status ${row.status}, acknowledged ${expected.status}`);
      if (row.mfa_state !== expected.mfa) found.push(`${row.username}: two-step ${row.mfa_state}, acknowledged ${expected.mfa}`);
      if (!(await hasher.verify(row.password_hash, expected.password)).valid)
        found.push(`${row.username}: the acknowledged password does not open it`);
      const totp = db
        .prepare<[string], { secret_enc: string | null; pending_secret_enc: string | null }>(
          'SELECT secret_enc, pending_secret_enc FROM totp_credentials WHERE account_id = ?',
        )
        .get(row.id);
      const totpAsExpected = {
        DISABLED: totp === undefined,
        SETUP_IN_PROGRESS: totp?.pending_secret_enc != null,
        ENABLED: totp?.secret_enc != null && totp.pending_secret_enc == null,
      }[expected.mfa];
      if (!totpAsExpected) found.push(`${row.username}: TOTP credentials do not match ${expected.mfa}`);
      const codes = db
        .prepare<[string], { digest: Buffer; used_at: number | null }>('SELECT digest, used_at FROM backup_codes WHERE account_id = ?')
        .all(row.id);
      const unused = new Set(codes.filter((c) => c.used_at === null).map((c) => c.digest.toString('hex')));
      if (expected.mfa !== 'ENABLED' && codes.length > 0) found.push(`${row.username}: backup codes without TOTP`);
      if (expected.backupCodes !== null) {
        const wanted = expected.backupCodes.map((code) => backupCodeDigest(lookupKey, canonicalBackupCode(code) ?? code).toString('hex'));
        if (unused.size !== wanted.length || !wanted.every((d) => unused.has(d)))
          found.push(`${row.username}: ${unused.size} unused backup codes, acknowledged ${wanted.length}`);
      }
    }
    const sessions = db
      .prepare<[], { id: string; account_id: string; active: number }>('SELECT id, account_id, active FROM sessions')
      .all();
    if (sessions.length !== this.#sessions.size) found.push(`sessions: vault has ${sessions.length}, acknowledged ${this.#sessions.size}`);
    const idOf = (name: string): string | undefined => this.#accounts.get(name)?.id;
    for (const row of sessions) {
      const expected = this.#sessions.get(row.id);
      if (expected === undefined) found.push(`session ${row.id}: in the vault, never acknowledged`);
      else if ((row.active === 1) !== expected.active || idOf(expected.account) !== row.account_id)
        found.push(`session ${row.id}: active=${row.active}, acknowledged ${String(expected.active)} for ${expected.account}`);
    }
    const audit = db.prepare<[number], { type: string; outcome: string; target_name: string | null; session_id: string | null }>(
      'SELECT type, outcome, target_name, session_id FROM audit_events WHERE seq = ?',
    );
    for (const event of this.#events) {
      const row = audit.get(event.seq);
      if (row === undefined) found.push(`audit event ${event.seq} (${event.type}) is gone`);
      else if (
        row.type !== event.type ||
        row.outcome !== event.outcome ||
        row.target_name !== event.target ||
        row.session_id !== event.sessionId
      )
        found.push(`audit event ${event.seq} is not the one acknowledged`);
    }
    const { n } = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_events').get() ?? { n: 0 };
    if (n !== this.#lastSeq) found.push(`audit: ${n} events, ${this.#lastSeq} accounted for`);
    return found;
  }
}
