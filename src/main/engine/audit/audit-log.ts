import { createHmac } from 'node:crypto';
import type { AuditEventType, AuditOutcome } from '../../../shared/audit-events.js';
import type { AuditEventView, AuditVerdict } from '../../../shared/views.js';
import type { AuditRepository, AuditRow } from '../../store/audit.js';
import type { MetaRepository } from '../../store/meta.js';
import type { VaultVersion } from '../../store/unchanged-cache.js';
import type { Clock } from '../clock.js';
import { constantTimeEqual } from '../crypto/random.js';
import type { AuditAnchor, ChainPoint } from './audit-anchor.js';

export interface AuditParty {
  readonly id: string | null;
  readonly name: string;
}

/** An account as an event's actor or target: its id, and its name as it was then. */
export function accountParty(account: { readonly id: string; readonly username: string }): AuditParty {
  return { id: account.id, name: account.username };
}

/** What a rule reports. Never put a secret here: the type allows only plain, short facts. */
export interface AuditEntry {
  readonly type: AuditEventType;
  readonly outcome: AuditOutcome;
  readonly actor?: AuditParty | null;
  readonly target?: AuditParty | null;
  readonly sessionId?: string | null;
  readonly device?: string | null;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditFilter {
  readonly accountId?: string;
  /**
   * Events whose actor or target was recorded under this (normalised) name: the way to find the
   * history of an account that has since been deleted, whose id no account has any more.
   */
  readonly accountName?: string;
  readonly type?: string;
  readonly since?: number;
  readonly limit?: number;
}

const HEAD_KEY = 'audit_head';
/** How many anchors may pass on this process's writes alone before it looks for other processes' events. */
const OTHERS_LOOKED_FOR_EVERY = 16;
const GENESIS: Buffer = Buffer.alloc(32);

type Head = ChainPoint;

/**
 * An append-only, tamper-evident log. Each row carries HMAC(key, previous MAC ‖ row), and an
 * authenticated head records the last row, so an edited, removed, reordered or cut-off row shows.
 * Callers append inside the transaction that makes the change, so the two commit together.
 */
export class AuditLog {
  readonly #rows: AuditRepository;
  readonly #meta: MetaRepository;
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #anchor: AuditAnchor;
  readonly #keepTime: () => Promise<void>;
  readonly #version: VaultVersion | null;
  /** The vault's version when the head was last recorded outside it, and this process's writes then. */
  #anchoredAt: string | null = null;
  #anchoredWritesHere = -1;
  #anchorsSinceLook = 0;

  /**
   * `keepTime` records the vault's time mark outside the file, beside the anchor; `version` lets
   * `anchor` skip reading the head again while nothing was committed.
   */
  constructor(
    rows: AuditRepository,
    meta: MetaRepository,
    key: Buffer,
    clock: Clock,
    anchor: AuditAnchor,
    keepTime: () => Promise<void> = () => Promise.resolve(),
    version: VaultVersion | null = null,
  ) {
    this.#rows = rows;
    this.#meta = meta;
    this.#key = key;
    this.#clock = clock;
    this.#anchor = anchor;
    this.#keepTime = keepTime;
    this.#version = version;
  }

  /** Only the write path calls this, inside a change's transaction. Returns the event's seq. */
  append(entry: AuditEntry): number {
    // With no valid head (it was removed or forged) the new row starts a fresh chain after the
    // last stored row: it never verifies against its predecessor, so the break stays on record.
    const head = this.#readHead() ?? { seq: this.#rows.lastSeq(), mac: GENESIS };
    const unsigned: Omit<AuditRow, 'mac'> = {
      seq: head.seq + 1,
      at: this.#clock.now(),
      type: entry.type,
      outcome: entry.outcome,
      actor_id: entry.actor?.id ?? null,
      actor_name: entry.actor?.name ?? null,
      target_id: entry.target?.id ?? null,
      target_name: entry.target?.name ?? null,
      session_id: entry.sessionId ?? null,
      device: entry.device ?? null,
      reason: entry.reason ?? null,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
    };
    const mac = this.#rowMac(head.mac, unsigned);
    this.#rows.insert({ ...unsigned, mac });
    this.#writeHead({ seq: unsigned.seq, mac });
    return unsigned.seq;
  }

  list(filter: AuditFilter = {}): AuditEventView[] {
    const rows = this.#rows.query({
      limit: Math.min(Math.max(filter.limit ?? 100, 1), 10_000),
      ...(filter.accountId === undefined ? {} : { accountId: filter.accountId }),
      ...(filter.accountName === undefined ? {} : { accountName: filter.accountName }),
      ...(filter.type === undefined ? {} : { typePrefix: filter.type }),
      ...(filter.since === undefined ? {} : { since: filter.since }),
    });
    return rows.map(toView);
  }

  /** Every event, oldest first, for export. */
  *all(): Generator<AuditEventView> {
    for (const row of this.#rows.iterate()) yield toView(row);
  }

  /**
   * Checks the chain in the file, then the anchor kept outside it: a log that holds together but
   * stops short of (or strays from) the furthest point this computer saw is an older copy.
   */
  async verify(): Promise<AuditVerdict> {
    const chain = this.#verifyChain();
    // Dates out of order are told only once the log is known whole and current.
    if (!chain.intact && chain.problem !== 'time_backwards') return chain;
    const finding = await this.#anchor.check(chain.events, (seq) => (seq === 0 ? GENESIS : this.#rows.macAt(seq)));
    if (finding.agrees) return chain;
    return finding.how === 'short'
      ? broken(
          chain.events,
          chain.events + 1,
          'rolled_back',
          `The log ends at event ${chain.events}, but this computer has seen it reach event ${finding.anchoredSeq}: the vault was replaced by an older copy.`,
        )
      : broken(
          chain.events,
          1,
          'rolled_back',
          `Event ${finding.anchoredSeq} is not the one this computer has seen: the vault was replaced by a different copy.`,
        );
  }

  /**
   * Records the committed head outside the vault (see AuditAnchor). Hosts call it after work
   * that may have written events; it costs nothing when no event was added since the last call.
   */
  async anchor(): Promise<void> {
    // Hosts call this after every call a window makes, nearly all of which write nothing: while
    // nothing was committed the recorded head is the head, and reading it (a statement and an HMAC)
    // would cost more than the call. The time mark is kept either way.
    // This process's own events are anchored at once; those of other processes (which anchor
    // their own) are looked for every few calls, as a look costs what the call itself does.
    const writesHere = this.#version?.writesHere() ?? -1;
    this.#anchorsSinceLook += 1;
    if (writesHere >= 0 && writesHere === this.#anchoredWritesHere && this.#anchorsSinceLook < OTHERS_LOOKED_FOR_EVERY) {
      await this.#keepTime();
      return;
    }
    this.#anchorsSinceLook = 0;
    const version = this.#version?.now() ?? null;
    const record =
      version !== null && version === this.#anchoredAt
        ? Promise.resolve()
        : this.#anchor
            .record(() => this.#readHead())
            .then(() => {
              this.#anchoredAt = version;
              this.#anchoredWritesHere = writesHere;
            });
    await Promise.all([record, this.#keepTime()]);
  }

  #verifyChain(): AuditVerdict {
    let previous: Buffer = GENESIS;
    let expectedSeq = 1;
    let events = 0;
    let latest = 0;
    let backwards: { seq: number; at: number; latest: number } | null = null;
    for (const row of this.#rows.iterate()) {
      if (row.seq !== expectedSeq) {
        return broken(events, expectedSeq, 'missing', `Event ${expectedSeq} is missing from the log.`);
      }
      const { mac, ...unsigned } = row;
      if (!constantTimeEqual(mac, this.#rowMac(previous, unsigned))) {
        return broken(events, row.seq, 'altered', `Event ${row.seq} was altered, or events around it were reordered.`);
      }
      // Each event is dated at or after the one before (the vault's time never goes back), so an
      // earlier date means a clock was moved while the vault was written, or rows were forged.
      if (row.at < latest) backwards ??= { seq: row.seq, at: row.at, latest };
      latest = Math.max(latest, row.at);
      previous = mac;
      expectedSeq += 1;
      events += 1;
    }
    const head = this.#readHead();
    const lastSeq = expectedSeq - 1;
    // Every vault is born with a head (seq 0), so a missing head means the log was wiped or cut.
    if (head === null || head.seq !== lastSeq || !constantTimeEqual(head.mac, previous)) {
      return broken(events, lastSeq + 1, 'truncated', 'The log ends before its last recorded event: events were removed from its end.');
    }
    if (backwards !== null) {
      return broken(
        events,
        backwards.seq,
        'time_backwards',
        `Event ${backwards.seq} is dated ${new Date(backwards.at).toISOString()}, before an earlier event dated ${new Date(backwards.latest).toISOString()}: the clock was moved back while the log was written.`,
      );
    }
    return { intact: true, events };
  }

  #rowMac(previous: Buffer, row: Omit<AuditRow, 'mac'>): Buffer {
    const canonical = JSON.stringify([
      row.seq,
      row.at,
      row.type,
      row.outcome,
      row.actor_id,
      row.actor_name,
      row.target_id,
      row.target_name,
      row.session_id,
      row.device,
      row.reason,
      row.details,
    ]);
    return createHmac('sha256', this.#key).update(previous).update(canonical, 'utf8').digest();
  }

  #readHead(): Head | null {
    return readHead(this.#meta, this.#key);
  }

  #writeHead(head: Head): void {
    writeHead(this.#meta, this.#key, head);
  }
}

/** Called once, when a vault is created: the empty log's authenticated head. */
export function startAuditChain(meta: MetaRepository, key: Buffer): void {
  writeHead(meta, key, { seq: 0, mac: GENESIS });
}

function headTag(key: Buffer, head: Head): Buffer {
  return createHmac('sha256', key).update(`head:${head.seq}:`).update(head.mac).digest();
}

/** A head whose tag does not verify counts as absent, which `verify` then reports. */
function readHead(meta: MetaRepository, key: Buffer): Head | null {
  const stored = meta.get(HEAD_KEY);
  if (stored === null) return null;
  const [seqText, macText, tagText] = stored.split('.');
  const head = { seq: Number(seqText), mac: Buffer.from(macText ?? '', 'base64url') };
  const tag = Buffer.from(tagText ?? '', 'base64url');
  return Number.isSafeInteger(head.seq) && constantTimeEqual(tag, headTag(key, head)) ? head : null;
}

function writeHead(meta: MetaRepository, key: Buffer, head: Head): void {
  meta.set(HEAD_KEY, `${head.seq}.${head.mac.toString('base64url')}.${headTag(key, head).toString('base64url')}`);
}

function broken(
  events: number,
  brokenAt: number,
  problem: Extract<AuditVerdict, { intact: false }>['problem'],
  message: string,
): AuditVerdict {
  return { intact: false, events, brokenAt, problem, message };
}

function toView(row: AuditRow): AuditEventView {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type as AuditEventView['type'],
    outcome: row.outcome as AuditEventView['outcome'],
    actor: row.actor_name === null ? null : { id: row.actor_id, name: row.actor_name },
    target: row.target_name === null ? null : { id: row.target_id, name: row.target_name },
    sessionId: row.session_id,
    device: row.device,
    reason: row.reason,
    details: row.details === null ? null : (JSON.parse(row.details) as AuditEventView['details']),
  };
}

/** The log as rules and hosts read it; events are appended only by the write path. */
export type AuditReader = Pick<AuditLog, 'list' | 'all' | 'verify' | 'anchor'>;
