import { ALERT_EVIDENCE_KEPT, type AlertKind, type AlertPartyView, type AlertSeverity } from '../../../shared/monitoring.js';
import type { AlertRow } from '../../store/monitoring.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { DAY } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { Policy } from '../policy/policy-keys.js';
import type { WritableRepositories } from '../write-path.js';
import { countFigures } from './figures.js';
import { type Finding, RULES_BY_EVENT, type RuleTools, type Window } from './rules.js';

/** No rule's window is longer (policy caps every window at a day). */
export const HIT_KEPT = DAY;

/**
 * Runs the detection rules and counts the report's figures as each audit event is written, in the
 * event's own transaction: an alert exists exactly when the events it rests on do. It reads a few
 * indexed rows per event and never refuses anything, so a sign-in goes as it would without it.
 */
export class Monitor {
  readonly #repos: WritableRepositories;
  readonly #policy: () => Policy;
  readonly #on: boolean;

  constructor(repos: WritableRepositories, policy: () => Policy, on = true) {
    this.#repos = repos;
    this.#policy = policy;
    this.#on = on;
  }

  /**
   * Taken before the security notices follow a sign-in: they remember its device, so a device
   * they add is one the account had never signed in from (SecurityNotices decides; this reads it).
   */
  knownDevicesBefore(entry: AuditEntry): number | null {
    const accountId = entry.target?.id;
    return this.#on && entry.type === 'signin.succeeded' && accountId != null ? this.#repos.knownDevices.count(accountId) : null;
  }

  follow(entry: AuditEntry, seq: number, at: number, knownDevicesBefore: number | null): void {
    if (!this.#on) return;
    countFigures(this.#repos, entry, at);
    const rules = RULES_BY_EVENT.get(entry.type);
    if (rules === undefined) return;
    const accountId = entry.target?.id;
    const newDevice =
      knownDevicesBefore !== null &&
      knownDevicesBefore > 0 &&
      accountId != null &&
      this.#repos.knownDevices.count(accountId) > knownDevicesBefore;
    // Read once an event, and only when a rule asks: most events need no threshold.
    let policy: Policy | undefined;
    const readPolicy = this.#policy;
    const tools = (kind: AlertKind): RuleTools => ({
      get policy() {
        return (policy ??= readPolicy());
      },
      window: (subject, ms) => this.#window(kind, subject, seq, at, at - ms),
    });
    for (const rule of rules) {
      const finding = rule.detect({ entry, seq, at, newDevice }, tools(rule.kind));
      if (finding !== null) recordFinding(this.#repos, rule.kind, rule.severity, finding, seq, at);
    }
  }

  #window(rule: string, subject: string, seq: number, at: number, since: number): Window {
    const hits = this.#repos.monitorHits;
    return {
      add: (value, options = {}) => {
        const fresh = !hits.has(rule, subject, value, since);
        // A window of distinct values keeps one row per value, its latest sighting: counting them
        // stays as cheap as the values are few, however many events repeat one.
        if (options.distinct === true && !fresh) hits.touch(rule, subject, value, at, seq, since);
        else hits.record(rule, subject, value, at, seq, since, at - HIT_KEPT);
        return { count: hits.count(rule, subject, since), fresh };
      },
      evidence: () => hits.hits(rule, subject, since).map((hit) => hit.seq),
    };
  }
}

/** Adds a finding to the rule's unresolved alert about its subject, or raises one when it crossed the threshold. */
export function recordFinding(
  repos: Pick<WritableRepositories, 'alerts'>,
  kind: AlertKind,
  severity: AlertSeverity,
  finding: Finding,
  seq: number | null,
  at: number,
): void {
  const alerts = repos.alerts;
  const open = alerts.unresolved(kind, finding.subject);
  if (open !== undefined) {
    if (!finding.adds) return;
    alerts.update({
      id: open.id,
      summary: finding.summary,
      accounts: JSON.stringify(mergeAccounts(JSON.parse(open.accounts) as AlertPartyView[], finding.accounts)),
      last_seen_at: at,
      count: open.count + 1,
      events: JSON.stringify(keepEvidence([...(JSON.parse(open.events) as number[]), ...(seq === null ? [] : [seq])])),
    });
    return;
  }
  if (!finding.crossed) return;
  const evidence = finding.evidence();
  const row: AlertRow = {
    id: newId('alrt'),
    kind,
    severity,
    subject: finding.subject,
    summary: finding.summary,
    accounts: JSON.stringify(mergeAccounts([], finding.accounts)),
    first_seen_at: at,
    last_seen_at: at,
    count: Math.max(1, evidence.length),
    events: JSON.stringify(keepEvidence([...evidence])),
    state: 'open',
    acknowledged_by_id: null,
    acknowledged_by_name: null,
    acknowledged_at: null,
    acknowledged_note: null,
    resolved_by_id: null,
    resolved_by_name: null,
    resolved_at: null,
    resolved_note: null,
  };
  alerts.insert(row);
}

function mergeAccounts(held: readonly AlertPartyView[], more: readonly AlertPartyView[]): AlertPartyView[] {
  const merged = [...held];
  for (const account of more) if (!merged.some((a) => a.id === account.id)) merged.push(account);
  // An alert about many accounts names the first few hundred: its events name the rest.
  return merged.slice(0, 200);
}

/** The first events and the latest, so an alert that takes in a flood stays small and still shows how it began. */
function keepEvidence(seqs: number[]): number[] {
  if (seqs.length <= ALERT_EVIDENCE_KEPT) return seqs;
  const half = ALERT_EVIDENCE_KEPT / 2;
  return [...seqs.slice(0, half), ...seqs.slice(-half)];
}
