import type { ActivityBucket } from '../../../../shared/views';
import { formatDay, plural } from '../../format/time';
import { DailyBarsChart } from './DailyBarsChart';

/** Sign-ins and failed sign-ins per day, from the audit log's activity buckets. */
export function ActivityChart({ buckets }: { readonly buckets: readonly ActivityBucket[] }) {
  const totals = buckets.reduce((sum, b) => ({ signIns: sum.signIns + b.signIns, failures: sum.failures + b.failures }), {
    signIns: 0,
    failures: 0,
  });
  const busiest = buckets.reduce<ActivityBucket | null>(
    (top, b) => (top === null || b.signIns + b.failures > top.signIns + top.failures ? b : top),
    null,
  );
  const summary =
    `Over the last ${plural(buckets.length, 'day')}: ${plural(totals.signIns, 'sign-in')} and ${plural(totals.failures, 'failed sign-in')}.` +
    (busiest !== null && busiest.signIns + busiest.failures > 0
      ? ` Busiest day: ${formatDay(busiest.start, true)}, with ${plural(busiest.signIns, 'sign-in')} and ${plural(busiest.failures, 'failure')}.`
      : '');

  return (
    <DailyBarsChart
      title="Sign-ins and failed sign-ins per day"
      summary={summary}
      days={buckets}
      series={[
        { label: 'Sign-ins', tone: 'signins', value: (b) => b.signIns },
        { label: 'Failed sign-ins', tone: 'failures', value: (b) => b.failures },
      ]}
    />
  );
}
