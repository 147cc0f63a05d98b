import { type Db, storageFailure } from '../store/database.js';
import type { AccountRepository } from '../store/accounts.js';
import type { EmailVerificationRepository } from '../store/email-verifications.js';
import type { MfaRepository } from '../store/mfa.js';
import type { KnownDeviceRepository, OutboxRepository } from '../store/outbox.js';
import type { PolicyRepository } from '../store/policy.js';
import type { RowIntegrityRepository } from '../store/row-integrity.js';
import type { SessionRepository } from '../store/sessions.js';
import type { SettingsRepository } from '../store/settings.js';
import type { SentCodeRepository } from '../store/sent-codes.js';
import type { SignInFailureRepository } from '../store/sign-in-failures.js';
import type { MetaRepository } from '../store/meta.js';
import type { AlertRepository, FigureRepository, MonitorHitRepository } from '../store/monitoring.js';
import type { AuditEntry, AuditLog } from './audit/audit-log.js';
import type { NewMessage, Outbox } from './delivery/outbox.js';
import type { SecurityNotices } from './delivery/notices.js';
import type { Monitor } from './monitoring/monitor.js';
import type { ClockSkew, VaultClock } from './vault-clock.js';

/** Every repository with its writes: reachable only inside a change. */
export interface WritableRepositories {
  readonly accounts: AccountRepository;
  readonly sessions: SessionRepository;
  readonly failures: SignInFailureRepository;
  readonly policy: PolicyRepository;
  readonly mfa: MfaRepository;
  readonly emailVerifications: EmailVerificationRepository;
  readonly integrity: RowIntegrityRepository;
  readonly outbox: OutboxRepository;
  readonly settings: SettingsRepository;
  readonly sentCodes: SentCodeRepository;
  readonly knownDevices: KnownDeviceRepository;
  readonly alerts: AlertRepository;
  readonly monitorHits: MonitorHitRepository;
  readonly figures: FigureRepository;
}

/**
 * One change of the vault, as a rule sees it: the writes, the audit events and the messages that
 * commit with them. The operations it syncs will be recorded here too, so that no rule can commit
 * a change without them.
 */
export interface Change {
  readonly repos: WritableRepositories;
  /** Records an audit event in the change's transaction: both commit, or neither. */
  audit(entry: AuditEntry): void;
  /**
   * Queues a message in the change's transaction, with its audit event: a message exists exactly
   * when its cause does, and waits in the outbox until it is sent. Returns its id.
   */
  outbox(message: NewMessage): string;
}

/**
 * The one way to change the vault (docs/architecture.md, "The write path"): `change(work)` runs
 * `work` in one IMMEDIATE transaction, so the rule's reads inside it see the latest committed
 * state and hold the write lock against other processes until it commits. A change inside a change
 * becomes a savepoint of the outer one: it can fail alone, and still commits only with the outer.
 */
export class WritePath {
  readonly #db: Db;
  readonly #path: string;
  readonly #change: Change;
  readonly #clock: VaultClock;
  readonly #meta: MetaRepository;
  readonly #audit: AuditLog;
  readonly #monitor: Monitor;
  /** How many changes are running, one inside another. */
  #depth = 0;

  constructor(
    db: Db,
    path: string,
    repos: WritableRepositories,
    audit: AuditLog,
    clock: VaultClock,
    meta: MetaRepository,
    outbox: Outbox,
    notices: SecurityNotices,
    monitor: Monitor,
    queued: (id: string) => void,
  ) {
    this.#db = db;
    this.#path = path;
    const enqueue = (message: NewMessage): string => {
      const { row, event } = outbox.enqueue(message, clock.now());
      repos.outbox.insert(row);
      audit.append(event);
      queued(row.id);
      return row.id;
    };
    this.#change = {
      repos,
      audit: (entry) => {
        const seq = audit.append(entry);
        const knownDevices = monitor.knownDevicesBefore(entry);
        // The events that call for a security notice queue it here, so no rule can leave it out.
        const notice = notices.follow(entry, clock.now());
        if (notice !== null) enqueue(notice);
        // And every event passes the detection rules and the report's counters, in its own transaction.
        monitor.follow(entry, seq, clock.now(), knownDevices);
      },
      outbox: enqueue,
    };
    this.#clock = clock;
    this.#meta = meta;
    this.#audit = audit;
    this.#monitor = monitor;
  }

  /** Whether a change is running: a failure of SQLite in it is the outermost change's to name. */
  get changing(): boolean {
    return this.#depth > 0;
  }

  change<T>(work: (tx: Change) => T): T {
    const tx = this.#change;
    const outermost = this.#depth === 0;
    this.#depth += 1;
    try {
      return this.#db
        .transaction(() => {
          // The vault's time first, from what other processes stored, so every time this change
          // reads or writes is held to the vault's mark; a clock found off is audited with it.
          const skew = this.#clock.enterChange(this.#meta);
          if (skew !== null) {
            const event = clockEvent(skew);
            this.#monitor.follow(event, this.#audit.append(event), this.#clock.now(), null);
          }
          const result = work(tx);
          this.#clock.leaveChange(this.#meta);
          return result;
        })
        .immediate();
    } catch (error) {
      // Named once its transaction is rolled back, by the outermost change only. Inside, a failure
      // of SQLite passes through every rule as it is: named there, it would be a LatchkeyError that
      // a rule may take for its own refusal and go on (an import reports a refused row and carries
      // on with the next), after SQLite may already have rolled back the whole transaction.
      throw outermost ? storageFailure(error, this.#path, 'change') : error;
    } finally {
      this.#depth -= 1;
    }
  }
}

function clockEvent(skew: ClockSkew): AuditEntry {
  const minutes = Math.round(skew.byMs / 60_000);
  return {
    type: skew.direction === 'behind' ? 'clock.behind' : 'clock.ahead',
    outcome: 'failure',
    reason:
      skew.direction === 'behind'
        ? `this machine's clock is about ${minutes} min behind the vault's time; the vault's time is used, so nothing that had expired comes back`
        : `this machine's clock is about ${minutes} min ahead of the time counted since the machine started; that count is used`,
    details: { byMs: skew.byMs },
  };
}
