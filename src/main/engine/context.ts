import { type Db, storageFailure } from '../store/database.js';
import { ACCOUNT_READS, AccountRepository, type AccountReads } from '../store/accounts.js';
import { AuditRepository } from '../store/audit.js';
import { EMAIL_VERIFICATION_READS, EmailVerificationRepository, type EmailVerificationReads } from '../store/email-verifications.js';
import { MetaRepository } from '../store/meta.js';
import {
  ALERT_READS,
  MONITOR_HIT_READS,
  type MonitorHitReads,
  AlertRepository,
  type AlertReads,
  FIGURE_READS,
  FigureRepository,
  type FigureReads,
  MonitorHitRepository,
} from '../store/monitoring.js';
import { MFA_READS, MfaRepository, type MfaReads } from '../store/mfa.js';
import { KnownDeviceRepository, OUTBOX_READS, OutboxRepository, type OutboxReads } from '../store/outbox.js';
import { POLICY_READS, PolicyRepository, type PolicyReads } from '../store/policy.js';
import { readOnly } from '../store/read-only.js';
import { VaultVersion } from '../store/unchanged-cache.js';
import { ROW_INTEGRITY_READS, RowIntegrityRepository, type RowIntegrityReads } from '../store/row-integrity.js';
import { SESSION_READS, SessionRepository, type SessionReads } from '../store/sessions.js';
import { SETTINGS_READS, SettingsRepository, type SettingsReads } from '../store/settings.js';
import { SENT_CODE_READS, SentCodeRepository, type SentCodeReads } from '../store/sent-codes.js';
import { SIGN_IN_FAILURE_READS, SignInFailureRepository, type SignInFailureReads } from '../store/sign-in-failures.js';
import { AuditAnchor } from './audit/audit-anchor.js';
import { AuditLog, type AuditReader } from './audit/audit-log.js';
import type { Clock, Uptime } from './clock.js';
import { Outbox } from './delivery/outbox.js';
import { SecurityNotices } from './delivery/notices.js';
import { Monitor } from './monitoring/monitor.js';
import type { PasswordHasher } from './passwords/password-hasher.js';
import { policyFromRows } from './policy/policy-keys.js';
import type { Vault } from './vault.js';
import { type KeptTimeMark, VaultClock } from './vault-clock.js';
import { type Change, WritePath } from './write-path.js';

/** What a rule may read at any time; every write goes through `change`. */
export interface ReadableRepositories {
  readonly accounts: AccountReads;
  readonly sessions: SessionReads;
  readonly failures: SignInFailureReads;
  readonly policy: PolicyReads;
  readonly mfa: MfaReads;
  readonly emailVerifications: EmailVerificationReads;
  readonly integrity: RowIntegrityReads;
  readonly outbox: OutboxReads;
  readonly settings: SettingsReads;
  readonly sentCodes: SentCodeReads;
  readonly alerts: AlertReads;
  readonly monitorHits: MonitorHitReads;
  readonly figures: FigureReads;
}

/** What every rule module is given: the open vault, its repositories to read, the clock, the write path. */
export interface EngineContext {
  readonly vault: Vault;
  /** The vault's time: the process's clock held to the vault's mark (see VaultClock). */
  readonly clock: VaultClock;
  readonly hasher: PasswordHasher;
  readonly audit: AuditReader;
  readonly repos: ReadableRepositories;
  /** Runs `work` as one change: its writes, its audit events and its messages commit together or not at all. */
  change<T>(work: (tx: Change) => T): T;
  readonly outbox: Outbox;
  /** The messages this process queued (a CLI command tries to deliver them before it ends); some may have been rolled back. */
  readonly queuedHere: ReadonlySet<string>;
  /** Whether the vault may hold anything else than when last looked at: what a cache of checked reads is kept by. */
  readonly vaultVersion: VaultVersion;
}

/** The process's clock, the machine's uptime, and the vault's mark as the keychain keeps it. */
export interface TimeSources {
  readonly clock: Clock;
  readonly uptime: Uptime;
  readonly keptMark: KeptTimeMark;
  /** What `keptMark` held when the vault was opened. */
  readonly keptAt: number;
}

const QUEUED_HERE_KEPT = 100;

export function createContext(vault: Vault, time: TimeSources, hasher: PasswordHasher, monitoring = true): EngineContext {
  const db: Db = vault.db;
  const meta = new MetaRepository(db);
  const clock = new VaultClock(time.clock, time.uptime, vault.keys.auditChain, meta, time.keptAt);
  const anchor = new AuditAnchor(vault.secrets, vault.id, vault.keys.auditChain);
  const vaultVersion = new VaultVersion(db);
  const audit = new AuditLog(
    new AuditRepository(db),
    meta,
    vault.keys.auditChain,
    clock,
    anchor,
    () => time.keptMark.record(clock.mark()),
    vaultVersion,
  );
  const repos = {
    accounts: new AccountRepository(db, vault.rowSeal),
    sessions: new SessionRepository(db, vault.rowSeal),
    failures: new SignInFailureRepository(db),
    policy: new PolicyRepository(db, vault.rowSeal),
    mfa: new MfaRepository(db, vault.rowSeal),
    emailVerifications: new EmailVerificationRepository(db, vault.rowSeal),
    integrity: new RowIntegrityRepository(db, vault.rowSeal),
    outbox: new OutboxRepository(db),
    settings: new SettingsRepository(db, vault.rowSeal),
    sentCodes: new SentCodeRepository(db, vault.rowSeal),
    knownDevices: new KnownDeviceRepository(db),
    alerts: new AlertRepository(db),
    monitorHits: new MonitorHitRepository(db),
    figures: new FigureRepository(db),
  };
  const outbox = new Outbox(vault.cipher);
  const queuedHere = new Set<string>();
  const queued = (id: string): void => {
    queuedHere.add(id);
    // A long-running host never asks for these (it sends on a timer): keep the newest only.
    if (queuedHere.size > QUEUED_HERE_KEPT) queuedHere.delete(queuedHere.values().next().value ?? id);
  };
  const notices = new SecurityNotices(repos, vault.cipher, vault.keys.lookupSecrets);
  const monitor = new Monitor(repos, () => policyFromRows(repos.policy.all()), monitoring);
  const writePath = new WritePath(db, vault.path, repos, audit, clock, meta, outbox, notices, monitor, queued);
  // A read outside a change names a failure of SQLite itself; inside one, it leaves it to the change.
  const failed = (error: unknown): unknown => (writePath.changing ? error : storageFailure(error, vault.path, 'read'));
  return {
    vault,
    clock,
    hasher,
    audit: readOnly(audit, ['list', 'all', 'verify', 'anchor'], failed),
    repos: {
      accounts: readOnly(repos.accounts, ACCOUNT_READS, failed),
      sessions: readOnly(repos.sessions, SESSION_READS, failed),
      failures: readOnly(repos.failures, SIGN_IN_FAILURE_READS, failed),
      policy: readOnly(repos.policy, POLICY_READS, failed),
      mfa: readOnly(repos.mfa, MFA_READS, failed),
      emailVerifications: readOnly(repos.emailVerifications, EMAIL_VERIFICATION_READS, failed),
      integrity: readOnly(repos.integrity, ROW_INTEGRITY_READS, failed),
      outbox: readOnly(repos.outbox, OUTBOX_READS, failed),
      settings: readOnly(repos.settings, SETTINGS_READS, failed),
      sentCodes: readOnly(repos.sentCodes, SENT_CODE_READS, failed),
      alerts: readOnly(repos.alerts, ALERT_READS, failed),
      monitorHits: readOnly(repos.monitorHits, MONITOR_HIT_READS, failed),
      figures: readOnly(repos.figures, FIGURE_READS, failed),
    },
    change: (work) => writePath.change(work),
    outbox,
    queuedHere,
    vaultVersion,
  };
}
