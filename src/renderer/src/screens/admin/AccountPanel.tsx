import { useState } from 'react';
import { EMAIL_MAX_LENGTH } from '../../../../shared/fields';
import type { SentVerificationView } from '../../../../shared/contract';
import type { Result } from '../../../../shared/result';
import type { AccountView } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { NewPasswordField } from '../../components/NewPasswordField';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Time } from '../../components/Time';
import { MFA_STATE_LABELS, ROLE_LABELS } from '../../format/labels';
import { plural } from '../../format/time';
import { useAdmin } from '../../stores/admin';
import { useSession } from '../../stores/session';
import { PASSWORD_HINT } from '../settings/password-rules';
import { AccountStatus } from './AccountStatus';
import { EmailAddress } from '../../components/EmailAddress';
import { VerificationOutcome } from '../../components/VerificationOutcome';

type Question = 'disable' | 'reset-mfa' | 'reset-password' | 'revoke-sessions' | 'delete' | 'role' | 'email';

interface AccountPanelProps {
  readonly account: AccountView;
  readonly sessions: number;
  /** Reports what was done, for the page's status line; `deleted` when the account is gone. */
  onDone: (message: string, deleted?: boolean) => void;
}

/** One account's facts and everything an administrator can do to it, each change behind a question. */
export function AccountPanel({ account, sessions, onDone }: AccountPanelProps) {
  const admin = useAdmin.getState();
  const me = useSession((s) => s.signedIn?.account.id === account.id);
  const [question, setQuestion] = useState<Question | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const [confirmName, setConfirmName] = useState('');
  const [newEmail, setNewEmail] = useState('');
  const [ownPassword, setOwnPassword] = useState('');
  const refreshSession = useSession((s) => s.refresh);
  const name = account.username;
  const otherRole = account.role === 'admin' ? 'user' : 'admin';

  const act = useAction(async (work: () => Promise<Result<unknown>>, message: string, deleted: boolean = false) => {
    const result = await work();
    if (result.ok) {
      setQuestion(null);
      setNewPassword('');
      setConfirmName('');
      setOwnPassword('');
      onDone(message, deleted);
      // A change to one's own account (role, address) changes what this window may show.
      if (me) void refreshSession();
    }
    return result;
  });

  const ask = (next: Question): void => {
    act.setError(null);
    setQuestion(next);
  };
  const close = (): void => {
    setQuestion(null);
    act.setError(null);
  };

  const [verification, setVerification] = useState<SentVerificationView | null>(null);
  const verify = useAction(async () => {
    setVerification(null);
    const result = await admin.sendVerification(name);
    if (result.ok) setVerification(result.value);
    return result;
  });

  const locked = account.lockedUntil !== null || account.failedSignIns > 0;
  const unverified = account.email !== null && account.emailVerifiedAt === null;
  return (
    <Card title={name} className="account-panel" actions={me ? <Badge tone="accent">You</Badge> : undefined}>
      <dl className="facts">
        <dt>Role</dt>
        <dd>{ROLE_LABELS[account.role]}</dd>
        <dt>Status</dt>
        <dd>
          <AccountStatus account={account} />
        </dd>
        <dt>E-mail address</dt>
        <dd>
          <EmailAddress account={account} />
        </dd>
        <dt>Two-step sign-in</dt>
        <dd>{MFA_STATE_LABELS[account.mfaState]}</dd>
        <dt>Active sessions</dt>
        <dd>{sessions}</dd>
        <dt>Failed sign-ins</dt>
        <dd>{account.failedSignIns}</dd>
        <dt>Created</dt>
        <dd>
          <Time at={account.createdAt} />
        </dd>
        <dt>Password changed</dt>
        <dd>
          <Time at={account.passwordChangedAt} />
        </dd>
      </dl>

      <h3 className="panel-subtitle">Actions</h3>
      {question === null && <ErrorAlert error={act.error ?? verify.error} />}
      {account.email !== null && <VerificationOutcome sent={verification} to={account.email} />}
      <div className="action-list">
        {account.status === 'active' ? (
          <Button onClick={() => ask('disable')}>Disable account</Button>
        ) : (
          <Button busy={act.busy} onClick={() => void act.run(() => admin.setAccountStatus(name, 'active'), `${name} can sign in again.`)}>
            Enable account
          </Button>
        )}
        {locked && (
          <Button
            busy={act.busy}
            onClick={() => void act.run(() => admin.unlockAccount(name), `${name} was unlocked; failed sign-ins were cleared.`)}
          >
            Unlock account
          </Button>
        )}
        {unverified && (
          <Button busy={verify.busy} onClick={() => void verify.run()}>
            Send verification e-mail
          </Button>
        )}
        <Button onClick={() => ask('role')}>{otherRole === 'admin' ? 'Make administrator' : 'Make user'}</Button>
        <Button
          onClick={() => {
            setNewEmail(account.email ?? '');
            ask('email');
          }}
        >
          {account.email === null ? 'Add e-mail address' : 'Change e-mail address'}
        </Button>
        <Button onClick={() => ask('reset-password')}>Reset password</Button>
        {account.mfaState !== 'DISABLED' && <Button onClick={() => ask('reset-mfa')}>Reset two-step sign-in</Button>}
        <Button disabled={sessions === 0} onClick={() => ask('revoke-sessions')}>
          Revoke all sessions
        </Button>
        <Button variant="secondary" className="button--danger-outline" onClick={() => ask('delete')}>
          Delete account
        </Button>
      </div>

      {question === 'disable' && (
        <Dialog
          title={`Disable ${name}?`}
          description={<p>{name} is signed out everywhere and cannot sign in until an administrator enables the account again.</p>}
          confirmLabel="Disable account"
          danger
          busy={act.busy}
          error={act.error}
          onClose={close}
          onConfirm={() => void act.run(() => admin.setAccountStatus(name, 'disabled'), `${name} was disabled and signed out everywhere.`)}
        />
      )}
      {question === 'reset-password' && (
        <Dialog
          title={`Reset the password of ${name}`}
          description={<p>Their sessions end. Give them the new password in person or through a channel you trust.</p>}
          confirmLabel="Reset password"
          busy={act.busy}
          error={act.error}
          canConfirm={newPassword.length > 0}
          onClose={close}
          onConfirm={() => void act.run(() => admin.resetPassword(name, newPassword), `The password of ${name} was reset.`)}
        >
          <NewPasswordField
            label="New password"
            hint={PASSWORD_HINT}
            invalid={act.error?.code === 'PASSWORD_REJECTED'}
            value={newPassword}
            onChange={setNewPassword}
            autoFocus
          />
        </Dialog>
      )}
      {question === 'role' && (
        <Dialog
          title={otherRole === 'admin' ? `Make ${name} an administrator?` : `Make ${name} a user?`}
          description={
            <p>
              {otherRole === 'admin'
                ? `${name} can then manage every account, the policy, delivery and the audit log, from their next action on.`
                : `${name} keeps their sessions but loses the administrator's screens and commands at their next action.${me ? ' That includes you, in this window.' : ''}`}
            </p>
          }
          confirmLabel={otherRole === 'admin' ? 'Make administrator' : 'Make user'}
          danger={otherRole === 'admin' || me}
          busy={act.busy}
          error={act.error}
          onClose={close}
          onConfirm={() =>
            void act.run(() => admin.setRole(name, otherRole), `${name} is now ${otherRole === 'admin' ? 'an administrator' : 'a user'}.`)
          }
        />
      )}
      {question === 'email' && (
        <Dialog
          title={account.email === null ? `Add an e-mail address for ${name}` : `Change the e-mail address of ${name}`}
          description={
            <p>
              The new address is not verified until its owner opens the link mailed to it; only a verified address gets codes and notices.
              {account.emailVerifiedAt !== null && ' The old address is told of the change.'} Leave it empty to remove the address.
            </p>
          }
          confirmLabel="Save address"
          busy={act.busy}
          error={act.error}
          canConfirm={newEmail.trim() !== (account.email ?? '') && (!me || ownPassword !== '')}
          onClose={close}
          onConfirm={() => {
            const address = newEmail.trim() === '' ? null : newEmail.trim();
            void act.run(
              () => admin.setEmail(name, address, me ? ownPassword : undefined),
              address === null
                ? `${name} has no e-mail address now.`
                : `The address of ${name} is now ${address}; a verification link was mailed to it.`,
            );
          }}
        >
          <TextField
            label="E-mail address"
            type="email"
            autoComplete="off"
            spellCheck={false}
            maxLength={EMAIL_MAX_LENGTH}
            invalid={act.error?.code === 'INVALID_INPUT'}
            value={newEmail}
            onChange={(e) => setNewEmail(e.target.value)}
            autoFocus
          />
          {me && (
            <TextField
              label="Your current password"
              hint="Your own address is a way to reach you about your account, so changing it takes your password."
              type="password"
              autoComplete="current-password"
              invalid={act.error?.code === 'INVALID_CREDENTIALS'}
              value={ownPassword}
              onChange={(e) => setOwnPassword(e.target.value)}
            />
          )}
        </Dialog>
      )}
      {question === 'reset-mfa' && (
        <Dialog
          title={`Reset two-step sign-in for ${name}?`}
          description={
            <p>
              Their authenticator, backup codes and trusted devices are removed. Use this when they lost their phone. They are told at their
              next sign-in, and must set it up again if policy requires it.
            </p>
          }
          confirmLabel="Reset two-step sign-in"
          danger
          busy={act.busy}
          error={act.error}
          onClose={close}
          onConfirm={() => void act.run(() => admin.resetMfa(name), `Two-step sign-in for ${name} was reset.`)}
        />
      )}
      {question === 'revoke-sessions' && (
        <Dialog
          title={`Sign ${name} out everywhere?`}
          description={
            <p>
              All {plural(sessions, 'active session')} of {name} end now. They can sign in again.
            </p>
          }
          confirmLabel="Revoke all sessions"
          danger
          busy={act.busy}
          error={act.error}
          onClose={close}
          onConfirm={() => void act.run(() => admin.revokeAccountSessions(account.id), `All sessions of ${name} were revoked.`)}
        />
      )}
      {question === 'delete' && (
        <Dialog
          title={`Delete ${name}?`}
          description={
            <p>The account, its sessions and its second factors are deleted for good. Its audit events stay. This cannot be undone.</p>
          }
          confirmLabel="Delete account"
          danger
          busy={act.busy}
          error={act.error}
          canConfirm={confirmName.trim() === name}
          onClose={close}
          onConfirm={() => void act.run(() => admin.deleteAccount(name), `The account ${name} was deleted.`, true)}
        >
          <TextField
            label={`Type ${name} to confirm`}
            autoComplete="off"
            spellCheck={false}
            value={confirmName}
            onChange={(e) => setConfirmName(e.target.value)}
            autoFocus
          />
        </Dialog>
      )}
    </Card>
  );
}
