import { useState, type FormEvent } from 'react';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { AuthFrame } from '../../components/AuthFrame';
import { Button } from '../../components/Button';
import { TextField } from '../../components/Field';
import { useSession } from '../../stores/session';
import { PASSWORD_HINT, firstPasswordMismatch } from '../settings/password-rules';
import { EMAIL_MAX_LENGTH } from '../../../../shared/fields';
import { AccountNameField } from '../../components/AccountNameField';

/** A new vault: its first account, an administrator, who then manages everyone else. */
export function FirstRunScreen() {
  const createAdmin = useSession((s) => s.createAdmin);
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const action = useAction(createAdmin);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (password !== repeat) {
      action.setError(firstPasswordMismatch);
      return;
    }
    void action.run({ username, password, ...(email.trim() === '' ? {} : { email: email.trim() }) });
  };

  const passwordFault = action.error?.code === 'PASSWORD_REJECTED' || action.error === firstPasswordMismatch;
  return (
    <AuthFrame>
      <h1 className="auth__title">Create the first administrator</h1>
      <p className="auth__lead">
        This vault is new. Its first account is an administrator, who adds the other accounts and sets the rules.
      </p>
      <form className="form form--spaced" onSubmit={submit} noValidate>
        <AccountNameField
          autoComplete="username"
          value={username}
          onChange={setUsername}
          refused={action.error?.code === 'INVALID_INPUT' && action.error.details?.field === 'username'}
          autoFocus
        />
        <TextField
          label="E-mail address (optional)"
          type="email"
          autoComplete="email"
          maxLength={EMAIL_MAX_LENGTH}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint={PASSWORD_HINT}
          invalid={passwordFault}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <TextField
          label="Repeat password"
          type="password"
          autoComplete="new-password"
          required
          invalid={action.error === firstPasswordMismatch}
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        <ErrorAlert error={action.error} />
        <Button type="submit" variant="primary" className="button--block" busy={action.busy}>
          Create administrator
        </Button>
      </form>
    </AuthFrame>
  );
}
