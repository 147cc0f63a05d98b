import { useState, type FormEvent } from 'react';
import { CHANNELS, type Channel, type OutboxMessageView } from '../../../../shared/delivery';
import { EMAIL_MAX_LENGTH } from '../../../../shared/fields';
import { useAction } from '../../api/use-action';
import { ErrorAlert } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { SelectField, TextField } from '../../components/Field';
import { CHANNEL_LABELS } from '../../format/labels';
import { useDelivery } from '../../stores/delivery';
import { MessageOutcome } from './OutboxCard';

/** A short message to an address or number of the administrator's choosing, tried at once with the settings in force. */
export function TestMessageCard() {
  const sendTest = useDelivery((s) => s.sendTest);
  const [channel, setChannel] = useState<Channel>('email');
  const [to, setTo] = useState('');
  const [sent, setSent] = useState<OutboxMessageView | null>(null);
  const send = useAction(sendTest);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSent(null);
    void send.run(channel, to.trim()).then((result) => {
      if (result?.ok === true) setSent(result.value);
    });
  };

  return (
    <Card
      title="Send a test message"
      description="Latchkey queues a short message that says who sent it and when, and tries it at once; the outbox keeps it like any other."
    >
      <form className="form" onSubmit={submit} noValidate>
        <div className="inline-form">
          <SelectField label="Channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABELS[c]}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Recipient"
            type={channel === 'email' ? 'email' : 'tel'}
            autoComplete="off"
            spellCheck={false}
            maxLength={EMAIL_MAX_LENGTH}
            hint={
              channel === 'email'
                ? 'An e-mail address.'
                : 'A mobile number; with + and its country code unless it is in the SMS settings’ region.'
            }
            invalid={send.error?.code === 'INVALID_INPUT'}
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
          <Button type="submit" variant="primary" busy={send.busy} disabled={to.trim() === ''}>
            Send test message
          </Button>
        </div>
        <ErrorAlert error={send.error} />
        <MessageOutcome message={sent} />
      </form>
    </Card>
  );
}
