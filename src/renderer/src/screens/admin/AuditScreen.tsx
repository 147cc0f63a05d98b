import { useEffect, useState, type FormEvent } from 'react';
import { AUDIT_EVENT_TYPES } from '../../../../shared/audit-events';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { AuditEventTable } from '../../components/AuditEventTable';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/DataTable';
import { SelectField, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { EVENT_LABELS } from '../../format/labels';
import { plural } from '../../format/time';
import { downloadText, fileDate } from '../../platform/files';
import { AUDIT_PAGE, useAdmin, type AuditFilter } from '../../stores/admin';
import { ActivityChart } from './ActivityChart';
import { AdminNav } from './AdminNav';
import { ChainBanner } from './ChainBanner';

/** The event types grouped by what they are about ("signin", "session" …), for the type filter. */
const EVENT_GROUPS = [...new Set(AUDIT_EVENT_TYPES.map((type) => type.split('.')[0] ?? type))].map((group) => ({
  group,
  types: AUDIT_EVENT_TYPES.filter((type) => type === group || type.startsWith(`${group}.`)),
}));

/** The tamper-evident log: whether its chain holds, recent sign-in activity, and the events themselves. */
export function AuditScreen() {
  const admin = useAdmin();
  const [exported, setExported] = useState<string | null>(null);
  const exporter = useAction(() => call('admin.audit.export'));

  useEffect(() => {
    const { verifyAudit, loadActivity, loadAudit, loadAccounts } = useAdmin.getState();
    void Promise.all([verifyAudit(), loadActivity(), loadAudit(), loadAccounts()]);
  }, []);

  const exportLog = (): void => {
    setExported(null);
    void exporter.run().then((result) => {
      if (result?.ok !== true) return;
      downloadText(`latchkey-audit-${fileDate()}.jsonl`, result.value.jsonl, 'application/x-ndjson');
      setExported(`Exported ${plural(result.value.events, 'event')} as JSON lines.`);
    });
  };

  return (
    <>
      <AdminNav />
      <PageHeader
        title="Audit log"
        description="Every security event, chained with HMAC-SHA-256 so that an edited, removed or reordered event is detected."
        actions={
          <Button busy={exporter.busy} onClick={exportLog}>
            Export as JSON lines
          </Button>
        }
      />
      <div className="stack">
        <ErrorAlert error={exporter.error} />
        <StatusMessage>{exported}</StatusMessage>
        <ChainBanner verdict={admin.verdict} onVerify={() => void admin.verifyAudit()} />

        <Card title="Sign-in activity" description="Successful and failed sign-ins per day (UTC), over the last 14 days.">
          <ErrorAlert error={admin.activity.error} />
          {admin.activity.data === null ? (
            admin.activity.loading && <p className="loading-line">Loading activity…</p>
          ) : (
            <ActivityChart buckets={admin.activity.data} />
          )}
        </Card>

        <Card
          title="Events"
          description={`Newest first; at most ${AUDIT_PAGE} at a time. Narrow them down with the filters.`}
          className="card--flush"
        >
          <div className="card__body">
            <AuditFilters filter={admin.auditFilter} busy={admin.audit.loading} onApply={(filter) => void admin.setAuditFilter(filter)} />
            <ErrorAlert error={admin.audit.error} />
          </div>
          {admin.audit.data === null ? (
            admin.audit.loading && <p className="card__body loading-line">Loading events…</p>
          ) : admin.audit.data.length === 0 ? (
            <EmptyState>No events match these filters.</EmptyState>
          ) : (
            <AuditEventTable caption="Audit events" events={admin.audit.data} />
          )}
        </Card>
      </div>
    </>
  );
}

function AuditFilters({
  filter,
  busy,
  onApply,
}: {
  readonly filter: AuditFilter;
  readonly busy: boolean;
  onApply: (filter: AuditFilter) => void;
}) {
  // The default stays outside the selector: a new [] from it on every read never equals the last, so
  // zustand re-renders without end (React error #185) whenever the list has not been fetched yet.
  const accounts = useAdmin((s) => s.accounts.data) ?? [];
  const [accountId, setAccountId] = useState(filter.accountId ?? '');
  const [type, setType] = useState(filter.type ?? '');
  const [since, setSince] = useState(filter.since === null ? '' : toDateInput(filter.since));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onApply({ accountId: accountId || null, type: type || null, since: since === '' ? null : fromDateInput(since) });
  };
  const clear = (): void => {
    setAccountId('');
    setType('');
    setSince('');
    onApply({ accountId: null, type: null, since: null });
  };

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter events">
      <SelectField label="Account" value={accountId} onChange={(e) => setAccountId(e.target.value)}>
        <option value="">All accounts</option>
        {accounts.map((account) => (
          <option key={account.id} value={account.id}>
            {account.username}
          </option>
        ))}
      </SelectField>
      <SelectField label="Type" value={type} onChange={(e) => setType(e.target.value)}>
        <option value="">All types</option>
        {EVENT_GROUPS.map(({ group, types }) =>
          types.length === 1 && types[0] === group ? (
            <option key={group} value={group}>
              {EVENT_LABELS[types[0]]}
            </option>
          ) : (
            <optgroup key={group} label={group}>
              <option value={group}>All {group} events</option>
              {types.map((t) => (
                <option key={t} value={t}>
                  {EVENT_LABELS[t]}
                </option>
              ))}
            </optgroup>
          ),
        )}
      </SelectField>
      <TextField label="Since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
      <div className="filters__actions">
        <Button type="submit" variant="primary" busy={busy}>
          Apply filters
        </Button>
        <Button variant="quiet" onClick={clear}>
          Clear
        </Button>
      </div>
    </form>
  );
}

/** The start of the chosen day, in the person's own time zone. */
function fromDateInput(value: string): number {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).getTime();
}

function toDateInput(at: number): string {
  const date = new Date(at);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}
