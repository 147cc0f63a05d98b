import { useState } from 'react';
import { OUTBOX_STATES, type OutboxMessageView, type OutboxState } from '../../../../shared/delivery';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { DataTable, EmptyState } from '../../components/DataTable';
import { SelectField } from '../../components/Field';
import { Time } from '../../components/Time';
import { CHANNEL_LABELS, MESSAGE_KIND_LABELS, OUTBOX_STATE_LABELS, asSentence } from '../../format/labels';
import { formatDateTime } from '../../format/time';
import { DELIVERY_REFRESH_MS, OUTBOX_PAGE, useDelivery } from '../../stores/delivery';

const STATE_TONES: Record<OutboxState, Tone> = {
  queued: 'neutral',
  sending: 'accent',
  sent: 'success',
  failed: 'warning',
  abandoned: 'danger',
};

/** Every message Latchkey queued, newest first: where it stands, and Retry or Cancel where the engine would take them. Never its text. */
export function OutboxCard() {
  const outbox = useDelivery((s) => s.outbox);
  const counts = useDelivery((s) => s.status.data?.counts);
  const stateFilter = useDelivery((s) => s.stateFilter);
  const setStateFilter = useDelivery((s) => s.setStateFilter);
  const [done, setDone] = useState<{ readonly action: 'retry' | 'cancel'; readonly message: OutboxMessageView } | null>(null);
  const [acting, setActing] = useState<string | null>(null);
  const act = useAction(async (action: 'retry' | 'cancel', messageId: string) => {
    const { retry, cancel } = useDelivery.getState();
    setDone(null);
    setActing(messageId);
    const result = await (action === 'retry' ? retry : cancel)(messageId);
    setActing(null);
    if (result.ok) setDone({ action, message: result.value });
    return result;
  });

  const inCounts = OUTBOX_STATES.filter((state) => (counts?.[state] ?? 0) > 0);
  return (
    <Card
      title="Outbox"
      description={`Newest first, at most ${OUTBOX_PAGE}; read again every ${DELIVERY_REFRESH_MS / 1000} seconds while you use this screen. A message's text is never shown, and its recipient is masked.`}
      className="card--flush"
    >
      <div className="card__body stack stack--tight">
        <div className="outbox-toolbar">
          <SelectField
            label="Show"
            className="outbox-toolbar__filter"
            value={stateFilter ?? ''}
            onChange={(e) => void setStateFilter(e.target.value === '' ? null : (e.target.value as OutboxState))}
          >
            <option value="">All messages</option>
            {OUTBOX_STATES.map((state) => (
              <option key={state} value={state}>
                {OUTBOX_STATE_LABELS[state]}
              </option>
            ))}
          </SelectField>
          {counts !== undefined && (
            <p className="badge-row">
              <span className="visually-hidden">Messages by state: </span>
              {inCounts.length === 0 ? (
                <span className="muted small">The outbox is empty.</span>
              ) : (
                inCounts.map((state) => (
                  <Badge key={state} tone={STATE_TONES[state]}>
                    {OUTBOX_STATE_LABELS[state]}: {counts[state]}
                  </Badge>
                ))
              )}
            </p>
          )}
        </div>
        <ErrorAlert error={act.error ?? outbox.error} />
        <MessageOutcome message={done?.message ?? null} cancelled={done?.action === 'cancel'} />
      </div>
      {outbox.data === null ? (
        outbox.loading && <p className="card__body loading-line">Loading the outbox…</p>
      ) : outbox.data.length === 0 ? (
        <EmptyState>
          {stateFilter === null ? 'No messages yet.' : `No message is ${OUTBOX_STATE_LABELS[stateFilter].toLowerCase()}.`}
        </EmptyState>
      ) : (
        <DataTable caption="Outbox messages">
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">To</th>
              <th scope="col">Account</th>
              <th scope="col">State</th>
              <th scope="col" className="numeric">
                Attempts
              </th>
              <th scope="col">Next attempt</th>
              <th scope="col">Last error</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {outbox.data.map((message) => (
              <tr key={message.id}>
                <th scope="row">
                  <span className="cell-main">{MESSAGE_KIND_LABELS[message.kind]}</span>
                  <span className="cell-sub">
                    <span className="visually-hidden">Channel: </span>
                    {CHANNEL_LABELS[message.channel]}
                  </span>
                </th>
                <td className="mono nowrap">{message.recipient}</td>
                <td>{message.username ?? <span className="muted">—</span>}</td>
                <td>
                  <Badge tone={STATE_TONES[message.state]}>{OUTBOX_STATE_LABELS[message.state]}</Badge>
                  {message.sentAt !== null && (
                    <span className="cell-sub">
                      <Time at={message.sentAt} short />
                    </span>
                  )}
                </td>
                <td className="numeric nowrap">
                  {message.attempts} of {message.maxAttempts}
                </td>
                <td className="nowrap">
                  <Time at={message.nextAttemptAt} short />
                </td>
                <td className="details outbox-error">
                  {message.lastError === null ? <span className="muted">—</span> : asSentence(message.lastError)}
                </td>
                <td className="actions">
                  <div className="outbox-actions">
                    {message.canRetry && (
                      <Button size="small" busy={act.busy && acting === message.id} onClick={() => void act.run('retry', message.id)}>
                        Retry<span className="visually-hidden"> the message to {message.recipient}</span>
                      </Button>
                    )}
                    {message.canCancel && (
                      <Button
                        size="small"
                        variant="quiet"
                        busy={act.busy && acting === message.id}
                        onClick={() => void act.run('cancel', message.id)}
                      >
                        Cancel<span className="visually-hidden"> the message to {message.recipient}</span>
                      </Button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
    </Card>
  );
}

/** What an attempt made at once came to, for the one message it was made for (or that it was cancelled). */
export function MessageOutcome({
  message,
  cancelled = false,
}: {
  readonly message: OutboxMessageView | null;
  readonly cancelled?: boolean;
}) {
  if (message === null) return <StatusMessage>{null}</StatusMessage>;
  const to = `The message to ${message.recipient}`;
  if (cancelled) return <StatusMessage>{`${to} was cancelled, and its text erased.`}</StatusMessage>;
  switch (message.state) {
    case 'sent':
      return <StatusMessage>{`${to} was sent.`}</StatusMessage>;
    case 'sending':
      return <StatusMessage>{`${to} is being sent.`}</StatusMessage>;
    case 'queued':
      return (
        <StatusMessage kind="warning">{`${to} waits in the outbox: it goes out once ${CHANNEL_LABELS[message.channel]} is set up.`}</StatusMessage>
      );
    case 'failed':
      return (
        <StatusMessage kind="warning">
          {`${to} was not sent: ${asSentence(message.lastError ?? 'the attempt failed')} Latchkey tries again ${
            message.nextAttemptAt === null ? 'later' : `at ${formatDateTime(message.nextAttemptAt, true)}`
          }.`}
        </StatusMessage>
      );
    case 'abandoned':
      return (
        <StatusMessage kind="warning">{`${to} was given up on: ${asSentence(message.lastError ?? 'it cannot be sent')}`}</StatusMessage>
      );
  }
}
