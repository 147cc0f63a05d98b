import { LatchkeyError } from '../../../shared/errors.js';
import {
  ALERT_SEVERITIES,
  REPORT_PERIODS,
  REPORT_TARGETS,
  type AlertSeverity,
  type ReportDay,
  type ReportPeriod,
  type SecurityReport,
} from '../../../shared/monitoring.js';
import { type Caller, requireAdmin } from '../caller.js';
import { DAY, MINUTE } from '../clock.js';
import type { EngineContext } from '../context.js';
import { FIGURE } from './figures.js';

export function isReportPeriod(days: number): days is ReportPeriod {
  return (REPORT_PERIODS as readonly number[]).includes(days);
}

interface MutableDay {
  start: number;
  signIns: Record<string, number>;
  failures: Record<string, number>;
  activeSessions: number;
  sessionsStarted: number;
  sessionsEnded: number;
  lockouts: number;
  mfaVerifications: { succeeded: number; failed: number };
}

/**
 * The figures an administrator watches, over the last 7, 30 or 90 days (today included, UTC
 * days). Everything comes from the daily counters the write path keeps (security_daily) and a few
 * counts of the current state, so the answer costs the same however long the audit log is.
 */
export class SecurityReports {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  report(caller: Caller, periodDays: number): SecurityReport {
    requireAdmin(caller);
    if (!isReportPeriod(periodDays)) {
      throw new LatchkeyError('INVALID_INPUT', `The report covers ${REPORT_PERIODS.join(', ')} days.`);
    }
    const now = this.#ctx.clock.now();
    const today = Math.floor(now / DAY);
    const firstDay = today - periodDays + 1;
    const days: MutableDay[] = Array.from({ length: periodDays }, (_, i) => ({
      start: (firstDay + i) * DAY,
      signIns: {},
      failures: {},
      activeSessions: 0,
      sessionsStarted: 0,
      sessionsEnded: 0,
      lockouts: 0,
      mfaVerifications: { succeeded: 0, failed: 0 },
    }));
    const sessionMinutes = new Map<number, number>();
    const setupSeconds = new Map<number, number>();
    const figures = this.#ctx.repos.figures;
    for (const row of figures.range(firstDay, today)) {
      const day = days[row.day - firstDay];
      if (day === undefined) continue;
      switch (row.figure) {
        case FIGURE.signIn:
          day.signIns[row.value] = (day.signIns[row.value] ?? 0) + row.count;
          break;
        case FIGURE.failure:
          day.failures[row.value] = (day.failures[row.value] ?? 0) + row.count;
          break;
        case FIGURE.mfaVerify:
          if (row.value === 'succeeded') day.mfaVerifications.succeeded += row.count;
          else day.mfaVerifications.failed += row.count;
          break;
        case FIGURE.lockout:
          day.lockouts += row.count;
          break;
        case FIGURE.sessionStart:
          day.sessionsStarted += row.count;
          break;
        case FIGURE.sessionEnd:
          day.sessionsEnded += row.count;
          break;
        case FIGURE.sessionMinutes:
          addTo(sessionMinutes, Number(row.value), row.count);
          break;
        case FIGURE.totpSetupSeconds:
          addTo(setupSeconds, Number(row.value), row.count);
          break;
        default:
          break;
      }
    }
    // Active in a day: live at its start, or started in it. Walked back from the sessions live now.
    let liveAtEnd = figures.activeSessions(now);
    for (let i = days.length - 1; i >= 0; i -= 1) {
      const day = days[i] as MutableDay;
      const liveAtStart = Math.max(0, liveAtEnd - day.sessionsStarted + day.sessionsEnded);
      day.activeSessions = liveAtStart + day.sessionsStarted;
      liveAtEnd = liveAtStart;
    }
    const sum = (pick: (day: MutableDay) => number): number => days.reduce((total, day) => total + pick(day), 0);
    const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
    const accounts = figures.accountsWithMfa();
    const verified = { succeeded: sum((d) => d.mfaVerifications.succeeded), failed: sum((d) => d.mfaVerifications.failed) };
    const devices = figures.devicesPerAccount();
    const medianMinutes = medianOf(sessionMinutes);
    const medianSetup = medianOf(setupSeconds);
    const open = Object.fromEntries(ALERT_SEVERITIES.map((severity) => [severity, 0])) as Record<AlertSeverity, number>;
    for (const row of this.#ctx.repos.alerts.unresolvedBySeverity()) open[row.severity] += row.n;
    return {
      periodDays,
      from: firstDay * DAY,
      to: now,
      days: days.map(({ sessionsEnded: _ended, ...day }): ReportDay => day),
      totals: {
        signIns: sum((d) => total(d.signIns)),
        failures: sum((d) => total(d.failures)),
        lockouts: sum((d) => d.lockouts),
        sessionsStarted: sum((d) => d.sessionsStarted),
      },
      medianSessionMs: medianMinutes === null ? null : medianMinutes * MINUTE,
      mfaAdoption: {
        withSecondFactor: accounts.enabled,
        activeAccounts: accounts.active,
        rate: accounts.active === 0 ? null : accounts.enabled / accounts.active,
        target: REPORT_TARGETS.mfaAdoption,
      },
      mfaVerification: {
        ...verified,
        rate: verified.succeeded + verified.failed === 0 ? null : verified.succeeded / (verified.succeeded + verified.failed),
        target: REPORT_TARGETS.mfaVerificationSuccess,
      },
      totpSetup: {
        confirmed: [...setupSeconds.values()].reduce((a, b) => a + b, 0),
        medianMs: medianSetup === null ? null : medianSetup * 1000,
        targetMs: REPORT_TARGETS.totpSetupMs,
      },
      devicesPerAccount: {
        accounts: devices.length,
        median: devices.length === 0 ? null : medianOfSorted(devices),
        max: devices.at(-1) ?? 0,
      },
      unresolvedAlerts: open,
    };
  }
}

function addTo(histogram: Map<number, number>, value: number, count: number): void {
  if (Number.isFinite(value)) histogram.set(value, (histogram.get(value) ?? 0) + count);
}

/** The median of a histogram (value → how many): the lower middle value when the count is even. */
function medianOf(histogram: Map<number, number>): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const middle = Math.ceil(total / 2);
  let seen = 0;
  for (const value of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(value) ?? 0;
    if (seen >= middle) return value;
  }
  return null;
}

function medianOfSorted(values: readonly number[]): number {
  return values[Math.ceil(values.length / 2) - 1] ?? 0;
}
