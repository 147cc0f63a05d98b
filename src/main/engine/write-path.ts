import type { Db } from '../store/database.js';
import type { AccountRepository } from '../store/accounts.js';
import type { EmailVerificationRepository } from '../store/email-verifications.js';
import type { MfaRepository } from '../store/mfa.js';
import type { PolicyRepository } from '../store/policy.js';
import type { SessionRepository } from '../store/sessions.js';
import type { SignInFailureRepository } from '../store/sign-in-failures.js';
import type { AuditEntry, AuditLog } from './audit/audit-log.js';

/** Every repository with its writes: reachable only inside a change. */
export interface WritableRepositories {
  readonly accounts: AccountRepository;
  readonly sessions: SessionRepository;
  readonly failures: SignInFailureRepository;
  readonly policy: PolicyRepository;
  readonly mfa: MfaRepository;
  readonly emailVerifications: EmailVerificationRepository;
}

/**
 * One change of the vault, as a rule sees it: the writes and the audit events that commit with
 * them. The messages a change sends and the operations it syncs will be recorded here too, so
 * that no rule can commit a change without them.
 */
export interface Change {
  readonly repos: WritableRepositories;
  /** Records an audit event in the change's transaction: both commit, or neither. */
  audit(entry: AuditEntry): void;
}

/**
 * The one way to change the vault (docs/architecture.md, "The write path"): `change(work)` runs
 * `work` in one IMMEDIATE transaction, so the rule's reads inside it see the latest committed
 * state and hold the write lock against other processes until it commits. A change inside a change
 * becomes a savepoint of the outer one: it can fail alone, and still commits only with the outer.
 */
export class WritePath {
  readonly #db: Db;
  readonly #change: Change;

  constructor(db: Db, repos: WritableRepositories, audit: AuditLog) {
    this.#db = db;
    this.#change = { repos, audit: (entry) => audit.append(entry) };
  }

  change<T>(work: (tx: Change) => T): T {
    const tx = this.#change;
    return this.#db.transaction(() => work(tx)).immediate();
  }
}
