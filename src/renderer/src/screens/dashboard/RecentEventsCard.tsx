import { useEffect, useRef, useState, type RefObject } from 'react';
import type { AuditEventView } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { AuditEventTable } from '../../components/AuditEventTable';
import { Callout, ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/DataTable';
import { Time } from '../../components/Time';
import { plural } from '../../format/time';
import { hrefOf } from '../../stores/navigation';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';

/** The account's own recent audit events: sign-ins, failures, changes. */
export function RecentEventsCard() {
  const events = useSecurity((s) => s.events);
  const table = useRef<HTMLDivElement>(null);
  return (
    <Card
      title="Recent security events"
      description="The latest entries about your account in the audit log, newest first."
      className="card--flush"
    >
      <div className="card__body">
        <ErrorAlert error={events.error} />
        {events.data !== null && <WasThisYou events={events.data} table={table} />}
      </div>
      {events.data === null ? (
        events.loading && <p className="card__body loading-line">Loading events…</p>
      ) : events.data.length === 0 ? (
        <EmptyState>No events yet.</EmptyState>
      ) : (
        <div ref={table} tabIndex={-1} className="focus-frame">
          <AuditEventTable caption="Recent security events" events={events.data} compact />
        </div>
      )}
    </Card>
  );
}

const FAILURES = new Set<AuditEventView['type']>(['signin.failed', 'mfa.challenge_failed']);

/** The newest event a person already answered "Was this you?" for, per account, so the question is not asked twice. */
const answeredKey = (accountId: string): string => `latchkey.wasThisYou.${accountId}`;

function answeredUpTo(accountId: string | undefined): number {
  if (accountId === undefined) return Number.POSITIVE_INFINITY;
  return Number(window.localStorage.getItem(answeredKey(accountId)) ?? 0) || 0;
}

/**
 * Failed sign-ins, and sign-ins at a device other than this one, among the recent events: asked
 * about once, with a way to end every other session at once and then to change the password.
 */
function WasThisYou({ events, table }: { readonly events: readonly AuditEventView[]; readonly table: RefObject<HTMLDivElement | null> }) {
  const signedIn = useSession((s) => s.signedIn);
  const accountId = signedIn?.account.id;
  const [answered, setAnswered] = useState(() => answeredUpTo(accountId));
  const [signedOut, setSignedOut] = useState<number | null>(null);
  const settingsLink = useRef<HTMLAnchorElement>(null);
  const revoke = useAction(() => useSecurity.getState().revokeOtherSessions());

  const unanswered = events.filter((event) => event.seq > answered);
  const failures = unanswered.filter((event) => FAILURES.has(event.type));
  const elsewhere = unanswered.filter(
    (event) => event.type === 'signin.succeeded' && event.device !== null && event.device !== signedIn?.session.deviceName,
  );
  const asked = [...failures, ...elsewhere];

  const answer = (): void => {
    const upTo = asked.reduce((top, event) => Math.max(top, event.seq), answered);
    if (accountId !== undefined) window.localStorage.setItem(answeredKey(accountId), String(upTo));
    setAnswered(upTo);
  };

  // The buttons go away with the question: once it has gone, the focus moves on to what follows it.
  const wasAsked = useRef(false);
  useEffect(() => {
    if (asked.length > 0) wasAsked.current = true;
    else if (wasAsked.current) {
      wasAsked.current = false;
      (settingsLink.current ?? table.current)?.focus();
    }
  });

  const latest = asked.reduce((top, event) => Math.max(top, event.at), 0);
  const devices = [...new Set(elsewhere.map((event) => event.device))].join(', ');
  const seen = [
    failures.length > 0 ? plural(failures.length, 'failed sign-in or code', 'failed sign-ins or codes') : null,
    elsewhere.length > 0 ? `${plural(elsewhere.length, 'sign-in')} at another device (${devices})` : null,
  ]
    .filter(Boolean)
    .join(' and ');

  return (
    <>
      <StatusMessage>
        {signedOut !== null && (
          <>
            {`Signed out ${plural(signedOut, 'other session')}. Whoever it was may know your password: `}
            <a href={hrefOf('settings')} ref={settingsLink}>
              change your password in Account settings
            </a>
            .
          </>
        )}
      </StatusMessage>
      {asked.length > 0 && (
        <Callout kind="warning" title="Was this you?">
          <p>
            Your recent events include {seen}, the latest <Time at={latest} relative />.
          </p>
          <div className="was-this-you__actions">
            <Button
              variant="danger"
              size="small"
              busy={revoke.busy}
              onClick={() =>
                void revoke.run().then((result) => {
                  if (result?.ok !== true) return;
                  setSignedOut(result.value);
                  answer();
                })
              }
            >
              Not me: sign out everywhere else
            </Button>
            <Button variant="quiet" size="small" onClick={answer}>
              It was me
            </Button>
          </div>
        </Callout>
      )}
      <ErrorAlert error={revoke.error} />
    </>
  );
}
