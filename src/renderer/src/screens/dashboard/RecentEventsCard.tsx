import { AuditEventTable } from '../../components/AuditEventTable';
import { ErrorAlert } from '../../components/Alerts';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/DataTable';
import { useSecurity } from '../../stores/security';

/** The account's own recent audit events: sign-ins, failures, changes. */
export function RecentEventsCard() {
  const events = useSecurity((s) => s.events);
  return (
    <Card
      title="Recent security events"
      description="The latest entries about your account in the audit log, newest first."
      className="card--flush"
    >
      <div className="card__body">
        <ErrorAlert error={events.error} />
      </div>
      {events.data === null ? (
        events.loading && <p className="card__body loading-line">Loading events…</p>
      ) : events.data.length === 0 ? (
        <EmptyState>No events yet.</EmptyState>
      ) : (
        <AuditEventTable caption="Recent security events" events={events.data} compact />
      )}
    </Card>
  );
}
