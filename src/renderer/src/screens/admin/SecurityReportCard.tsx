import { useId, type ReactNode } from 'react';
import { REPORT_PERIODS, type ReportDay, type ReportPeriod, type SecurityReport } from '../../../../shared/monitoring';
import { ASSURANCE_LABELS, type Assurance } from '../../../../shared/views';
import { ErrorAlert } from '../../components/Alerts';
import { Card } from '../../components/Card';
import { DataTable } from '../../components/DataTable';
import { reasonLabel } from '../../format/labels';
import { formatDay, formatDuration, plural } from '../../format/time';
import { useMonitoring } from '../../stores/monitoring';
import { DailyBarsChart } from './DailyBarsChart';
import { TargetsChart, type TargetMeasure } from './TargetsChart';

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

const sum = (counts: { readonly [key: string]: number }): number => Object.values(counts).reduce((total, n) => total + n, 0);
const signIns = (day: ReportDay): number => sum(day.signIns);
const failures = (day: ReportDay): number => sum(day.failures);

/** The security figures over the chosen period: sign-ins and failures, sessions, the seed's targets, devices. */
export function SecurityReportCard() {
  const report = useMonitoring((s) => s.report);
  const period = useMonitoring((s) => s.period);
  const setPeriod = useMonitoring((s) => s.setPeriod);

  return (
    <Card
      title="Security report"
      description={
        report.data === null
          ? 'Figures over the chosen period, by UTC day.'
          : `From ${formatDay(report.data.from, true)} to ${formatDay(report.data.to - 1, true)}, by UTC day.`
      }
      actions={<PeriodControl period={period} busy={report.loading} onChange={(p) => void setPeriod(p)} />}
    >
      <ErrorAlert error={report.error} />
      {report.data === null ? (
        report.loading && <p className="loading-line">Loading the report…</p>
      ) : (
        <ReportFigures report={report.data} />
      )}
    </Card>
  );
}

/** 7 / 30 / 90 days as a segmented control: radio buttons, so arrow keys move between them. */
function PeriodControl({
  period,
  busy,
  onChange,
}: {
  readonly period: ReportPeriod;
  readonly busy: boolean;
  onChange: (period: ReportPeriod) => void;
}) {
  const name = useId();
  return (
    <fieldset className="segmented" aria-busy={busy || undefined}>
      <legend className="visually-hidden">Period</legend>
      {REPORT_PERIODS.map((days) => (
        <label key={days} className="segmented__option">
          <input type="radio" name={name} value={days} checked={period === days} onChange={() => onChange(days)} />
          <span>{days} days</span>
        </label>
      ))}
    </fieldset>
  );
}

function ReportFigures({ report }: { readonly report: SecurityReport }) {
  const { totals, mfaAdoption, mfaVerification, totpSetup, devicesPerAccount } = report;
  const days = report.days;
  const peak = days.reduce((top, day) => Math.max(top, day.activeSessions), 0);

  return (
    <div className="report">
      <dl className="report__figures">
        <Figure label="Sign-ins" value={String(totals.signIns)} />
        <Figure label="Failed sign-ins" value={String(totals.failures)} />
        <Figure label="Lockouts" value={String(totals.lockouts)} />
        <Figure label="Sessions started" value={String(totals.sessionsStarted)} />
        <Figure
          label="Median session length"
          value={report.medianSessionMs === null ? '—' : lengthText(report.medianSessionMs, 60_000)}
          note={report.medianSessionMs === null ? 'No session ended in this period' : undefined}
        />
        <Figure
          label="Devices per account (median)"
          value={devicesPerAccount.median === null ? '—' : String(devicesPerAccount.median)}
          note={`Most: ${devicesPerAccount.max}, over ${plural(devicesPerAccount.accounts, 'account')}`}
        />
      </dl>

      <ReportSection title="Sign-ins and failures per day">
        <DailyBarsChart
          title="Sign-ins and failed sign-ins per day"
          summary={`Over ${plural(days.length, 'day')}: ${plural(totals.signIns, 'sign-in')}, ${plural(totals.failures, 'failed sign-in')} and ${plural(totals.lockouts, 'lockout')}.`}
          days={days}
          series={[
            { label: 'Sign-ins', tone: 'signins', value: signIns },
            { label: 'Failed sign-ins', tone: 'failures', value: failures },
          ]}
          extraColumns={[{ label: 'Lockouts', value: (day) => day.lockouts }]}
        />
        <Breakdown report={report} />
      </ReportSection>

      <ReportSection title="Active sessions">
        <DailyBarsChart
          title="Sessions active per day"
          summary={`At most ${plural(peak, 'session')} active in a day; ${plural(totals.sessionsStarted, 'session')} started in the period.`}
          days={days}
          series={[{ label: 'Active sessions', tone: 'sessions', value: (day) => day.activeSessions }]}
          extraColumns={[{ label: 'Sessions started', value: (day) => day.sessionsStarted }]}
        />
      </ReportSection>

      <ReportSection title="Two-step sign-in against its targets">
        <TargetsChart
          title="Two-step sign-in against its targets"
          measures={[
            rateMeasure(
              'MFA adoption',
              mfaAdoption.rate,
              mfaAdoption.target,
              `${mfaAdoption.withSecondFactor} of ${plural(mfaAdoption.activeAccounts, 'active account')}`,
            ),
            rateMeasure(
              'MFA verification success',
              mfaVerification.rate,
              mfaVerification.target,
              `${mfaVerification.succeeded} of ${plural(mfaVerification.succeeded + mfaVerification.failed, 'second step')} tried`,
            ),
            setupMeasure(totpSetup),
          ]}
        />
      </ReportSection>
    </div>
  );
}

function ReportSection({ title, children }: { readonly title: string; readonly children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="report__section" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      {children}
    </section>
  );
}

function Figure({ label, value, note }: { readonly label: string; readonly value: string; readonly note?: string | undefined }) {
  return (
    <div className="report__figure">
      <dt>{label}</dt>
      <dd>
        <span className="report__value">{value}</span>
        {note !== undefined && <span className="report__note">{note}</span>}
      </dd>
    </div>
  );
}

/** The engine counts session lengths in whole minutes and setup times in whole seconds: a 0 is "under" that unit. */
function lengthText(ms: number, unitMs: 60_000 | 1000): string {
  if (ms < unitMs) return unitMs === 60_000 ? 'under a minute' : 'under a second';
  return formatDuration(ms / 1000);
}

function rateMeasure(label: string, rate: number | null, target: number, basis: string): TargetMeasure {
  return {
    label,
    position: rate,
    targetPosition: target,
    valueText: rate === null ? '—' : percent.format(rate),
    targetText: percent.format(target),
    met: rate === null ? null : rate >= target,
    basis,
  };
}

/** Lower is better here: the scale runs to twice the target, or further for a slow median. */
function setupMeasure(setup: SecurityReport['totpSetup']): TargetMeasure {
  const scale = Math.max(2 * setup.targetMs, (setup.medianMs ?? 0) * 1.1);
  return {
    label: 'Median TOTP setup time',
    position: setup.medianMs === null ? null : setup.medianMs / scale,
    targetPosition: setup.targetMs / scale,
    valueText: setup.medianMs === null ? '—' : lengthText(setup.medianMs, 1000),
    targetText: `${formatDuration(setup.targetMs / 1000)} or less`,
    met: setup.medianMs === null ? null : setup.medianMs <= setup.targetMs,
    basis: plural(setup.confirmed, 'setup') + ' confirmed',
  };
}

/** The period's sign-ins by the assurance of the session they started, and its failures by reason. */
function Breakdown({ report }: { readonly report: SecurityReport }) {
  const byAssurance = totalsBy(report.days.map((day) => day.signIns));
  const byReason = totalsBy(report.days.map((day) => day.failures));
  if (byAssurance.length === 0 && byReason.length === 0) return null;
  return (
    <details className="chart__table">
      <summary>Sign-ins by assurance and failures by reason</summary>
      <div className="report__breakdown">
        <DataTable caption="Sign-ins by assurance" hideCaption={false}>
          <thead>
            <tr>
              <th scope="col">Assurance</th>
              <th scope="col" className="numeric">
                Sign-ins
              </th>
            </tr>
          </thead>
          <tbody>
            {byAssurance.map(([assurance, count]) => (
              <tr key={assurance}>
                <th scope="row">{ASSURANCE_LABELS[assurance as Assurance] ?? assurance}</th>
                <td className="numeric">{count}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
        <DataTable caption="Failures by reason" hideCaption={false}>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col" className="numeric">
                Failures
              </th>
            </tr>
          </thead>
          <tbody>
            {byReason.map(([reason, count]) => (
              <tr key={reason}>
                <th scope="row">{reasonLabel(reason)}</th>
                <td className="numeric">{count}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </div>
    </details>
  );
}

function totalsBy(counts: readonly { readonly [key: string]: number }[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const day of counts) for (const [key, n] of Object.entries(day)) totals.set(key, (totals.get(key) ?? 0) + n);
  return [...totals].sort((a, b) => b[1] - a[1]);
}
