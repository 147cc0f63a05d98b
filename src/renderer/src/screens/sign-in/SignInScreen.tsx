import { useState, type FormEvent } from 'react';
import { useAction } from '../../api/use-action';
import { Callout, ErrorAlert } from '../../components/Alerts';
import { AuthFrame } from '../../components/AuthFrame';
import { Button } from '../../components/Button';
import { Checkbox, CurrentPasswordField, TextField } from '../../components/Field';
import { plural } from '../../format/time';
import { useSession } from '../../stores/session';
import { USERNAME_MAX_LENGTH } from '../../../../shared/fields';

/** Name and password; the engine answers with a session or with the next step. */
export function SignInScreen({ ended }: { readonly ended: boolean }) {
  const signIn = useSession((s) => s.signIn);
  const stayDays = useSession((s) => s.status?.offers.staySignedInDays ?? 0);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [staySignedIn, setStaySignedIn] = useState(false);
  const action = useAction(signIn);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run({ username, password, staySignedIn: stayDays > 0 && staySignedIn }).then((result) => {
      if (result !== null && !result.ok) setPassword('');
    });
  };

  return (
    <AuthFrame>
      <h1 className="auth__title">Sign in</h1>
      <p className="auth__lead">Your accounts and sessions stay on this computer.</p>
      <form className="form form--spaced" onSubmit={submit} noValidate>
        {ended && (
          <Callout kind="info">
            <p>Your session ended. Sign in again to continue.</p>
          </Callout>
        )}
        <TextField
          label="Account name"
          autoComplete="username"
          required
          maxLength={USERNAME_MAX_LENGTH}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus
        />
        <CurrentPasswordField value={password} onChange={setPassword} errorCode={action.error?.code} />
        {stayDays > 0 && (
          <Checkbox
            label={`Stay signed in for ${plural(stayDays, 'day')}`}
            hint="Opens Latchkey without your password next time, on this device only. Leave it off on a shared computer."
            checked={staySignedIn}
            onChange={(e) => setStaySignedIn(e.target.checked)}
          />
        )}
        <ErrorAlert error={action.error} />
        <Button type="submit" variant="primary" className="button--block" busy={action.busy}>
          Sign in
        </Button>
      </form>
    </AuthFrame>
  );
}
