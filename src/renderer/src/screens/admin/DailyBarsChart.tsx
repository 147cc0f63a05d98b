import { useId } from 'react';
import { DataTable } from '../../components/DataTable';
import { formatDay } from '../../format/time';

// About the size it is drawn at on a desktop window, so that its text matches the page's.
const WIDTH = 1040;
const HEIGHT = 200;
const MARGIN = { top: 12, right: 8, bottom: 28, left: 36 };
/** At most this many day labels under the axis, whatever the period. */
const MAX_LABELS = 12;

/** A day's counts, as the audit log's activity and the security report give them. */
interface Day {
  /** Midnight UTC that starts the day. */
  readonly start: number;
}

export interface DaySeries<D extends Day> {
  readonly label: string;
  /** Names the bar's colour in screens.css (chart__bar--NAME, chart__key--NAME). */
  readonly tone: 'signins' | 'failures' | 'sessions';
  readonly value: (day: D) => number;
}

/**
 * Bars per UTC day for one or a few series, drawn in SVG: the SVG is one image with a summary for
 * assistive technology, and the numbers are in the table behind it, which may carry columns the
 * bars leave out.
 */
export function DailyBarsChart<D extends Day>({
  title,
  summary,
  days,
  series,
  extraColumns = [],
}: {
  readonly title: string;
  readonly summary: string;
  readonly days: readonly D[];
  readonly series: readonly DaySeries<D>[];
  readonly extraColumns?: readonly { readonly label: string; readonly value: (day: D) => number }[];
}) {
  const titleId = useId();
  const descriptionId = useId();
  const max = niceCeiling(Math.max(1, ...days.flatMap((day) => series.map((s) => s.value(day)))));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const bar = Math.max(2, Math.min(22, (slot * 0.6) / series.length));
  const y = (value: number): number => MARGIN.top + plotHeight - (value / max) * plotHeight;
  const ticks = [0, max / 2, max].filter((t) => Number.isInteger(t));
  const labelEvery = Math.ceil(days.length / MAX_LABELS);
  const columns = [...series, ...extraColumns];

  return (
    <figure className="chart">
      <div className="chart__legend" aria-hidden="true">
        {series.map((s) => (
          <span key={s.label} className={`chart__key chart__key--${s.tone}`}>
            {s.label}
          </span>
        ))}
      </div>
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descriptionId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descriptionId}>{summary}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="chart__grid" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text className="chart__axis" x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          const centre = MARGIN.left + i * slot + slot / 2;
          const left = centre - (bar * series.length + (series.length - 1)) / 2;
          return (
            <g key={day.start}>
              {series.map((s, k) => (
                <rect
                  key={s.label}
                  className={`chart__bar chart__bar--${s.tone}`}
                  x={left + k * (bar + 1)}
                  y={y(s.value(day))}
                  width={bar}
                  height={y(0) - y(s.value(day))}
                  rx={Math.min(2, bar / 2)}
                />
              ))}
              {(days.length - 1 - i) % labelEvery === 0 && (
                <text className="chart__axis" x={centre} y={HEIGHT - 8} textAnchor="middle">
                  {formatDay(day.start)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart__caption">{summary}</figcaption>
      <details className="chart__table">
        <summary>
          Show the numbers as a table<span className="visually-hidden">: {title}</span>
        </summary>
        <DataTable caption={title} hideCaption={false}>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {columns.map((column) => (
                <th key={column.label} scope="col" className="numeric">
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.start}>
                <th scope="row">{formatDay(day.start, true)}</th>
                {columns.map((column) => (
                  <td key={column.label} className="numeric">
                    {column.value(day)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </figure>
  );
}

/** A round upper bound for the axis: 1, 2, 4, 5, 10, 20, 40, 50 … so that its half is whole too. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 4, 5, 10]) {
    if (step * magnitude >= value) return Math.max(2, step * magnitude);
  }
  return 10 * magnitude;
}
