import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { TotpSetupView } from '../../../../shared/views';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { Callout, ErrorAlert } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { PageHeader } from '../../components/PageHeader';
import { hrefOf, useNavigation } from '../../stores/navigation';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';
import { AuthenticatorKey } from './AuthenticatorKey';
import { BackupCodesPanel } from './BackupCodesPanel';
import { CodeField, checkCode, isCodeFault } from './FactorFields';

type Step = 'scan' | 'confirm' | 'codes';
const STEPS: readonly { id: Step; label: string }[] = [
  { id: 'scan', label: 'Scan the QR code' },
  { id: 'confirm', label: 'Confirm a code' },
  { id: 'codes', label: 'Save backup codes' },
];

/** Turning on two-step sign-in from the app: scan, prove it works, keep the backup codes. */
export function MfaSetupWizard() {
  const username = useSession((s) => s.signedIn?.account.username ?? 'account');
  const alreadyOn = useSession((s) => s.signedIn?.account.mfaState === 'ENABLED');
  const refreshSession = useSession((s) => s.refresh);
  const loadMfa = useSecurity((s) => s.loadMfa);
  const navigate = useNavigation((s) => s.navigate);
  const [step, setStep] = useState<Step>('scan');
  const [setup, setSetup] = useState<TotpSetupView | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  const begin = useAction(() => call('mfa.beginTotp'));
  const confirm = useAction((totp: string) => call('mfa.confirmTotp', { code: totp }));
  const begun = useRef(false);
  const codeInput = useRef<HTMLDivElement>(null);

  const beginRun = begin.run;
  const start = useCallback((): void => {
    setStep('scan');
    setCode('');
    void beginRun().then((result) => {
      if (result?.ok === true) setSetup(result.value);
    });
  }, [beginRun]);

  useEffect(() => {
    if (begun.current || alreadyOn) return;
    begun.current = true;
    // Once, on arrival: each visit to the page begins with a new pending key.
    start();
  }, [alreadyOn, start]);

  useEffect(() => {
    if (step === 'confirm') codeInput.current?.querySelector('input')?.focus();
  }, [step]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkCode('totp', code);
    if ('error' in checked) {
      confirm.setError(checked.error);
      return;
    }
    void confirm.run(checked.code).then((result) => {
      if (result === null) return;
      if (!result.ok) {
        setCode('');
        return;
      }
      setCodes(result.value.backupCodes);
      setStep('codes');
      void refreshSession();
      void loadMfa();
    });
  };

  const finish = (): void => navigate('dashboard');

  if (alreadyOn && codes === null) {
    return (
      <>
        <PageHeader title="Set up two-step sign-in" />
        <Callout kind="info" title="Two-step sign-in is already on">
          <p>
            To move it to a new phone, turn it off in <a href={hrefOf('settings')}>Account settings</a> and set it up again.
          </p>
        </Callout>
      </>
    );
  }

  const current = STEPS.findIndex((s) => s.id === step);
  return (
    <>
      <PageHeader
        title="Set up two-step sign-in"
        description="After your password, Latchkey will ask for a code from an app on your phone, so a stolen password alone is not enough."
      />
      <ol className="steps" aria-label="Setup progress">
        {STEPS.map((s, i) => (
          <li key={s.id} aria-current={i === current ? 'step' : undefined} className={i < current ? 'is-done' : undefined}>
            {s.label}
            {i < current && <span className="visually-hidden"> (done)</span>}
          </li>
        ))}
      </ol>

      {step === 'scan' && (
        <Card title="Add Latchkey to your authenticator app">
          {begin.busy && setup === null && <p className="loading-line">Preparing a new key…</p>}
          <ErrorAlert error={begin.error} />
          {setup !== null && <AuthenticatorKey setup={setup} />}
          <div className="button-row card__footer">
            <Button variant="primary" disabled={setup === null} onClick={() => setStep('confirm')}>
              Next
            </Button>
            <a className="button button--quiet" href={hrefOf('dashboard')}>
              Cancel
            </a>
          </div>
        </Card>
      )}

      {step === 'confirm' && (
        <Card title="Enter the code your app shows">
          <form className="form narrow" onSubmit={submit} noValidate>
            <div ref={codeInput}>
              <CodeField factor="totp" value={code} onChange={setCode} invalid={isCodeFault(confirm.error?.code)} />
            </div>
            <ErrorAlert error={confirm.error}>
              {confirm.error?.code === 'MFA_STATE_INVALID' && (
                <p>
                  <Button variant="link" onClick={start}>
                    Start the setup again
                  </Button>
                </p>
              )}
            </ErrorAlert>
            <div className="button-row">
              <Button type="submit" variant="primary" busy={confirm.busy}>
                Confirm code
              </Button>
              <Button variant="quiet" onClick={() => setStep('scan')}>
                Back
              </Button>
            </div>
          </form>
        </Card>
      )}

      {step === 'codes' && codes !== null && (
        <Card title="Save your backup codes" description="Two-step sign-in is now on. These codes get you in if your phone is lost.">
          <BackupCodesPanel codes={codes} username={username} doneLabel="Finish" onDone={finish} />
        </Card>
      )}
    </>
  );
}
