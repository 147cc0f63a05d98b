import { useEffect, useState } from 'react';
import { StatusMessage } from '../../components/Alerts';
import { Card } from '../../components/Card';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { MFA_STATE_LABELS, ROLE_LABELS } from '../../format/labels';
import { hrefOf } from '../../stores/navigation';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';
import { ChangePasswordForm } from './ChangePasswordForm';
import { DisableMfaForm } from './DisableMfaForm';
import { EmailVerificationPanel } from './EmailVerificationPanel';
import { PhoneCard } from './PhoneCard';
import { RegenerateBackupCodesForm } from './RegenerateBackupCodesForm';
import { EmailAddress } from '../../components/EmailAddress';

/** The signed-in person's own account: password, second factor, backup codes, the phone for SMS codes. */
export function SettingsScreen() {
  const account = useSession((s) => s.signedIn?.account);
  const mfa = useSecurity((s) => s.mfa.data);
  const loadMfa = useSecurity((s) => s.loadMfa);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void loadMfa();
  }, [loadMfa]);

  if (account === undefined) return null;
  const mfaOn = (mfa?.state ?? account.mfaState) === 'ENABLED';
  return (
    <>
      <PageHeader title="Account settings" description="Your password and your second factor. Administrators cannot see either." />
      <div className="stack">
        <StatusMessage>{message}</StatusMessage>
        <div className="grid-2">
          <Card title="Your account">
            <dl className="facts">
              <dt>Account name</dt>
              <dd>{account.username}</dd>
              {account.displayName !== '' && account.displayName !== account.username && (
                <>
                  <dt>Display name</dt>
                  <dd>{account.displayName}</dd>
                </>
              )}
              <dt>E-mail address</dt>
              <dd>
                <EmailAddress account={account} />
              </dd>
              <dt>Role</dt>
              <dd>{ROLE_LABELS[account.role]}</dd>
              <dt>Created</dt>
              <dd>
                <Time at={account.createdAt} />
              </dd>
              <dt>Password changed</dt>
              <dd>
                <Time at={account.passwordChangedAt} />
              </dd>
              <dt>Two-step sign-in</dt>
              <dd>{MFA_STATE_LABELS[mfa?.state ?? account.mfaState]}</dd>
            </dl>
            {account.email !== null && account.emailVerifiedAt === null && (
              <EmailVerificationPanel username={account.username} email={account.email} onVerified={setMessage} />
            )}
          </Card>
          <ChangePasswordForm />
        </div>
        {mfaOn ? (
          <div className="grid-2">
            <RegenerateBackupCodesForm backupCodesLeft={mfa?.backupCodesLeft ?? null} />
            <DisableMfaForm
              required={mfa?.required ?? false}
              onDisabled={() => setMessage('Two-step sign-in is off. Sign-ins now ask only for your password.')}
            />
          </div>
        ) : (
          <Card title="Two-step sign-in" description="A code from your phone at each sign-in, so a stolen password alone is not enough.">
            <p>
              <a className="button button--primary" href={hrefOf('mfa-setup')}>
                Set up two-step sign-in
              </a>
            </p>
          </Card>
        )}
        <div className="grid-2">
          <PhoneCard mfaOn={mfaOn} />
        </div>
      </div>
    </>
  );
}
