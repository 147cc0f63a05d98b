import { formatDateTime, formatRelative, isoTime } from '../format/time';

/** A moment, as a <time> element: the date and time (`short` where room is tight), or how long ago or ahead. */
export function Time({
  at,
  relative = false,
  short = false,
}: {
  readonly at: number | null | undefined;
  readonly relative?: boolean;
  readonly short?: boolean;
}) {
  if (at == null) return <span className="muted">—</span>;
  return (
    <time dateTime={isoTime(at)} title={formatDateTime(at)}>
      {relative ? formatRelative(at) : formatDateTime(at, short)}
    </time>
  );
}
