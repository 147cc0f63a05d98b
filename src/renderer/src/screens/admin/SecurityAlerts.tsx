import { useEffect, useRef, useState } from 'react';
import { ALERT_NOTE_MAX_LENGTH, ALERT_TITLES, severityRank, type AlertSeverity, type AlertView } from '../../../../shared/monitoring';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Time } from '../../components/Time';
import { keepFocusIn } from '../../components/keep-focus';
import { ALERT_STATE_LABELS, SEVERITY_LABELS } from '../../format/labels';
import { plural } from '../../format/time';
import { useAdmin } from '../../stores/admin';
import { useMonitoring } from '../../stores/monitoring';
import { hrefOf } from '../../stores/navigation';

const SEVERITY_TONES: Record<AlertSeverity, Tone> = { info: 'accent', warning: 'warning', high: 'danger', critical: 'danger' };

/** The alert as a button's or a dialog's words name it: what happened, and to whom. */
export function alertName(alert: AlertView): string {
  const accounts = alert.accounts.map((account) => account.name).join(', ');
  return accounts === '' ? ALERT_TITLES[alert.kind] : `${ALERT_TITLES[alert.kind]} (${accounts})`;
}

/** Most urgent first; among equals, the one seen last. */
function byUrgency(a: AlertView, b: AlertView): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.lastSeenAt - a.lastSeenAt;
}

type Pending = { readonly action: 'acknowledge' | 'resolve'; readonly alert: AlertView };

/** Alerts still open or acknowledged, most urgent first, with Acknowledge and Resolve; the resolved ones behind a button. */
export function SecurityAlerts() {
  const alerts = useMonitoring((s) => s.alerts);
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [showResolved, setShowResolved] = useState(false);
  const refocus = useRef<Pending | null>(null);
  const openAlerts = useRef<HTMLDivElement>(null);

  const all = alerts.data ?? [];
  const unresolved = all.filter((alert) => alert.state !== 'resolved').sort(byUrgency);
  const resolved = all.filter((alert) => alert.state === 'resolved');

  const finished = (outcome: Pending, alert: AlertView): void => {
    setPending(null);
    refocus.current = outcome;
    setDone(`${outcome.action === 'acknowledge' ? 'Acknowledged' : 'Resolved'}: ${alertName(alert)}.`);
  };

  // Once the dialog has gone: the button that opened it is gone too. An acknowledged alert keeps
  // its Resolve; a resolved one leaves the list, and the focus stays in what is left of it.
  useEffect(() => {
    const acted = refocus.current;
    if (acted === null || pending !== null) return;
    refocus.current = null;
    const item = openAlerts.current?.querySelector<HTMLElement>(`[data-alert="${acted.alert.id}"] button`);
    if (acted.action === 'acknowledge' && item != null) item.focus();
    else keepFocusIn(openAlerts.current);
  });

  return (
    <>
      <Card
        title="Open alerts"
        description="What the monitoring rules noticed and no one has resolved yet, most urgent first. Acknowledging says someone is looking; resolving says what was found or done."
        actions={unresolved.length > 0 ? <Badge tone="neutral">{plural(unresolved.length, 'alert')}</Badge> : undefined}
      >
        <div className="stack stack--tight">
          <ErrorAlert error={alerts.error} />
          <StatusMessage>{done}</StatusMessage>
          <div ref={openAlerts} tabIndex={-1} className="focus-frame">
            {alerts.data === null ? (
              alerts.loading && <p className="loading-line">Loading alerts…</p>
            ) : unresolved.length === 0 ? (
              <EmptyState>No open alerts.</EmptyState>
            ) : (
              <ul className="alert-list" aria-label="Open alerts">
                {unresolved.map((alert) => (
                  <AlertItem key={alert.id} alert={alert} onAct={(action) => setPending({ action, alert })} />
                ))}
              </ul>
            )}
          </div>
        </div>
      </Card>

      {resolved.length > 0 && (
        <Card
          title="Resolved alerts"
          description="Newest first, with who resolved each and what they found."
          actions={
            <Button size="small" aria-expanded={showResolved} onClick={() => setShowResolved((shown) => !shown)}>
              {showResolved ? 'Hide' : 'Show'} {plural(resolved.length, 'resolved alert')}
            </Button>
          }
        >
          {showResolved && (
            <ul className="alert-list" aria-label="Resolved alerts">
              {resolved.map((alert) => (
                <AlertItem key={alert.id} alert={alert} />
              ))}
            </ul>
          )}
        </Card>
      )}

      {pending !== null && <AlertActionDialog pending={pending} onClose={() => setPending(null)} onDone={finished} />}
    </>
  );
}

function AlertItem({ alert, onAct }: { readonly alert: AlertView; onAct?: (action: Pending['action']) => void }) {
  const name = alertName(alert);
  return (
    <li className={`alert-item alert-item--${alert.severity}`} data-alert={alert.id}>
      <div className="alert-item__head">
        <div className="alert-item__title">
          <Badge tone={SEVERITY_TONES[alert.severity]}>
            <span className="visually-hidden">Severity: </span>
            {SEVERITY_LABELS[alert.severity]}
          </Badge>
          <h3>{ALERT_TITLES[alert.kind]}</h3>
          {alert.state !== 'open' && (
            <Badge tone={alert.state === 'resolved' ? 'success' : 'neutral'}>{ALERT_STATE_LABELS[alert.state]}</Badge>
          )}
        </div>
        {onAct !== undefined && (
          <div className="alert-item__actions">
            {alert.state === 'open' && (
              <Button size="small" onClick={() => onAct('acknowledge')}>
                Acknowledge<span className="visually-hidden"> alert: {name}</span>
              </Button>
            )}
            <Button size="small" variant={alert.state === 'open' ? 'quiet' : 'secondary'} onClick={() => onAct('resolve')}>
              Resolve<span className="visually-hidden"> alert: {name}</span>
            </Button>
          </div>
        )}
      </div>
      <p className="alert-item__summary">{alert.summary}</p>
      <dl className="facts alert-item__facts">
        {alert.accounts.length > 0 && (
          <>
            <dt>{alert.accounts.length === 1 ? 'Account' : 'Accounts'}</dt>
            <dd>{alert.accounts.map((account) => account.name).join(', ')}</dd>
          </>
        )}
        <dt>First seen</dt>
        <dd>
          <Time at={alert.firstSeenAt} />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <Time at={alert.lastSeenAt} />
        </dd>
        <dt>Count</dt>
        <dd>{plural(alert.count, 'event')}</dd>
        <dt>Audit events</dt>
        <dd>
          <EvidenceLinks alert={alert} />
        </dd>
        {alert.acknowledged !== null && (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {alert.acknowledged.by.name}, <Time at={alert.acknowledged.at} short />
              {alert.acknowledged.note !== null && <span className="alert-item__note">“{alert.acknowledged.note}”</span>}
            </dd>
          </>
        )}
        {alert.resolved !== null && (
          <>
            <dt>Resolved</dt>
            <dd>
              {alert.resolved.by.name}, <Time at={alert.resolved.at} short />
              {alert.resolved.note !== null && <span className="alert-item__note">“{alert.resolved.note}”</span>}
            </dd>
          </>
        )}
      </dl>
    </li>
  );
}

/**
 * The seq numbers the alert rests on, and a link to the audit log narrowed to its account and its
 * first sighting. The log's filter has no seq of its own, so the numbers say which rows to look at.
 */
function EvidenceLinks({ alert }: { readonly alert: AlertView }) {
  const account = alert.accounts.length === 1 ? alert.accounts[0] : undefined;
  const showInLog = (): void => {
    void useAdmin.getState().setAuditFilter({ accountId: account?.id ?? null, type: null, since: alert.firstSeenAt });
  };
  return (
    <span className="evidence">
      <span className="mono">{alert.events.map((seq) => `#${seq}`).join(', ')}</span>
      {alert.count > alert.events.length && <span className="muted"> (the first and the latest of {alert.count})</span>}
      <a href={hrefOf('admin/audit')} onClick={showInLog} className="evidence__link">
        Show <span className="visually-hidden">the events of {alertName(alert)} </span>in the audit log
      </a>
    </span>
  );
}

function AlertActionDialog({
  pending,
  onClose,
  onDone,
}: {
  readonly pending: Pending;
  onClose: () => void;
  onDone: (pending: Pending, alert: AlertView) => void;
}) {
  const [note, setNote] = useState('');
  const action = useAction(() => {
    const { acknowledge, resolve } = useMonitoring.getState();
    const text = note.trim();
    return pending.action === 'acknowledge' ? acknowledge(pending.alert.id, text === '' ? null : text) : resolve(pending.alert.id, text);
  });
  const acknowledging = pending.action === 'acknowledge';
  const name = alertName(pending.alert);

  return (
    <Dialog
      title={acknowledging ? 'Acknowledge alert' : 'Resolve alert'}
      description={
        <p>
          <strong>{name}</strong>.{' '}
          {acknowledging
            ? 'It stays on the list, marked as being looked at, until someone resolves it.'
            : 'It moves to the resolved alerts; if the rule sees the same again, it raises a new alert.'}
        </p>
      }
      confirmLabel={acknowledging ? 'Acknowledge' : 'Resolve'}
      busy={action.busy}
      error={action.error}
      canConfirm={acknowledging || note.trim() !== ''}
      onClose={onClose}
      onConfirm={() =>
        void action.run().then((result) => {
          if (result?.ok === true) onDone(pending, result.value);
        })
      }
    >
      <TextField
        label={acknowledging ? 'Note (optional)' : 'What was found or done'}
        hint={
          acknowledging
            ? 'Who is looking into it, or what is known so far.'
            : 'Required: the next person reads this to know why it was closed.'
        }
        value={note}
        maxLength={ALERT_NOTE_MAX_LENGTH}
        required={!acknowledging}
        autoFocus
        onChange={(e) => setNote(e.target.value)}
      />
    </Dialog>
  );
}
