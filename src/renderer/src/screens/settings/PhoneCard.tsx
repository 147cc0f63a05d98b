import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { PhoneView } from '../../../../shared/delivery';
import { PHONE_INPUT_MAX } from '../../../../shared/fields';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { TextField } from '../../components/Field';
import { Time } from '../../components/Time';
import { CodeField, checkCode, isCodeFault } from '../mfa/FactorFields';
import { SentCodeStatus, useSecondTick, type SentHere } from '../mfa/SentCodeOffers';

/**
 * The phone that can receive sign-in codes by SMS: added with the current password, proved by a
 * code sent to it, removed in two clicks. Only its masked form ever reaches this window.
 */
export function PhoneCard({ mfaOn }: { readonly mfaOn: boolean }) {
  const [phone, setPhone] = useState<PhoneView | null | undefined>(undefined);
  const [sent, setSent] = useState<SentHere | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = useAction(() => call('phone.get', {}));
  const { run: runLoad } = load;
  const reload = useCallback(() => {
    void runLoad().then((result) => {
      if (result?.ok === true) setPhone(result.value);
    });
  }, [runLoad]);

  useEffect(reload, [reload]);

  const onSent = (view: SentHere): void => {
    setSent(view);
    setDone(null);
    reload();
  };

  return (
    <Card
      title="Phone for SMS codes"
      description="A code by SMS when your authenticator app is not at hand. It is weaker than the app: a phone number can be moved to another SIM."
    >
      <div className="stack stack--tight">
        <StatusMessage>{done}</StatusMessage>
        <ErrorAlert error={load.error} />
        {phone === null && <AddPhoneForm onSent={onSent} />}
        {phone != null && phone.verifiedAt === null && (
          <ProvePhoneForm
            phone={phone}
            sent={sent}
            onSent={onSent}
            onProved={(proved) => {
              setSent(null);
              setPhone(proved);
              setDone(
                mfaOn
                  ? `The phone ${proved.masked} is verified: sign-ins can send a code to it.`
                  : `The phone ${proved.masked} is verified. Sign-ins offer a code by SMS once two-step sign-in with an app is on.`,
              );
            }}
            onRemoved={() => {
              setSent(null);
              setPhone(null);
            }}
          />
        )}
        {phone != null && phone.verifiedAt !== null && (
          <ProvedPhone
            phone={phone}
            mfaOn={mfaOn}
            onRemoved={() => {
              setPhone(null);
              setDone(`The phone ${phone.masked} was removed: sign-ins no longer offer a code by SMS.`);
            }}
          />
        )}
      </div>
    </Card>
  );
}

function AddPhoneForm({ onSent }: { onSent: (sent: SentHere) => void }) {
  const [number, setNumber] = useState('');
  const [password, setPassword] = useState('');
  const add = useAction(() => call('phone.add', { phone: number.trim(), currentPassword: password }));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void add.run().then((result) => {
      if (result?.ok !== true) return;
      setNumber('');
      setPassword('');
      onSent({ view: result.value, receivedAt: Date.now() });
    });
  };

  const code = add.error?.code;
  return (
    <form className="form" onSubmit={submit} noValidate>
      <TextField
        label="Phone number"
        hint="With + and the country code, such as +44 7400 123456. A mobile number: a landline cannot take an SMS."
        type="tel"
        inputMode="tel"
        autoComplete="tel"
        maxLength={PHONE_INPUT_MAX}
        required
        invalid={code === 'INVALID_INPUT'}
        value={number}
        onChange={(e) => setNumber(e.target.value)}
      />
      <TextField
        label="Current password"
        hint="A phone is a way past the second step, so adding one takes your password."
        type="password"
        autoComplete="current-password"
        required
        invalid={code === 'INVALID_CREDENTIALS'}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <ErrorAlert error={add.error} />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={add.busy} disabled={number.trim() === '' || password === ''}>
          Send a code to this phone
        </Button>
      </div>
    </form>
  );
}

function ProvePhoneForm({
  phone,
  sent,
  onSent,
  onProved,
  onRemoved,
}: {
  readonly phone: PhoneView;
  readonly sent: SentHere | null;
  onSent: (sent: SentHere) => void;
  onProved: (phone: PhoneView) => void;
  onRemoved: () => void;
}) {
  const [code, setCode] = useState('');
  const verify = useAction((checked: string) => call('phone.verify', { code: checked }));
  const resend = useAction(() => call('phone.resend', {}));
  const remove = useAction(() => call('phone.remove', {}));
  const now = useSecondTick(sent !== null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkCode('sms_code', code);
    if ('error' in checked) {
      verify.setError(checked.error);
      return;
    }
    void verify.run(checked.code).then((result) => {
      if (result === null) return;
      setCode('');
      if (result.ok) onProved(result.value);
    });
  };

  const sendAgain = (): void => {
    void resend.run().then((result) => {
      if (result?.ok === true) onSent({ view: result.value, receivedAt: Date.now() });
    });
  };

  return (
    <div className="stack stack--tight">
      <p className="small">
        <strong>{phone.masked}</strong> is not verified yet. Enter the code Latchkey sent to it by SMS.
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <CodeField factor="sms_code" value={code} onChange={setCode} invalid={isCodeFault(verify.error?.code)} />
        {sent !== null ? (
          <SentCodeStatus sent={sent} now={now} busy={resend.busy} onResend={sendAgain} />
        ) : (
          <p>
            <Button variant="link" busy={resend.busy} onClick={sendAgain}>
              Send a new code
            </Button>
          </p>
        )}
        <ErrorAlert error={verify.error ?? resend.error ?? remove.error} />
        <div className="button-row">
          <Button type="submit" variant="primary" busy={verify.busy}>
            Verify phone
          </Button>
          <Button
            variant="quiet"
            busy={remove.busy}
            onClick={() => {
              void remove.run().then((result) => {
                if (result?.ok === true) onRemoved();
              });
            }}
          >
            Use another number
          </Button>
        </div>
      </form>
    </div>
  );
}

function ProvedPhone({ phone, mfaOn, onRemoved }: { readonly phone: PhoneView; readonly mfaOn: boolean; onRemoved: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useAction(() => call('phone.remove', {}));
  return (
    <div className="stack stack--tight">
      <dl className="facts">
        <dt>Phone</dt>
        <dd>{phone.masked}</dd>
        <dt>Verified</dt>
        <dd>
          <Time at={phone.verifiedAt} />
        </dd>
      </dl>
      {!mfaOn && <p className="small">Sign-ins offer a code by SMS only while two-step sign-in with an authenticator app is on.</p>}
      <ErrorAlert error={remove.error} />
      {confirming ? (
        <div className="button-row" role="group" aria-label="Remove the phone?">
          <span className="small">Remove {phone.masked}? Sign-ins will stop offering a code by SMS.</span>
          <Button
            variant="danger"
            busy={remove.busy}
            onClick={() => {
              void remove.run().then((result) => {
                if (result?.ok === true) onRemoved();
              });
            }}
          >
            Remove phone
          </Button>
          <Button variant="quiet" onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </div>
      ) : (
        <div className="button-row">
          <Button onClick={() => setConfirming(true)}>Remove phone…</Button>
        </div>
      )}
    </div>
  );
}
