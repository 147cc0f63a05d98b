import { useState, type FormEvent } from 'react';
import type { SecondFactor } from '../../../../shared/views';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { Callout, ErrorAlert } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { CurrentPasswordField } from '../../components/Field';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';
import { CodeField, FactorSwitch, checkCode, isCodeFault } from '../mfa/FactorFields';

/** Turning the second factor off takes the password and a current code (or a backup code). */
export function DisableMfaForm({ required, onDisabled }: { readonly required: boolean; onDisabled: () => void }) {
  const refresh = useSession((s) => s.refresh);
  const loadAll = useSecurity((s) => s.loadAll);
  const [password, setPassword] = useState('');
  const [factor, setFactor] = useState<SecondFactor>('totp');
  const [code, setCode] = useState('');
  const [switched, setSwitched] = useState(false);
  const disable = useAction((checkedCode: string) => call('mfa.disable', { password, factor, code: checkedCode }));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    // An imported authenticator key may show 7 or 8 digits.
    const checked = checkCode(factor, code, { anyKey: true });
    if ('error' in checked) {
      disable.setError(checked.error);
      return;
    }
    void disable.run(checked.code).then((result) => {
      if (result === null) return;
      setCode('');
      if (!result.ok) return;
      setPassword('');
      onDisabled();
      void refresh();
      void loadAll();
    });
  };

  return (
    <Card
      title="Turn off two-step sign-in"
      description="Your account will be protected by your password alone. Trusted devices and backup codes are removed."
    >
      <form className="form" onSubmit={submit} noValidate>
        {required && (
          <Callout kind="warning">
            <p>Your administrator requires two-step sign-in: you will be asked to set it up again at your next sign-in.</p>
          </Callout>
        )}
        <CurrentPasswordField value={password} onChange={setPassword} errorCode={disable.error?.code} />
        <CodeField factor={factor} value={code} onChange={setCode} invalid={isCodeFault(disable.error?.code)} autoFocus={switched} />
        <FactorSwitch
          factors={['totp', 'backup_code']}
          value={factor}
          onChange={(next) => {
            setFactor(next);
            setCode('');
            setSwitched(true);
            // The refusal was about the other kind of code.
            disable.setError(null);
          }}
        />
        <ErrorAlert error={disable.error} />
        <div className="button-row">
          <Button type="submit" variant="danger" busy={disable.busy}>
            Turn off two-step sign-in
          </Button>
        </div>
      </form>
    </Card>
  );
}
