import { randomBytes } from 'node:crypto';
import { AuditAnchor } from '../src/main/engine/audit/audit-anchor.js';
import { AuditLog } from '../src/main/engine/audit/audit-log.js';
import { createContext, type EngineContext } from '../src/main/engine/context.js';
import { DAY, HOUR, MINUTE, noUptime, type Clock, type ManualClock } from '../src/main/engine/clock.js';
import { hashToken, newId, newToken } from '../src/main/engine/crypto/random.js';
import { PasswordHasher } from '../src/main/engine/passwords/password-hasher.js';
import { openVault, type Vault } from '../src/main/engine/vault.js';
import { KeptTimeMark } from '../src/main/engine/vault-clock.js';
import type { SecretStore } from '../src/main/secrets/secret-store.js';
import type { AccountRow } from '../src/main/store/accounts.js';
import { AuditRepository } from '../src/main/store/audit.js';
import { MetaRepository } from '../src/main/store/meta.js';
import type { SessionRow } from '../src/main/store/sessions.js';
import { QUICK_HASH } from '../test/support/signed-in.js';
import { PASSWORDS } from '../test/support/temp-vault.js';

export interface ScaleCounts {
  readonly accounts: number;
  readonly sessions: number;
  readonly auditRows: number;
}

/** Tokens kept from the build, so the measurements can use sessions and families deep in the file. */
export interface ScaleTokens {
  readonly live: { readonly token: string; readonly username: string }[];
  readonly refresh: string[];
}

export interface BuildReport {
  readonly seconds: { readonly accounts: number; readonly sessions: number; readonly audit: number };
  readonly tokens: ScaleTokens;
}

const KEPT_TOKENS = 2000;
/** An audit chunk per transaction: one transaction for 10,000,000 rows would hold gigabytes in the WAL at once. */
const AUDIT_CHUNK = 100_000;

const progress = (what: string, done: number, total: number, started: number): void => {
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`\r  ${what}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${seconds.toFixed(0)} s)   `);
  if (done === total) process.stderr.write('\n');
};

/**
 * Fills a new vault through the engine's own repositories and audit log (so every row is sealed
 * and every event chained exactly as the engine does), with prepared statements and few
 * transactions: every account, then every session with its families and refresh tokens, in one
 * change; the audit log in transactions of 100,000 events. Half the sessions are past their
 * deadline and still marked active: the backlog the cleanup job finds after the machine was off.
 */
export async function buildScaleVault(path: string, secrets: SecretStore, clock: ManualClock, counts: ScaleCounts): Promise<BuildReport> {
  const vault = await openVault({ path, secrets });
  try {
    const keptMark = new KeptTimeMark(vault.secrets, vault.id, vault.keys.auditChain);
    const ctx = createContext(vault, { clock, uptime: noUptime, keptMark, keptAt: await keptMark.read() }, new PasswordHasher(QUICK_HASH));
    // One hash for every account: what is measured here is the store, not argon2.
    const passwordHash = await new PasswordHasher(QUICK_HASH).hash(PASSWORDS.alice);
    const timed = (work: () => void): number => {
      const started = performance.now();
      work();
      return (performance.now() - started) / 1000;
    };
    const accountIds: string[] = [];
    const accounts = timed(() => insertAccounts(ctx, counts.accounts, passwordHash, accountIds));
    const tokens: ScaleTokens = { live: [], refresh: [] };
    const sessions = timed(() => insertSessions(ctx, counts.sessions, accountIds, tokens));
    const audit = timed(() => insertAuditEvents(vault, clock, counts.auditRows, accountIds));
    return { seconds: { accounts, sessions, audit }, tokens };
  } finally {
    vault.close();
  }
}

function insertAccounts(ctx: EngineContext, count: number, passwordHash: string, ids: string[]): void {
  const now = ctx.clock.now();
  const started = performance.now();
  ctx.change((tx) => {
    for (let i = 0; i < count; i += 1) {
      const row: AccountRow = {
        id: newId('acct'),
        username: `user${i}`,
        display_name: `User ${i}`,
        role: i === 0 ? 'admin' : 'user',
        status: 'active',
        email_enc: null,
        password_hash: passwordHash,
        password_changed_at: now - 30 * DAY,
        created_at: now - 30 * DAY,
        updated_at: now - 30 * DAY,
        mfa_state: 'DISABLED',
        notice: null,
        email_verified_at: null,
      };
      tx.repos.accounts.insert(row);
      ids.push(row.id);
      if ((i + 1) % 10_000 === 0 || i + 1 === count) progress('accounts', i + 1, count, started);
    }
  });
}

function insertSessions(ctx: EngineContext, count: number, accountIds: readonly string[], tokens: ScaleTokens): void {
  const now = ctx.clock.now();
  const started = performance.now();
  ctx.change((tx) => {
    for (let i = 0; i < count; i += 1) {
      // Rows go to accounts in pairs, one live and one past its deadline: each account holds as many of either.
      const owner = Math.floor(i / 2) % accountIds.length;
      const accountId = accountIds[owner] ?? '';
      // Even rows live (active within the idle limit); odd rows long past their deadlines, half of
      // them still marked active (for the expire phase), half ended two days ago (for the delete phase).
      const live = i % 2 === 0;
      const ended = i % 4 === 3;
      const createdAt = live ? now - ((i * 7919) % (11 * HOUR)) : now - 3 * DAY - ((i * 7919) % DAY);
      const lastActiveAt = live ? Math.max(createdAt, now - ((i * 104_729) % (20 * MINUTE))) : createdAt + HOUR;
      // Every fifth session is a "stay signed in" one, with its family and its current refresh token.
      let familyId: string | null = null;
      if (i % 5 === 0) {
        familyId = newId('fam');
        const familyCap = createdAt + 30 * DAY;
        tx.repos.sessions.insertFamily({
          id: familyId,
          account_id: accountId,
          assurance: 'password',
          created_at: createdAt,
          expires_at: familyCap,
          revoked_at: ended ? createdAt + HOUR : null,
          revoke_reason: ended ? 'signed_out' : null,
        });
        const refresh = newToken();
        tx.repos.sessions.insertRefreshToken({
          token_hash: hashToken(refresh),
          family_id: familyId,
          created_at: createdAt,
          expires_at: familyCap,
          used_at: null,
        });
        if (live && tokens.refresh.length < KEPT_TOKENS) tokens.refresh.push(refresh);
      }
      // Tokens are random; only the kept ones need a known secret behind their hash.
      const keep = live && tokens.live.length < KEPT_TOKENS && i % 97 === 0;
      const token = keep ? newToken() : null;
      const row: SessionRow = {
        id: newId('sess'),
        account_id: accountId,
        token_hash: token === null ? randomBytes(32) : hashToken(token),
        family_id: familyId,
        assurance: 'password',
        host: 'desktop',
        device_name: `device-${i % 10}`,
        os_user: 'bench',
        ip: null,
        user_agent: 'Latchkey/bench',
        created_at: createdAt,
        last_active_at: lastActiveAt,
        expires_at: createdAt + 12 * HOUR,
        active: ended ? 0 : 1,
        ended_at: ended ? createdAt + HOUR : null,
        end_reason: ended ? 'signed_out' : null,
      };
      tx.repos.sessions.insert(row);
      if (token !== null) tokens.live.push({ token, username: `user${owner}` });
      if ((i + 1) % 50_000 === 0 || i + 1 === count) progress('sessions', i + 1, count, started);
    }
  });
}

// No event here calls for a notice by e-mail (the accounts have no address anyway), so none queues a message.
const EVENT_TYPES = ['session.created', 'session.refreshed', 'signin.failed', 'session.expired', 'session.revoked'] as const;

/**
 * The log is appended by the audit log itself, chained and with its head kept, but outside the
 * write path: the write path also runs every event past the security monitor's rules, which at
 * ten million events would make this build take hours and measure the monitor instead.
 */
function insertAuditEvents(vault: Vault, clock: Clock, count: number, accountIds: readonly string[]): void {
  const log = new AuditLog(
    new AuditRepository(vault.db),
    new MetaRepository(vault.db),
    vault.keys.auditChain,
    clock,
    new AuditAnchor(vault.secrets, vault.id, vault.keys.auditChain),
  );
  const started = performance.now();
  for (let done = 0; done < count;) {
    const chunk = Math.min(AUDIT_CHUNK, count - done);
    vault.db
      .transaction(() => {
        for (let i = done; i < done + chunk; i += 1) {
          const party = { id: accountIds[i % accountIds.length] ?? null, name: `user${i % accountIds.length}` };
          log.append({
            type: EVENT_TYPES[i % EVENT_TYPES.length] ?? 'session.created',
            outcome: i % EVENT_TYPES.length === 2 ? 'failure' : 'success',
            actor: party,
            target: party,
            device: `device-${i % 10}`,
          });
        }
      })
      .immediate();
    done += chunk;
    progress('audit events', done, count, started);
  }
}
