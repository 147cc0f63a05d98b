import type { Command } from 'commander';
import { ALERT_SEVERITIES, ALERT_TITLES, reachesSeverity, type AlertView, type SecurityReport } from '../../shared/monitoring.js';
import { parseArg } from '../arguments.js';
import { fields, table, time } from '../format.js';
import { action } from '../runtime.js';

/** `alerts list --fail-on` found an open alert at or above the severity given: not an error (1) nor a usage mistake (2). */
export const ALERTS_FOUND_EXIT = 3;

const accountsOf = (alert: AlertView): string => (alert.accounts.length === 0 ? '-' : alert.accounts.map((a) => a.name).join(', '));

const percent = (rate: number | null): string => (rate === null ? '-' : `${(rate * 100).toFixed(1)} %`);

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

function describeAlert(alert: AlertView): string[] {
  const action = (what: AlertView['acknowledged']): string =>
    what === null ? '-' : `${what.by.name} at ${time(what.at)}${what.note === null ? '' : `: ${what.note}`}`;
  return fields([
    ['Alert', alert.id],
    ['What', ALERT_TITLES[alert.kind]],
    ['Severity', alert.severity],
    ['State', alert.state],
    ['Accounts', accountsOf(alert)],
    ['First seen', time(alert.firstSeenAt)],
    ['Last seen', time(alert.lastSeenAt)],
    ['Events', `${alert.count} (audit events ${alert.events.join(', ') || '-'}; latchkey audit list shows them)`],
    ['Summary', alert.summary],
    ['Acknowledged', action(alert.acknowledged)],
    ['Resolved', action(alert.resolved)],
  ]);
}

function describeReport(report: SecurityReport): string[] {
  const sum = (counts: { readonly [key: string]: number }): number => Object.values(counts).reduce((a, b) => a + b, 0);
  const breakdown = (counts: { readonly [key: string]: number }): string =>
    Object.entries(counts)
      .map(([key, n]) => `${key} ${n}`)
      .join(', ') || '-';
  const target = (rate: number | null, goal: number): string =>
    `${percent(rate)} (target ${percent(goal)}${rate === null ? '' : rate >= goal ? ', met' : ', not met'})`;
  const setup = report.totpSetup;
  return [
    `Security report, ${report.periodDays} days: ${time(report.from)} to ${time(report.to)}`,
    ...fields([
      ['Sign-ins', String(report.totals.signIns)],
      ['Failed sign-ins', String(report.totals.failures)],
      ['Lockouts', String(report.totals.lockouts)],
      ['Sessions started', String(report.totals.sessionsStarted)],
      ['Median session', duration(report.medianSessionMs)],
      [
        'MFA adoption',
        `${report.mfaAdoption.withSecondFactor} of ${report.mfaAdoption.activeAccounts} active accounts, ${target(report.mfaAdoption.rate, report.mfaAdoption.target)}`,
      ],
      [
        'MFA verification',
        `${report.mfaVerification.succeeded} passed, ${report.mfaVerification.failed} failed, ${target(report.mfaVerification.rate, report.mfaVerification.target)}`,
      ],
      [
        'TOTP setup',
        `${setup.confirmed} confirmed, median ${duration(setup.medianMs)} (target under ${duration(setup.targetMs)}${
          setup.medianMs === null ? '' : setup.medianMs < setup.targetMs ? ', met' : ', not met'
        })`,
      ],
      [
        'Devices per account',
        `median ${report.devicesPerAccount.median ?? '-'}, most ${report.devicesPerAccount.max} (${report.devicesPerAccount.accounts} accounts)`,
      ],
      ['Unresolved alerts', ALERT_SEVERITIES.map((severity) => `${severity} ${report.unresolvedAlerts[severity]}`).join(', ')],
    ]),
    '',
    ...table(
      ['DAY', 'SIGN-INS', 'BY ASSURANCE', 'FAILED', 'BY REASON', 'MFA OK/FAILED', 'ACTIVE SESSIONS', 'LOCKOUTS'],
      report.days.map((day) => [
        time(day.start).slice(0, 10),
        String(sum(day.signIns)),
        breakdown(day.signIns),
        String(sum(day.failures)),
        breakdown(day.failures),
        `${day.mfaVerifications.succeeded}/${day.mfaVerifications.failed}`,
        String(day.activeSessions),
        String(day.lockouts),
      ]),
    ),
  ];
}

/** `alerts …` and `report`: what the detection rules raised, and the figures an administrator watches. */
export function registerMonitoringCommands(program: Command): void {
  const alerts = program.command('alerts').description('What the security monitoring rules raised (administrators).');

  alerts
    .command('list')
    .description(
      `Show alerts, newest first, after checking the audit log whole. With --fail-on, exit status ${ALERTS_FOUND_EXIT} when an open alert at or above that severity exists (acknowledged ones do not count): for cron and monitoring.`,
    )
    .option('--open', 'only alerts not resolved yet (open or acknowledged)')
    .option('--fail-on <severity>', `exit ${ALERTS_FOUND_EXIT} on an open alert at or above ${ALERT_SEVERITIES.join('|')}`)
    .option('--limit <n>', 'at most this many alerts', '100')
    .action(
      action(async (runtime, options: { open?: boolean; failOn?: string; limit: string }) => {
        const limit = parseArg('limit', options.limit, '--limit');
        const failOn = options.failOn === undefined ? undefined : parseArg('severity', options.failOn, '--fail-on');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        // Refused before the log is read, for anyone but an administrator.
        engine.alerts.worstOpen(caller);
        await engine.alerts.checkAuditLog();
        const listed = engine.alerts.list(caller, { unresolvedOnly: options.open === true, limit: Math.min(limit, 1000) });
        const worst = engine.alerts.worstOpen(caller);
        const failed = failOn !== undefined && reachesSeverity(worst, failOn);
        return {
          json: { alerts: listed, worstOpen: worst, ...(failOn === undefined ? {} : { failOn, failed }) },
          text: table(
            ['ID', 'SEVERITY', 'STATE', 'WHAT', 'ACCOUNTS', 'LAST SEEN', 'EVENTS'],
            listed.map((alert) => [
              alert.id,
              alert.severity,
              alert.state,
              ALERT_TITLES[alert.kind],
              accountsOf(alert),
              time(alert.lastSeenAt),
              String(alert.count),
            ]),
          ),
          ...(failed
            ? { exitCode: ALERTS_FOUND_EXIT, warnings: [`An open alert at or above ${failOn} exists (the most severe: ${worst}).`] }
            : {}),
        };
      }),
    );

  alerts
    .command('show')
    .description('Show one alert: what was seen, the audit events it rests on, who acknowledged or resolved it.')
    .argument('<id>', 'the alert id (alrt_…)')
    .action(
      action(async (runtime, id: string) => {
        const alertId = parseArg('alertId', id, 'alert id');
        const alert = (await runtime.engine()).alerts.show(await runtime.caller(), alertId);
        return { json: alert, text: describeAlert(alert) };
      }),
    );

  alerts
    .command('ack')
    .description(
      'Acknowledge an alert: someone is looking at it. It stays listed until resolved, and stops failing `alerts list --fail-on`.',
    )
    .argument('<id>', 'the alert id (alrt_…)')
    .option('--note <text>', 'what is being done')
    .action(
      action(async (runtime, id: string, options: { note?: string }) => {
        const alertId = parseArg('alertId', id, 'alert id');
        const note = options.note === undefined ? null : parseArg('alertNote', options.note, '--note');
        const alert = (await runtime.engine()).alerts.acknowledge(await runtime.caller(), alertId, note);
        return { json: alert, text: `Alert ${alert.id} acknowledged.` };
      }),
    );

  alerts
    .command('resolve')
    .description('Resolve an alert, with a note of what was found or done. A later event of the same kind raises a new one.')
    .argument('<id>', 'the alert id (alrt_…)')
    .requiredOption('--note <text>', 'what was found, or what was done')
    .action(
      action(async (runtime, id: string, options: { note: string }) => {
        const alertId = parseArg('alertId', id, 'alert id');
        const note = parseArg('alertNote', options.note, '--note');
        const alert = (await runtime.engine()).alerts.resolve(await runtime.caller(), alertId, note);
        return { json: alert, text: `Alert ${alert.id} resolved.` };
      }),
    );

  program
    .command('report')
    .description(
      'The security figures over 7, 30 or 90 days: sign-ins, failures, sessions, MFA adoption and success, setup time (administrators).',
    )
    .option('--since <days>', 'the period: 7d, 30d or 90d', '30d')
    .action(
      action(async (runtime, options: { since: string }) => {
        const period = parseArg('reportPeriod', options.since, '--since');
        const report = (await runtime.engine()).reports.report(await runtime.caller(), period);
        return { json: report, text: describeReport(report) };
      }),
    );
}
