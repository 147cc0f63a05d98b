import { useState, type FormEvent } from 'react';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { AuthFrame } from '../../components/AuthFrame';
import { Button } from '../../components/Button';
import { CurrentPasswordField } from '../../components/Field';
import { plural } from '../../format/time';
import { useSession, type LockCause } from '../../stores/session';

/**
 * After a lock (the person's own, or the app's when idle), or a session that ended elsewhere: the
 * same person gets back in with their password (and their second factor, as at sign-in); anyone
 * else signs in afresh.
 */
export function LockScreen({ username, cause }: { readonly username: string; readonly cause: LockCause }) {
  const signIn = useSession((s) => s.signIn);
  const signInAsSomeoneElse = useSession((s) => s.signInAsSomeoneElse);
  const idleMinutes = useSession((s) => s.status?.idleLockMinutes);
  const [password, setPassword] = useState('');
  const action = useAction(signIn);
  const ended = cause === 'ended';

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run({ username, password, staySignedIn: false }, cause).then((result) => {
      if (result !== null && !result.ok) setPassword('');
    });
  };

  return (
    <AuthFrame>
      <h1 className="auth__title">{ended ? 'Your session ended' : 'Latchkey is locked'}</h1>
      <p className="auth__lead">{lead(cause, idleMinutes)}</p>
      <div className="auth__identity">
        <span className="avatar" aria-hidden="true">
          {username.slice(0, 1)}
        </span>
        <div>
          <p className="muted">{ended ? 'Account' : 'Locked account'}</p>
          <p className="cell-main">{username}</p>
        </div>
      </div>
      <form className="form form--spaced" onSubmit={submit} noValidate>
        {/* Lets a password manager pair the password with the fixed name. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <CurrentPasswordField value={password} onChange={setPassword} errorCode={action.error?.code} autoFocus />
        <ErrorAlert error={action.error} />
        <Button type="submit" variant="primary" className="button--block" busy={action.busy}>
          {ended ? 'Sign in' : 'Unlock'}
        </Button>
      </form>
      <p className="auth__alt">
        <Button variant="link" onClick={signInAsSomeoneElse}>
          Sign in as someone else
        </Button>
      </p>
    </AuthFrame>
  );
}

function lead(cause: LockCause, idleMinutes: number | undefined): string {
  switch (cause) {
    case 'ended':
      return 'It was signed out elsewhere (by an administrator or in another window) or reached its time limit. Sign in again to continue.';
    case 'manual':
      return 'You locked Latchkey. Enter your password to continue.';
    case 'idle':
      // "idle" also covers a screen lock or a suspend, so the timeout is stated as the rule, not as what happened.
      return idleMinutes === undefined
        ? 'Enter your password to continue.'
        : `Latchkey locks itself after ${plural(idleMinutes, 'minute')} without activity. Enter your password to continue.`;
  }
}
