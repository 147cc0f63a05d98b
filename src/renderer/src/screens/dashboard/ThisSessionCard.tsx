import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { Time } from '../../components/Time';
import { ASSURANCE_LABELS } from '../../../../shared/views';
import { HOST_LABELS, describeUserAgent } from '../../format/labels';
import { formatRelative } from '../../format/time';
import { useSession } from '../../stores/session';

/** The session this window holds: where, how strongly it was won, and until when. */
export function ThisSessionCard() {
  const session = useSession((s) => s.signedIn?.session);
  if (session === undefined) return null;
  return (
    <Card
      title="This session"
      actions={<Badge tone={session.assurance === 'two_factor' ? 'success' : 'neutral'}>{ASSURANCE_LABELS[session.assurance]}</Badge>}
    >
      <dl className="facts">
        <dt>Device</dt>
        <dd>
          {session.deviceName}
          {session.osUser !== null && <span className="muted"> · {session.osUser}</span>}
        </dd>
        <dt>App</dt>
        <dd title={session.userAgent}>
          {HOST_LABELS[session.host]} · {describeUserAgent(session.userAgent)}
        </dd>
        <dt>Assurance</dt>
        <dd>{ASSURANCE_LABELS[session.assurance]}</dd>
        <dt>Signed in</dt>
        <dd>
          <Time at={session.createdAt} />
        </dd>
        <dt>Expires</dt>
        <dd>
          <Time at={session.expiresAt} /> <span className="muted">({formatRelative(session.expiresAt)} unless you stay active)</span>
        </dd>
        <dt>Ends at the latest</dt>
        <dd>
          <Time at={session.absoluteExpiresAt} />
        </dd>
        <dt>Stay signed in</dt>
        <dd>{session.staySignedIn ? 'Yes, on this device' : 'No'}</dd>
      </dl>
    </Card>
  );
}
