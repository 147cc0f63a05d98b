import { useState, type FormEvent } from 'react';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { TextField } from '../../components/Field';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';
import { PASSWORD_HINT, mismatch } from './password-rules';

/** A new password, with the current one as proof; every other session ends with the change. */
export function ChangePasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const refresh = useSession((s) => s.refresh);
  const loadAll = useSecurity((s) => s.loadAll);
  const change = useAction(() => call('account.changePassword', { currentPassword: current, newPassword: next }));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setDone(null);
    if (next !== repeat) {
      change.setError(mismatch);
      return;
    }
    void change.run().then((result) => {
      if (result?.ok !== true) return;
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone('Your password was changed. Any other sessions were signed out, and trusted devices will ask for a code again.');
      void refresh();
      void loadAll();
    });
  };

  const code = change.error?.code;
  return (
    <Card title="Change password">
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          invalid={code === 'INVALID_CREDENTIALS'}
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          hint={PASSWORD_HINT}
          invalid={code === 'PASSWORD_REJECTED' || change.error === mismatch}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <TextField
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          required
          invalid={change.error === mismatch}
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        <ErrorAlert error={change.error} />
        <StatusMessage>{done}</StatusMessage>
        <div className="button-row">
          <Button type="submit" variant="primary" busy={change.busy}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}
