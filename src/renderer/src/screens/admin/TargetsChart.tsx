import { useId } from 'react';
import { DataTable } from '../../components/DataTable';

const WIDTH = 1040;
const ROW = 56;
const TOP = 8;
const LABEL_WIDTH = 260;
const TRACK = { left: LABEL_WIDTH, right: 860, height: 16 };
const VALUE_X = TRACK.right + 20;

/** One measure against its target: where it stands on its scale, and in words. */
export interface TargetMeasure {
  readonly label: string;
  /** The value's place on the bar's scale, 0 to 1; null when the period has nothing to measure. */
  readonly position: number | null;
  readonly targetPosition: number;
  readonly valueText: string;
  readonly targetText: string;
  /** Whether the target is met; null with nothing to measure. */
  readonly met: boolean | null;
  /** What the value rests on ("12 of 15 active accounts"). */
  readonly basis: string;
}

export function verdictOf(measure: TargetMeasure): string {
  return measure.met === null ? 'Nothing to measure in this period' : measure.met ? 'Meets the target' : 'Misses the target';
}

/**
 * The seed's success measures as bars with their target marked, in SVG: one image with a summary
 * for assistive technology, and a table behind it with every number and whether its target is met.
 */
export function TargetsChart({ title, measures }: { readonly title: string; readonly measures: readonly TargetMeasure[] }) {
  const titleId = useId();
  const descriptionId = useId();
  const height = TOP + measures.length * ROW;
  const x = (position: number): number => TRACK.left + Math.min(1, Math.max(0, position)) * (TRACK.right - TRACK.left);
  const summary = measures.map((m) => `${m.label}: ${m.valueText}; ${verdictOf(m).toLowerCase()} of ${m.targetText}.`).join(' ');

  return (
    <figure className="chart">
      <svg className="chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${titleId} ${descriptionId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descriptionId}>{summary}</desc>
        {measures.map((m, i) => {
          const top = TOP + i * ROW;
          const barY = top + 22;
          const targetX = x(m.targetPosition);
          return (
            <g key={m.label}>
              <text className="chart__label" x={0} y={barY + TRACK.height / 2} dy="0.32em">
                {m.label}
              </text>
              <rect className="chart__track" x={TRACK.left} y={barY} width={TRACK.right - TRACK.left} height={TRACK.height} rx={4} />
              {m.position !== null && (
                <rect
                  className={`chart__bar ${m.met === true ? 'chart__bar--met' : 'chart__bar--short'}`}
                  x={TRACK.left}
                  y={barY}
                  width={Math.max(2, x(m.position) - TRACK.left)}
                  height={TRACK.height}
                  rx={4}
                />
              )}
              <line className="chart__target" x1={targetX} x2={targetX} y1={barY - 6} y2={barY + TRACK.height + 6} />
              <text className="chart__axis" x={targetX} y={barY - 10} textAnchor="middle">
                Target {m.targetText}
              </text>
              <text className="chart__value" x={VALUE_X} y={barY + TRACK.height / 2} dy="0.32em">
                {m.valueText}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="chart__verdicts">
        {measures.map((m) => (
          <li key={m.label}>
            <span className="chart__verdict-label">{m.label}:</span> {m.valueText} ({m.basis}); {verdictOf(m).toLowerCase()} of{' '}
            {m.targetText}.
          </li>
        ))}
      </ul>
      <details className="chart__table">
        <summary>
          Show the numbers as a table<span className="visually-hidden">: {title}</span>
        </summary>
        <DataTable caption={title} hideCaption={false}>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col" className="numeric">
                Value
              </th>
              <th scope="col">From</th>
              <th scope="col" className="numeric">
                Target
              </th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {measures.map((m) => (
              <tr key={m.label}>
                <th scope="row">{m.label}</th>
                <td className="numeric">{m.valueText}</td>
                <td>{m.basis}</td>
                <td className="numeric">{m.targetText}</td>
                <td>{verdictOf(m)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </figure>
  );
}
