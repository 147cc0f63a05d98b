import type { ReactNode } from 'react';
import { SMTP_SECURITY, type Channel, type ChannelStatus, type DeliverySettingView, type SmtpSecurity } from '../../../../shared/delivery';
import { Callout } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { CHANNEL_LABELS, SMTP_SECURITY_LABELS, asSentence } from '../../format/labels';

/** A value in force, or words for none. */
type Lookup = (key: DeliverySettingView['key']) => string | null;

const notSet = <span className="muted">Not set</span>;

const DESCRIPTIONS: Record<Channel, { readonly ready: string; readonly waiting: string }> = {
  email: { ready: 'Mail goes out through this server.', waiting: 'Mail waits in the outbox until this is set up.' },
  sms: { ready: 'SMS go out through this gateway.', waiting: 'SMS wait in the outbox until this is set up.' },
};

/** Whether one channel can send now: what it sends through, and what is missing or unsafe. */
export function ChannelStatusCard({
  status,
  settings,
}: {
  readonly status: ChannelStatus;
  readonly settings: readonly DeliverySettingView[];
}) {
  const valueOf: Lookup = (key) => settings.find((setting) => setting.key === key)?.value ?? null;
  return (
    <Card
      title={CHANNEL_LABELS[status.channel]}
      description={DESCRIPTIONS[status.channel][status.configured ? 'ready' : 'waiting']}
      actions={<Badge tone={status.configured ? 'success' : 'warning'}>{status.configured ? 'Ready' : 'Not configured'}</Badge>}
    >
      <div className="stack stack--tight">
        {!status.configured && (
          <div className="small">
            <p>Still needed:</p>
            <ul className="problem-list">
              {status.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        )}
        {status.warning !== null && (
          <Callout kind="warning" title="Not encrypted">
            <p>{asSentence(status.warning)}</p>
          </Callout>
        )}
        <dl className="facts">{status.channel === 'email' ? <EmailFacts valueOf={valueOf} /> : <SmsFacts valueOf={valueOf} />}</dl>
      </div>
    </Card>
  );
}

function EmailFacts({ valueOf }: { readonly valueOf: Lookup }) {
  const host = valueOf('smtp.host');
  const secure = valueOf('smtp.secure');
  const user = valueOf('smtp.user');
  return (
    <>
      <Fact term="Server">{host === null ? notSet : <span className="mono">{`${host}:${valueOf('smtp.port') ?? ''}`}</span>}</Fact>
      <Fact term="Security">{isSecurity(secure) ? SMTP_SECURITY_LABELS[secure] : notSet}</Fact>
      <Fact term="Signs in as">{user ?? <span className="muted">No sign-in</span>}</Fact>
      <Fact term="Sender">{valueOf('smtp.from') ?? notSet}</Fact>
    </>
  );
}

function SmsFacts({ valueOf }: { readonly valueOf: Lookup }) {
  const from = valueOf('sms.from');
  const service = valueOf('sms.messagingServiceSid');
  return (
    <>
      <Fact term="Gateway">{valueOf('sms.baseUrl') ?? notSet}</Fact>
      <Fact term="Account SID">{valueOf('sms.accountSid') ?? notSet}</Fact>
      <Fact term="Sends from">{service === null ? (from ?? notSet) : `Messaging service ${service}`}</Fact>
      <Fact term="Numbers without +country">{`Read as ${valueOf('sms.region') ?? '—'}`}</Fact>
    </>
  );
}

function Fact({ term, children }: { readonly term: string; readonly children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function isSecurity(value: string | null): value is SmtpSecurity {
  return (SMTP_SECURITY as readonly (string | null)[]).includes(value);
}
