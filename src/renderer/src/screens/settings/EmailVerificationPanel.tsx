import { useId, useState, type FormEvent } from 'react';
import type { SentVerificationView } from '../../../../shared/contract';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { TextField } from '../../components/Field';
import { VerificationOutcome } from '../../components/VerificationOutcome';
import { useSession } from '../../stores/session';

/**
 * Proving one's own address: a new verification mail on request, and the token from it pasted
 * here (for a mail read on another device, where the latchkey:// link cannot open this app).
 */
export function EmailVerificationPanel({
  username,
  email,
  onVerified,
}: {
  readonly username: string;
  readonly email: string;
  onVerified: (message: string) => void;
}) {
  const headingId = useId();
  const refresh = useSession((s) => s.refresh);
  const [sent, setSent] = useState<SentVerificationView | null>(null);
  const [token, setToken] = useState('');
  const send = useAction(() => call('email.sendVerification', {}));
  const confirm = useAction((pasted: string) => call('email.confirmToken', { token: pasted }));

  const sendMail = (): void => {
    setSent(null);
    void send.run().then((result) => {
      if (result?.ok === true) setSent(result.value);
    });
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (token.trim() === '') return;
    void confirm.run(token.trim()).then((result) => {
      if (result?.ok !== true) return;
      const verified = result.value;
      setToken('');
      onVerified(
        verified.username === username
          ? `Your e-mail address ${verified.email} is verified.`
          : `The e-mail address ${verified.email} is verified for the account "${verified.username}".`,
      );
      void refresh();
    });
  };

  return (
    <section aria-labelledby={headingId}>
      <h3 className="panel-subtitle" id={headingId}>
        Verify your address
      </h3>
      <div className="stack stack--tight">
        <p className="small">
          Latchkey mails a link and a token to {email}. Open the link on this computer, or paste the token below. Earlier mails stop working
          when a new one is sent.
        </p>
        <div className="button-row">
          <Button busy={send.busy} onClick={sendMail}>
            Send verification e-mail
          </Button>
        </div>
        <ErrorAlert error={send.error} />
        <VerificationOutcome sent={sent} to={email} />
        <form className="form" onSubmit={submit} noValidate>
          <TextField
            label="Have the token from the mail? Paste it here"
            hint="The token on a line of its own in the mail (43 letters, digits, - and _), or the whole latchkey://verify link."
            autoComplete="off"
            spellCheck={false}
            invalid={confirm.error !== null}
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <ErrorAlert error={confirm.error} />
          <div className="button-row">
            <Button type="submit" busy={confirm.busy} disabled={token.trim() === ''}>
              Verify address
            </Button>
          </div>
        </form>
      </div>
    </section>
  );
}
