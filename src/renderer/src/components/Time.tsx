import { formatDateTime, formatPrecise, formatRelative, isoTime } from '../format/time';

/**
 * A moment, as a <time> element: the date and time (`short` where room is tight, `precise` to the
 * second with the zone where events must be told apart), or how long ago or ahead.
 */
export function Time({
  at,
  relative = false,
  short = false,
  precise = false,
}: {
  readonly at: number | null | undefined;
  readonly relative?: boolean;
  readonly short?: boolean;
  readonly precise?: boolean;
}) {
  if (at == null) return <span className="muted">—</span>;
  return (
    <time dateTime={isoTime(at)} title={formatPrecise(at)}>
      {relative ? formatRelative(at) : precise ? formatPrecise(at) : formatDateTime(at, short)}
    </time>
  );
}
