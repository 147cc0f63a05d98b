import { useState, type FormEvent } from 'react';
import type { Channel } from '../../../../shared/delivery';
import type { SecondFactor } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { AuthFrame } from '../../components/AuthFrame';
import { Button } from '../../components/Button';
import { Checkbox } from '../../components/Field';
import { formatClock, plural } from '../../format/time';
import { useSession, type PendingStep } from '../../stores/session';
import { CodeField, checkCode, isCodeFault } from './FactorFields';
import { FACTOR_OF_CHANNEL, OtherWays, SentCodeStatus, useSecondTick, type SentHere } from './SentCodeOffers';

const CHANNEL_OF: Partial<Record<SecondFactor, Channel>> = { sms_code: 'sms', email_code: 'email' };

/**
 * The second step of a sign-in (or an unlock): a code from the authenticator app, a backup code,
 * or a code sent by SMS or e-mail where the step offers one.
 */
export function ChallengeScreen({ step }: { readonly step: PendingStep }) {
  const answerChallenge = useSession((s) => s.answerChallenge);
  const sendCode = useSession((s) => s.sendCode);
  const cancelStep = useSession((s) => s.cancelStep);
  const trustDays = useSession((s) => s.status?.offers.trustDeviceDays ?? 0);
  const { challenge } = step;
  const factors: readonly SecondFactor[] = challenge.factors.length > 0 ? challenge.factors : ['totp'];
  const [factor, setFactor] = useState<SecondFactor>(factors[0] ?? 'totp');
  const [code, setCode] = useState('');
  const [trustDevice, setTrustDevice] = useState(false);
  const [sent, setSent] = useState<Partial<Record<Channel, SentHere>>>({});
  const [sending, setSending] = useState<Channel | null>(null);
  const action = useAction(answerChallenge);
  const send = useAction(sendCode);
  const now = useSecondTick(Object.keys(sent).length > 0);

  const spent = challenge.attemptsLeft <= 0 || action.error?.code === 'CHALLENGE_INVALID';
  const channel = CHANNEL_OF[factor];
  const sentHere = channel === undefined ? undefined : sent[channel];

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (spent) return;
    // An imported authenticator key may show 7 or 8 digits.
    const checked = checkCode(factor, code, { anyKey: true });
    if ('error' in checked) {
      action.setError(checked.error);
      return;
    }
    void action.run(factor, checked.code, trustDays > 0 && trustDevice && factor !== 'email_code').then((result) => {
      if (result === null || result.ok) return;
      setCode('');
      const { error } = result;
      // A sent code allows fewer tries than the step: keep its own count, so the screen can offer a new one.
      const codeLeft = error.code === 'CODE_INVALID' ? error.details?.codeAttemptsLeft : undefined;
      if (channel !== undefined && sentHere !== undefined && codeLeft !== undefined) {
        setSent((current) => ({ ...current, [channel]: { ...sentHere, view: { ...sentHere.view, attemptsLeft: codeLeft } } }));
      }
    });
  };

  const chooseFactor = (next: SecondFactor): void => {
    setFactor(next);
    setCode('');
    action.setError(null);
  };

  const sendBy = (by: Channel): void => {
    setSending(by);
    void send.run(by).then((result) => {
      setSending(null);
      if (result?.ok !== true) return;
      setSent((current) => ({ ...current, [by]: { view: result.value, receivedAt: Date.now() } }));
      chooseFactor(FACTOR_OF_CHANNEL[by]);
    });
  };

  return (
    <AuthFrame>
      <h1 className="auth__title">Two-step verification</h1>
      <p className="auth__lead">
        {step.from === 'manual' || step.from === 'idle' ? 'Unlocking' : 'Signing in as'} <strong>{step.username}</strong>. {LEADS[factor]}
      </p>
      <form className="form form--spaced" onSubmit={submit} noValidate>
        <CodeField factor={factor} value={code} onChange={setCode} invalid={isCodeFault(action.error?.code)} autoFocus />
        {sentHere !== undefined && channel !== undefined && (
          <SentCodeStatus sent={sentHere} now={now} busy={sending === channel} onResend={() => sendBy(channel)} />
        )}
        {factor === 'sms_code' && (
          <p className="field__hint">SMS is weaker than an authenticator app: a phone number can be moved to another SIM without you.</p>
        )}
        {factor === 'email_code' && (
          <p className="field__hint">
            A sign-in with an e-mailed code counts as less than two-step sign-in, and cannot trust this device. Your dashboard will say so
            until you sign in with your app again.
          </p>
        )}
        {trustDays > 0 && factor !== 'email_code' && (
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
        <ErrorAlert error={action.error ?? send.error} />
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
        <OtherWays
          factor={factor}
          factors={factors}
          offers={challenge.codeChannels}
          sent={sent}
          sending={sending}
          onChoose={chooseFactor}
          onSend={sendBy}
        />
      )}
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

/** What to do, said after who is signing in. */
const LEADS: Record<SecondFactor, string> = {
  totp: 'Open your authenticator app and enter the code it shows for Latchkey.',
  backup_code: 'Enter one of your saved backup codes.',
  sms_code: 'Enter the code Latchkey sent you by SMS.',
  email_code: 'Enter the code Latchkey sent you by e-mail.',
};
