/** How times read on every screen: the person's own locale and time zone. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });
// Where one event must be told from the next (the audit log): to the second, and in which zone.
const precise = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
// The engine counts activity in UTC days, so a day's label must not move with the local zone.
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(at: number | null | undefined, short = false): string {
  return at == null ? '—' : (short ? shortDateTime : dateTime).format(at);
}

/** To the second, with the time zone: "Dec 15, 2026, 2:54:07 PM UTC". */
export function formatPrecise(at: number): string {
  return precise.format(at);
}

export function formatClock(at: number): string {
  return clock.format(at);
}

/** A UTC calendar day, as the activity buckets count them. */
export function formatDay(at: number, withWeekday = false): string {
  return (withWeekday ? weekday : day).format(at);
}

/** ISO form for <time dateTime>. */
export function isoTime(at: number): string {
  return new Date(at).toISOString();
}

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "in 3 minutes", "2 hours ago"; "just now" for moments closer than this to now. */
const JUST_NOW_MS = 45_000;

export function formatRelative(at: number, now: number = Date.now()): string {
  const delta = at - now;
  if (Math.abs(delta) < JUST_NOW_MS) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size) return relative.format(Math.round(delta / size), unit);
  }
  return 'just now';
}

/** A wait in words: "45 seconds", "3 minutes", "1 hour 5 minutes". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return plural(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
