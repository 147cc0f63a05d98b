import { LatchkeyError } from '../../shared/errors.js';
import type { Role } from '../../shared/views.js';
import type { AuditParty } from './audit/audit-log.js';

/** Who is asking: the account behind a session that was validated for this very call. */
export interface Caller {
  readonly sessionId: string;
  readonly accountId: string;
  readonly username: string;
  readonly role: Role;
  readonly deviceName: string;
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') {
    throw new LatchkeyError('NOT_AUTHORISED', 'Only an administrator can do this.');
  }
}

/** An admin may act on anyone; a user only on their own account. */
export function requireSelfOrAdmin(caller: Caller, accountId: string): void {
  if (caller.role !== 'admin' && caller.accountId !== accountId) {
    throw new LatchkeyError('NOT_AUTHORISED', 'You can only do this for your own account.');
  }
}

export function partyOf(caller: Caller): AuditParty {
  return { id: caller.accountId, name: caller.username };
}
