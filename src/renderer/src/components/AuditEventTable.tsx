import type { AuditEventView } from '../../../shared/views';
import { EVENT_LABELS, OUTCOME_LABELS, describeEventDetails } from '../format/labels';
import { Badge, type Tone } from './Badge';
import { DataTable } from './DataTable';
import { Time } from './Time';

const OUTCOME_TONES: Record<AuditEventView['outcome'], Tone> = { success: 'success', failure: 'danger', denied: 'warning' };

/**
 * Audit events as a table. `compact` is the person's own view (no sequence numbers or actor);
 * the admin's view shows every column.
 */
export function AuditEventTable({
  caption,
  events,
  compact = false,
}: {
  readonly caption: string;
  readonly events: readonly AuditEventView[];
  readonly compact?: boolean;
}) {
  return (
    <DataTable caption={caption}>
      <thead>
        <tr>
          {!compact && (
            <th scope="col" className="numeric">
              #
            </th>
          )}
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">Outcome</th>
          {!compact && <th scope="col">By</th>}
          {!compact && <th scope="col">Account</th>}
          <th scope="col">Device</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.seq}>
            {!compact && <td className="numeric mono">{event.seq}</td>}
            <td className="nowrap">
              <Time at={event.at} precise={!compact} />
            </td>
            <th scope="row">
              <span className="cell-main">{EVENT_LABELS[event.type] ?? event.type}</span>
              <span className="cell-sub mono">{event.type}</span>
            </th>
            <td>
              <Badge tone={OUTCOME_TONES[event.outcome]}>{OUTCOME_LABELS[event.outcome]}</Badge>
            </td>
            {!compact && <td>{event.actor?.name ?? <span className="muted">—</span>}</td>}
            {!compact && <td>{event.target?.name ?? <span className="muted">—</span>}</td>}
            <td>{event.device ?? <span className="muted">—</span>}</td>
            <td className="details">
              {describeEventDetails(event)}
              {/* The stored fields, for an administrator checking by hand; a person's own view keeps to words. */}
              {!compact && (event.reason !== null || Object.keys(event.details ?? {}).length > 0) && (
                <details className="raw-fields">
                  <summary>
                    Raw fields<span className="visually-hidden"> of event {event.seq}</span>
                  </summary>
                  <pre>{JSON.stringify({ reason: event.reason, details: event.details }, null, 2)}</pre>
                </details>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
