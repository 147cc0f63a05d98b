import { useEffect, useState } from 'react';
import { CODE_CHANNEL_PROBLEM_TEXT, type Channel, type CodeChannelView, type SentCodeView } from '../../../../shared/delivery';
import type { SecondFactor } from '../../../../shared/views';
import { Button } from '../../components/Button';
import { formatClock, formatDuration, plural } from '../../format/time';

/** The factor a code sent on each channel answers. */
export const FACTOR_OF_CHANNEL: Record<Channel, Extract<SecondFactor, 'sms_code' | 'email_code'>> = {
  sms: 'sms_code',
  email: 'email_code',
};

const BY: Record<Channel, string> = { sms: 'by SMS', email: 'by e-mail' };

/** A code on its way, with when it arrived in this window: the countdown runs from then, on this window's clock. */
export interface SentHere {
  readonly view: SentCodeView;
  readonly receivedAt: number;
}

/** Seconds until another code may be asked for, counted from when the answer reached this window. */
export function secondsToResend(sent: SentHere, now: number): number {
  const wait = sent.view.resendAt - sent.view.sentAt;
  // The tick may predate the answer (it last fired before the code was asked for): never count from before it arrived.
  const at = Math.max(now, sent.receivedAt);
  return Math.max(0, Math.ceil((sent.receivedAt + wait - at) / 1000));
}

/** Ticks once a second while `active`, for a countdown; the time is only shown, never decided on. */
export function useSecondTick(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * Where the code went and what it allows: when it stops working, how many wrong tries it has left,
 * and a "send a new code" that waits out the sending limit with a countdown.
 */
export function SentCodeStatus({
  sent,
  now,
  busy,
  onResend,
}: {
  readonly sent: SentHere;
  readonly now: number;
  readonly busy: boolean;
  onResend: () => void;
}) {
  const { view } = sent;
  const wait = secondsToResend(sent, now);
  const resend = wait > 0 ? `Send a new code (in ${formatDuration(wait)})` : 'Send a new code';
  return (
    <div className="sent-code">
      <p className="small" aria-live="polite">
        {view.attemptsLeft > 0
          ? `${view.sent ? 'Sent' : 'Queued (not sent yet: it is tried again shortly)'} ${BY[view.channel]} to ${view.to}. It works until ${formatClock(view.expiresAt)}; ${plural(view.attemptsLeft, 'wrong try', 'wrong tries')} left.`
          : `The code sent to ${view.to} is void after too many wrong tries. Send a new one.`}
      </p>
      <Button variant="link" onClick={onResend} busy={busy} disabled={wait > 0}>
        {resend}
      </Button>
    </div>
  );
}

/**
 * The other ways through the second step: the authenticator app, a backup code, and a code by
 * SMS or e-mail where the step offers one (SMS flagged as weaker). Channels not offered are
 * listed with the reason, so no one wonders where the button went.
 */
export function OtherWays({
  factor,
  factors,
  offers,
  sent,
  sending,
  onChoose,
  onSend,
}: {
  readonly factor: SecondFactor;
  readonly factors: readonly SecondFactor[];
  readonly offers: readonly CodeChannelView[];
  readonly sent: Partial<Record<Channel, SentHere>>;
  readonly sending: Channel | null;
  onChoose: (factor: SecondFactor) => void;
  onSend: (channel: Channel) => void;
}) {
  const offered = offers.filter((offer) => offer.problem === null && factors.includes(FACTOR_OF_CHANNEL[offer.channel]));
  const unoffered = offers.filter((offer) => offer.problem !== null);
  // A channel that stopped getting through is news; the others are standing facts, one click away.
  const down = unoffered.filter((offer) => offer.problem === 'unreachable');
  const standing = unoffered.filter((offer) => offer.problem !== 'unreachable');
  return (
    <nav className="other-ways" aria-label="Other ways to verify">
      <ul className="other-ways__list">
        {factor !== 'totp' && (
          <li>
            <Button variant="link" onClick={() => onChoose('totp')}>
              Use your authenticator app instead
            </Button>
          </li>
        )}
        {factor !== 'backup_code' && factors.includes('backup_code') && (
          <li>
            <Button variant="link" onClick={() => onChoose('backup_code')}>
              Use a backup code instead
            </Button>
          </li>
        )}
        {offered
          .filter((offer) => factor !== FACTOR_OF_CHANNEL[offer.channel])
          .map((offer) => (
            <li key={offer.channel}>
              {sent[offer.channel] === undefined ? (
                <Button variant="link" busy={sending === offer.channel} onClick={() => onSend(offer.channel)}>
                  Send a code {BY[offer.channel]} to {offer.to}
                </Button>
              ) : (
                <Button variant="link" onClick={() => onChoose(FACTOR_OF_CHANNEL[offer.channel])}>
                  Enter the code sent {BY[offer.channel]}
                </Button>
              )}
              {offer.channel === 'sms' && (
                <span className="other-ways__note">Weaker than your app: a number can be moved to another SIM.</span>
              )}
              {offer.channel === 'email' && <span className="other-ways__note">Counts as less than two-step sign-in.</span>}
            </li>
          ))}
      </ul>
      {down.map((offer) => (
        <p key={offer.channel} className="other-ways__note">
          {CODE_CHANNEL_PROBLEM_TEXT[offer.channel].unreachable} Codes {BY[offer.channel]} are offered again once a message gets through.
        </p>
      ))}
      {standing.length > 0 && (
        <details className="other-ways__why">
          <summary>Why no code {standing.map((offer) => BY[offer.channel]).join(' or ')}?</summary>
          <ul>
            {standing.map((offer) => (
              <li key={offer.channel}>{offer.problem === null ? null : CODE_CHANNEL_PROBLEM_TEXT[offer.channel][offer.problem]}</li>
            ))}
          </ul>
        </details>
      )}
    </nav>
  );
}
