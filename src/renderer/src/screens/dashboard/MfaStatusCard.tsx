import { Callout, ErrorAlert } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { Time } from '../../components/Time';
import { MFA_STATE_LABELS } from '../../format/labels';
import { plural } from '../../format/time';
import { hrefOf } from '../../stores/navigation';
import { useSecurity } from '../../stores/security';
import { BACKUP_CODES_LOW } from '../../../../shared/notices';

/** Whether a second factor protects the account, and whether its backup codes are running out. */
export function MfaStatusCard() {
  const mfa = useSecurity((s) => s.mfa);
  const status = mfa.data;
  return (
    <Card
      title="Two-step sign-in"
      actions={status !== null && <Badge tone={status.state === 'ENABLED' ? 'success' : 'warning'}>{MFA_STATE_LABELS[status.state]}</Badge>}
    >
      <ErrorAlert error={mfa.error} />
      {status === null ? (
        mfa.loading && <p className="loading-line">Loading…</p>
      ) : status.state === 'ENABLED' ? (
        <div className="stack stack--tight">
          <div className="stat-row">
            <div>
              <p className="stat__label">Backup codes left</p>
              <p className="big-number">{status.backupCodesLeft}</p>
            </div>
            <div>
              <p className="stat__label">Trusted devices</p>
              <p className="big-number">{status.trustedDevices}</p>
            </div>
          </div>
          <p className="muted small">
            On since <Time at={status.enabledAt} />.{' '}
            {status.trustedDevices === 0
              ? 'Each sign-in asks for a code from your authenticator app.'
              : `Each sign-in asks for a code from your authenticator app, except on ${status.trustedDevices === 1 ? 'the trusted device' : `the ${status.trustedDevices} trusted devices`} until their trust ends.`}
          </p>
          {status.backupCodesLeft <= BACKUP_CODES_LOW && (
            // Zero is also an account imported with its authenticator but never given codes: "left" would not fit.
            <Callout
              kind="warning"
              title={
                status.backupCodesLeft === 0 ? 'You have no backup codes' : `Only ${plural(status.backupCodesLeft, 'backup code')} left`
              }
            >
              <p>
                Without backup codes, losing your phone locks you out.{' '}
                <a href={hrefOf('settings')}>{status.backupCodesLeft === 0 ? 'Generate a set in Settings' : 'Generate new codes'}</a>.
              </p>
            </Callout>
          )}
          <p>
            <a href={hrefOf('settings')}>Manage two-step sign-in</a>
          </p>
        </div>
      ) : (
        <div className="stack stack--tight">
          {status.required ? (
            <Callout kind="warning" title="Required by your administrator">
              <p>Set it up now; otherwise you will be asked to at your next sign-in.</p>
            </Callout>
          ) : (
            <p className="muted">
              Your account is protected by your password alone. Add a code from your phone, so that a stolen password is not enough.
            </p>
          )}
          <p>
            <a className="button button--primary" href={hrefOf('mfa-setup')}>
              Set up two-step sign-in
            </a>
          </p>
        </div>
      )}
    </Card>
  );
}
