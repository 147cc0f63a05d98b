import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { TotpSetupView } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { AuthFrame } from '../../components/AuthFrame';
import { Button } from '../../components/Button';
import { Checkbox } from '../../components/Field';
import { plural } from '../../format/time';
import { useSession, type PendingStep } from '../../stores/session';
import { AuthenticatorKey } from './AuthenticatorKey';
import { CodeField, checkCode, isCodeFault } from './FactorFields';

/**
 * Policy says this account needs a second factor and it has none: it enrolls now, before any
 * session exists. The backup codes follow once the code is confirmed.
 */
export function EnrollmentScreen({ step }: { readonly step: PendingStep }) {
  const beginEnrollment = useSession((s) => s.beginEnrollment);
  const confirmEnrollment = useSession((s) => s.confirmEnrollment);
  const cancelStep = useSession((s) => s.cancelStep);
  const trustDays = useSession((s) => s.status?.offers.trustDeviceDays ?? 0);
  const [setup, setSetup] = useState<TotpSetupView | null>(null);
  const [code, setCode] = useState('');
  const [trustDevice, setTrustDevice] = useState(false);
  const begin = useAction(beginEnrollment);
  const beginRun = begin.run;
  const confirm = useAction(confirmEnrollment);
  const begun = useRef(false);

  useEffect(() => {
    if (begun.current) return;
    begun.current = true;
    void beginRun().then((result) => {
      if (result?.ok === true) setSetup(result.value);
    });
  }, [beginRun]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkCode('totp', code);
    if ('error' in checked) {
      confirm.setError(checked.error);
      return;
    }
    void confirm.run(checked.code, trustDays > 0 && trustDevice).then((result) => {
      if (result !== null && !result.ok) setCode('');
    });
  };

  const gone = begin.error?.code === 'CHALLENGE_INVALID' || confirm.error?.code === 'CHALLENGE_INVALID';
  return (
    <AuthFrame wide>
      <h1 className="auth__title">Set up two-step sign-in</h1>
      <p className="auth__lead">
        Your administrator asks every sign-in to <strong>{step.username}</strong> for a code from your phone as well as the password. Set it
        up now; it takes a minute.
      </p>
      <div className="form form--spaced">
        {begin.busy && <p className="loading-line">Preparing a new key…</p>}
        <ErrorAlert error={begin.error} />
        {setup !== null && (
          <AuthenticatorKey setup={setup}>
            {!gone && (
              <form className="form enrollment-confirm" onSubmit={submit} noValidate>
                <CodeField factor="totp" value={code} onChange={setCode} invalid={isCodeFault(confirm.error?.code)} />
                {trustDays > 0 && (
                  <Checkbox
                    label={`Trust this device for ${plural(trustDays, 'day')}`}
                    hint="Skips the code on this device until then. Not on a shared computer."
                    checked={trustDevice}
                    onChange={(e) => setTrustDevice(e.target.checked)}
                  />
                )}
                <ErrorAlert error={confirm.error} />
                <div className="button-row">
                  <Button type="submit" variant="primary" busy={confirm.busy}>
                    Confirm code
                  </Button>
                  <Button variant="quiet" onClick={cancelStep}>
                    Cancel
                  </Button>
                </div>
              </form>
            )}
          </AuthenticatorKey>
        )}
      </div>
      {gone && (
        <p className="auth__alt">
          <Button variant="primary" onClick={cancelStep}>
            Start again
          </Button>
        </p>
      )}
    </AuthFrame>
  );
}
