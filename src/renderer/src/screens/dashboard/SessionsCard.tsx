import { useRef, useState } from 'react';
import type { SessionView } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { DataTable, EmptyState } from '../../components/DataTable';
import { Time } from '../../components/Time';
import { HOST_LABELS, describeUserAgent } from '../../format/labels';
import { formatDateTime, plural } from '../../format/time';
import { keepFocusIn } from '../../components/keep-focus';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';

/** Every live session of this account, on any device, each of which can be ended from here. */
export function SessionsCard() {
  const sessions = useSecurity((s) => s.sessions);
  const revokeSession = useSecurity((s) => s.revokeSession);
  const revokeOthers = useSecurity((s) => s.revokeOtherSessions);
  const currentId = useSession((s) => s.signedIn?.session.id);
  const [message, setMessage] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const revoke = useAction(async (session: SessionView) => {
    const result = await revokeSession(session.id);
    if (result.ok) {
      setMessage(`The session on ${session.deviceName} was signed out.`);
      keepFocusIn(listRef.current);
    }
    return result;
  });
  const others = useAction(async () => {
    const result = await revokeOthers();
    if (result.ok)
      setMessage(result.value === 0 ? 'There were no other sessions.' : `${plural(result.value, 'other session')} signed out.`);
    return result;
  });
  const [revoking, setRevoking] = useState<string | null>(null);

  const list = sessions.data ?? [];
  const otherCount = list.filter((s) => s.id !== currentId).length;
  // The current session first, then the most recently used.
  const ordered = [...list].sort((a, b) => Number(b.id === currentId) - Number(a.id === currentId) || b.lastActiveAt - a.lastActiveAt);

  return (
    <Card
      title="Active sessions"
      description={
        sessions.data === null ? undefined : `${plural(list.length, 'session')} signed in to your account. End any you do not recognise.`
      }
      className="card--flush"
      actions={
        <Button variant="secondary" busy={others.busy} disabled={otherCount === 0} onClick={() => void others.run()}>
          Sign out all other sessions
        </Button>
      }
    >
      <div className="card__body">
        <ErrorAlert error={sessions.error ?? revoke.error ?? others.error} />
        <StatusMessage>{message}</StatusMessage>
      </div>
      {sessions.data === null ? (
        sessions.loading && <p className="card__body loading-line">Loading sessions…</p>
      ) : ordered.length === 0 ? (
        <EmptyState>No active sessions.</EmptyState>
      ) : (
        <div ref={listRef} tabIndex={-1} className="focus-frame">
          <DataTable caption="Active sessions">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">App</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((session) => (
                <tr key={session.id}>
                  <th scope="row">
                    <span className="cell-main">{session.deviceName}</span>
                    {session.osUser !== null && <span className="cell-sub">OS user {session.osUser}</span>}
                  </th>
                  <td>
                    {HOST_LABELS[session.host]}
                    <span className="cell-sub" title={session.userAgent}>
                      {describeUserAgent(session.userAgent)}
                    </span>
                  </td>
                  <td className="mono">{session.ip ?? '—'}</td>
                  <td>
                    <Time at={session.createdAt} />
                  </td>
                  <td>
                    <Time at={session.lastActiveAt} relative />
                  </td>
                  <td className="actions">
                    {session.id === currentId ? (
                      <Badge tone="accent">This session</Badge>
                    ) : (
                      <Button
                        size="small"
                        busy={revoke.busy && revoking === session.id}
                        onClick={() => {
                          setRevoking(session.id);
                          void revoke.run(session);
                        }}
                      >
                        Revoke
                        <span className="visually-hidden">
                          {' '}
                          session: {HOST_LABELS[session.host]} on {session.deviceName}, signed in {formatDateTime(session.createdAt, true)}
                        </span>
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </Card>
  );
}
