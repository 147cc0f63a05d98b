import { LatchkeyError, isLatchkeyError } from '../../../shared/errors.js';
import type { ActivityBucket, AuditEventView, AuditVerdict } from '../../../shared/views.js';
import { normaliseUsername } from '../../../shared/fields.js';
import { type Caller, requireAdmin } from '../caller.js';
import { DAY } from '../clock.js';
import type { EngineContext } from '../context.js';

/** What a reader of the log asks for. Without an account, a user gets their own events. */
export interface AuditQuery {
  /** An account by id (the app's filter). */
  readonly accountId?: string;
  /** An account by name; a name no account has now is matched against the names events recorded. */
  readonly accountName?: string;
  /** An event type (`signin.failed`) or a group (`session`). */
  readonly type?: string;
  readonly since?: number;
  readonly limit?: number;
}

export interface AuditListing {
  readonly events: AuditEventView[];
  /** Set when `accountName` named no account now, and events were matched by the name they recorded. */
  readonly recordedName: string | null;
}

/** The longest span the activity chart covers. */
export const ACTIVITY_MAX_DAYS = 90;

/**
 * The audit log as people read it. Who may read what is decided here, for every host alike: a
 * user reads the events by or about their own account; an administrator reads, verifies and exports
 * all of them.
 */
export class AuditService {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  list(caller: Caller, query: AuditQuery = {}): AuditListing {
    let accountId = query.accountId;
    let recordedName: string | null = null;
    if (query.accountName !== undefined) {
      try {
        accountId = this.#accountIdOf(query.accountName);
      } catch (error) {
        if (!isLatchkeyError(error) || error.code !== 'NOT_FOUND') throw error;
        // A deleted account's id is gone with it, but its events keep the name it had.
        recordedName = normaliseUsername(query.accountName);
      }
    }
    if (caller.role !== 'admin') {
      if (recordedName !== null || (accountId !== undefined && accountId !== caller.accountId)) requireAdmin(caller);
      accountId = caller.accountId;
    }
    const events = this.#ctx.audit.list({
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(accountId === undefined ? {} : { accountId }),
      ...(recordedName === null ? {} : { accountName: recordedName }),
      ...(query.type === undefined ? {} : { type: query.type }),
      ...(query.since === undefined ? {} : { since: query.since }),
    });
    return { events, recordedName };
  }

  /** Checks the chain and the anchor outside the file (administrators). */
  verify(caller: Caller): Promise<AuditVerdict> {
    requireAdmin(caller);
    return this.#ctx.audit.verify();
  }

  /**
   * Every event, oldest first, one JSON object a line (administrators): the one export format. The
   * caller is checked now, before the first line is asked for (a generator alone would check late).
   */
  exportLines(caller: Caller): Iterable<string> {
    requireAdmin(caller);
    return jsonLines(this.#ctx.audit.all());
  }

  /** Sign-ins and failed sign-ins per day (UTC) over the last `days` days, today included (administrators). */
  activity(caller: Caller, days: number): ActivityBucket[] {
    requireAdmin(caller);
    if (!Number.isInteger(days) || days < 1 || days > ACTIVITY_MAX_DAYS) {
      throw new LatchkeyError('INVALID_INPUT', `The activity chart covers 1 to ${ACTIVITY_MAX_DAYS} days.`);
    }
    const startOfToday = Math.floor(this.#ctx.clock.now() / DAY) * DAY;
    const since = startOfToday - (days - 1) * DAY;
    const buckets = Array.from({ length: days }, (_, i) => ({ start: since + i * DAY, signIns: 0, failures: 0 }));
    for (const event of this.#ctx.audit.list({ type: 'signin', since, limit: 10_000 })) {
      const bucket = buckets[Math.floor((event.at - since) / DAY)];
      if (bucket === undefined) continue;
      if (event.type === 'signin.succeeded') bucket.signIns += 1;
      else if (event.type === 'signin.failed') bucket.failures += 1;
    }
    return buckets;
  }

  /**
   * Records the committed head of the log outside the vault. Hosts call it after work that may have
   * written events; it reads nothing on anyone's behalf, so it takes no caller.
   */
  anchor(): Promise<void> {
    return this.#ctx.audit.anchor();
  }

  #accountIdOf(name: string): string {
    const row = this.#ctx.repos.accounts.byUsername(normaliseUsername(name));
    if (row === undefined) throw new LatchkeyError('NOT_FOUND', `There is no account named "${name}".`);
    return row.id;
  }
}

function* jsonLines(events: Iterable<AuditEventView>): Generator<string> {
  for (const event of events) yield `${JSON.stringify(event)}\n`;
}
