import { useId } from 'react';
import type { ActivityBucket } from '../../../../shared/views';
import { DataTable } from '../../components/DataTable';
import { formatDay, plural } from '../../format/time';

// About the size it is drawn at on a desktop window, so that its text matches the page's.
const WIDTH = 1040;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 8, bottom: 28, left: 36 };

/**
 * Sign-ins and failed sign-ins per day, as a bar chart drawn in SVG. The SVG is one image with a
 * summary for assistive technology; the numbers themselves are in the table that follows it.
 */
export function ActivityChart({ buckets }: { readonly buckets: readonly ActivityBucket[] }) {
  const titleId = useId();
  const descriptionId = useId();
  const totals = buckets.reduce((sum, b) => ({ signIns: sum.signIns + b.signIns, failures: sum.failures + b.failures }), {
    signIns: 0,
    failures: 0,
  });
  const busiest = buckets.reduce<ActivityBucket | null>(
    (top, b) => (top === null || b.signIns + b.failures > top.signIns + top.failures ? b : top),
    null,
  );
  const max = niceCeiling(Math.max(1, ...buckets.map((b) => Math.max(b.signIns, b.failures))));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, buckets.length);
  const bar = Math.max(2, Math.min(22, slot * 0.3));
  const y = (value: number): number => MARGIN.top + plotHeight - (value / max) * plotHeight;
  const ticks = [0, max / 2, max].filter((t) => Number.isInteger(t));
  const labelEvery = buckets.length > 10 ? 2 : 1;

  const summary =
    `Over the last ${plural(buckets.length, 'day')}: ${plural(totals.signIns, 'sign-in')} and ${plural(totals.failures, 'failed sign-in')}.` +
    (busiest !== null && busiest.signIns + busiest.failures > 0
      ? ` Busiest day: ${formatDay(busiest.start, true)}, with ${plural(busiest.signIns, 'sign-in')} and ${plural(busiest.failures, 'failure')}.`
      : '');

  return (
    <figure className="chart">
      <div className="chart__legend" aria-hidden="true">
        <span className="chart__key chart__key--signins">Sign-ins</span>
        <span className="chart__key chart__key--failures">Failed sign-ins</span>
      </div>
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descriptionId}`}>
        <title id={titleId}>Sign-ins and failed sign-ins per day</title>
        <desc id={descriptionId}>{summary}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="chart__grid" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text className="chart__axis" x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {buckets.map((bucket, i) => {
          const x = MARGIN.left + i * slot + slot / 2;
          return (
            <g key={bucket.start}>
              <rect
                className="chart__bar chart__bar--signins"
                x={x - bar - 1}
                y={y(bucket.signIns)}
                width={bar}
                height={y(0) - y(bucket.signIns)}
                rx={2}
              />
              <rect
                className="chart__bar chart__bar--failures"
                x={x + 1}
                y={y(bucket.failures)}
                width={bar}
                height={y(0) - y(bucket.failures)}
                rx={2}
              />
              {i % labelEvery === (buckets.length - 1) % labelEvery && (
                <text className="chart__axis" x={x} y={HEIGHT - 8} textAnchor="middle">
                  {formatDay(bucket.start)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart__caption">{summary}</figcaption>
      <details className="chart__table">
        <summary>Show the numbers as a table</summary>
        <DataTable caption="Sign-ins and failed sign-ins per day" hideCaption={false}>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="numeric">
                Sign-ins
              </th>
              <th scope="col" className="numeric">
                Failed sign-ins
              </th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket) => (
              <tr key={bucket.start}>
                <th scope="row">{formatDay(bucket.start, true)}</th>
                <td className="numeric">{bucket.signIns}</td>
                <td className="numeric">{bucket.failures}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </figure>
  );
}

/** A round upper bound for the axis: 1, 2, 4, 5, 10, 20, 40, 50 … so that its half is whole too. */
export function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 4, 5, 10]) {
    if (step * magnitude >= value) return Math.max(2, step * magnitude);
  }
  return 10 * magnitude;
}
