import type { Db } from '../store/database.js';
import { AccountRepository } from '../store/accounts.js';
import { AuditRepository } from '../store/audit.js';
import { EmailVerificationRepository } from '../store/email-verifications.js';
import { MetaRepository } from '../store/meta.js';
import { MfaRepository } from '../store/mfa.js';
import { PolicyRepository } from '../store/policy.js';
import { SessionRepository } from '../store/sessions.js';
import { SignInFailureRepository } from '../store/sign-in-failures.js';
import { AuditAnchor } from './audit/audit-anchor.js';
import { AuditLog } from './audit/audit-log.js';
import type { Clock } from './clock.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import type { Vault } from './vault.js';

/** What every rule module is given: the open vault, its repositories, the clock, the audit log. */
export interface EngineContext {
  readonly vault: Vault;
  readonly clock: Clock;
  readonly hasher: PasswordHasher;
  readonly audit: AuditLog;
  readonly repos: {
    readonly meta: MetaRepository;
    readonly accounts: AccountRepository;
    readonly sessions: SessionRepository;
    readonly failures: SignInFailureRepository;
    readonly policy: PolicyRepository;
    readonly audit: AuditRepository;
    readonly mfa: MfaRepository;
    readonly emailVerifications: EmailVerificationRepository;
  };
  /** Runs `work` in one IMMEDIATE transaction: a change and its audit event commit together or not at all. */
  transaction<T>(work: () => T): T;
}

export function createContext(vault: Vault, clock: Clock, hasher: PasswordHasher): EngineContext {
  const db: Db = vault.db;
  const meta = new MetaRepository(db);
  const audit = new AuditRepository(db);
  return {
    vault,
    clock,
    hasher,
    audit: new AuditLog(audit, meta, vault.keys.auditChain, clock, new AuditAnchor(vault.secrets, vault.id, vault.keys.auditChain)),
    repos: {
      meta,
      accounts: new AccountRepository(db),
      sessions: new SessionRepository(db),
      failures: new SignInFailureRepository(db),
      policy: new PolicyRepository(db),
      audit,
      mfa: new MfaRepository(db),
      emailVerifications: new EmailVerificationRepository(db),
    },
    transaction: <T>(work: () => T): T => db.transaction(work).immediate(),
  };
}
