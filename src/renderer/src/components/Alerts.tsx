import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { describeError } from '../api/error-messages';

/** A refused call, in words (role="alert": read out as soon as it appears). */
export function ErrorAlert({ error, children }: { readonly error: ErrorInfo | null; readonly children?: ReactNode }) {
  if (error === null) return null;
  return (
    <div className="alert alert--error" role="alert">
      <AlertIcon kind="error" />
      <div className="alert__body">
        <p>{describeError(error)}</p>
        {children}
      </div>
    </div>
  );
}

/**
 * A confirmation (role="status": read out politely). The region stays in the page even when
 * empty, so that screen readers notice when a message arrives in it. `warning`: what was done did
 * not (yet) have its effect, such as a message that waits to be sent again.
 */
export function StatusMessage({ kind = 'success', children }: { readonly kind?: 'success' | 'warning'; readonly children: ReactNode }) {
  const empty = children === null || children === undefined || children === false || children === '';
  return (
    <div className={empty ? 'status-region' : `status-region alert alert--${kind}`} role="status">
      {!empty && <AlertIcon kind={kind} />}
      {!empty && <div className="alert__body">{children}</div>}
    </div>
  );
}

/** Something the person should know, that is not the result of what they just did. */
export function Callout({
  kind,
  title,
  children,
}: {
  readonly kind: 'warning' | 'info';
  readonly title?: string;
  readonly children: ReactNode;
}) {
  return (
    <div className={`alert alert--${kind}`}>
      <AlertIcon kind={kind} />
      <div className="alert__body">
        {title !== undefined && <p className="alert__title">{title}</p>}
        {children}
      </div>
    </div>
  );
}

function AlertIcon({ kind }: { readonly kind: 'error' | 'success' | 'warning' | 'info' }) {
  const paths = {
    error: 'M12 7v6m0 4h.01M4.9 19h14.2a2 2 0 0 0 1.7-3L13.7 4a2 2 0 0 0-3.4 0L3.2 16a2 2 0 0 0 1.7 3Z',
    warning: 'M12 7v6m0 4h.01M4.9 19h14.2a2 2 0 0 0 1.7-3L13.7 4a2 2 0 0 0-3.4 0L3.2 16a2 2 0 0 0 1.7 3Z',
    success: 'M20 6 9 17l-5-5',
    info: 'M12 16v-5m0-3h.01M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z',
  } as const;
  return (
    <svg className="alert__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d={paths[kind]} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
