import { useState, type FormEvent } from 'react';
import type { SecondFactor } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { AuthFrame } from '../../components/AuthFrame';
import { Button } from '../../components/Button';
import { Checkbox } from '../../components/Field';
import { formatClock, plural } from '../../format/time';
import { useSession, type PendingStep } from '../../stores/session';
import { CodeField, FactorSwitch, checkCode, isCodeFault } from './FactorFields';

/** The second step of a sign-in (or an unlock): a code from the authenticator app, or a backup code. */
export function ChallengeScreen({ step }: { readonly step: PendingStep }) {
  const answerChallenge = useSession((s) => s.answerChallenge);
  const cancelStep = useSession((s) => s.cancelStep);
  const trustDays = useSession((s) => s.status?.offers.trustDeviceDays ?? 0);
  const { challenge } = step;
  const factors: readonly SecondFactor[] = challenge.factors.length > 0 ? challenge.factors : ['totp'];
  const [factor, setFactor] = useState<SecondFactor>(factors[0] ?? 'totp');
  const [code, setCode] = useState('');
  const [trustDevice, setTrustDevice] = useState(false);
  const action = useAction(answerChallenge);

  const spent = challenge.attemptsLeft <= 0 || action.error?.code === 'CHALLENGE_INVALID';

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (spent) return;
    // An imported authenticator key may show 7 or 8 digits.
    const checked = checkCode(factor, code, { anyKey: true });
    if ('error' in checked) {
      action.setError(checked.error);
      return;
    }
    void action.run(factor, checked.code, trustDays > 0 && trustDevice).then((result) => {
      if (result !== null && !result.ok) setCode('');
    });
  };

  const chooseFactor = (next: SecondFactor): void => {
    setFactor(next);
    setCode('');
  };

  return (
    <AuthFrame>
      <h1 className="auth__title">Two-step verification</h1>
      <p className="auth__lead">
        {step.from === 'manual' || step.from === 'idle' ? 'Unlocking' : 'Signing in as'} <strong>{step.username}</strong>.{' '}
        {factor === 'totp'
          ? 'Open your authenticator app and enter the code it shows for Latchkey.'
          : 'Enter one of your saved backup codes.'}
      </p>
      <form className="form form--spaced" onSubmit={submit} noValidate>
        <CodeField factor={factor} value={code} onChange={setCode} invalid={isCodeFault(action.error?.code)} autoFocus />
        <FactorSwitch factors={factors} value={factor} onChange={chooseFactor} />
        {trustDays > 0 && (
          <Checkbox
            label={`Trust this device for ${plural(trustDays, 'day')}`}
            hint="Skips the code on this device until then. Not on a shared computer."
            checked={trustDevice}
            onChange={(e) => setTrustDevice(e.target.checked)}
          />
        )}
        <p className="field__hint" aria-live="polite">
          {plural(challenge.attemptsLeft, 'attempt')} left · this step expires at {formatClock(challenge.expiresAt)}
        </p>
        <ErrorAlert error={action.error} />
        {spent ? (
          <Button variant="primary" className="button--block" onClick={cancelStep}>
            Start again
          </Button>
        ) : (
          <Button type="submit" variant="primary" className="button--block" busy={action.busy}>
            Verify
          </Button>
        )}
      </form>
      {!spent && (
        <p className="auth__alt">
          <Button variant="link" onClick={cancelStep}>
            Cancel and go back
          </Button>
        </p>
      )}
    </AuthFrame>
  );
}
