import type { AuditVerdict } from '../../../../shared/views';
import { describeError } from '../../api/error-messages';
import { Button } from '../../components/Button';
import { plural } from '../../format/time';
import type { Loadable } from '../../stores/loadable';

/**
 * Whether the audit chain holds, in words an administrator can act on. A broken chain is an
 * alert: someone edited, removed or reordered events in the vault file.
 */
export function ChainBanner({ verdict, onVerify }: { readonly verdict: Loadable<AuditVerdict>; onVerify: () => void }) {
  const result = verdict.data;
  const again = (
    <Button size="small" busy={verdict.loading} onClick={onVerify}>
      Verify again
    </Button>
  );
  if (verdict.error !== null) {
    return (
      <div className="chain-banner chain-banner--broken" role="alert">
        <p className="chain-banner__title">The audit chain could not be checked</p>
        <p>{describeError(verdict.error)}</p>
        {again}
      </div>
    );
  }
  if (result === null) {
    return (
      <div className="chain-banner" role="status">
        <p className="chain-banner__title">
          {verdict.loading ? 'Verifying the audit chain…' : 'The audit chain has not been checked yet.'}
        </p>
      </div>
    );
  }
  if (result.intact) {
    return (
      <div className="chain-banner chain-banner--intact" role="status">
        <ShieldIcon intact />
        <div className="chain-banner__text">
          <p className="chain-banner__title">Audit chain verified: {plural(result.events, 'event')}</p>
          <p>Every event is in order and unchanged since it was written.</p>
        </div>
        {again}
      </div>
    );
  }
  return (
    <div className="chain-banner chain-banner--broken" role="alert">
      <ShieldIcon intact={false} />
      <div className="chain-banner__text">
        <p className="chain-banner__title">
          Audit chain BROKEN at event {result.brokenAt}: {result.message}
        </p>
        <p>
          Events from number {result.brokenAt} on cannot be trusted: the vault file was {PROBLEMS[result.problem]}. Keep a copy of the file
          and export the log before anything else changes.
        </p>
      </div>
      {again}
    </div>
  );
}

const PROBLEMS: Record<Extract<AuditVerdict, { intact: false }>['problem'], string> = {
  altered: 'edited outside Latchkey',
  missing: 'changed so that events are missing or out of order',
  truncated: 'cut short: the newest events are gone',
  rolled_back: 'replaced by an older or different copy of itself',
  time_backwards: 'written while a clock was moved back: an event is dated before an earlier one',
};

function ShieldIcon({ intact }: { readonly intact: boolean }) {
  return (
    <svg className="chain-banner__icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path
        d="M12 2.5 4 5.6v6.1c0 5 3.4 8.9 8 10.8 4.6-1.9 8-5.8 8-10.8V5.6L12 2.5Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
      />
      {intact ? (
        <path
          d="m8.5 12.2 2.4 2.4 4.6-4.8"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      ) : (
        <path d="M12 7.8v5.2m0 3h.01" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      )}
    </svg>
  );
}
