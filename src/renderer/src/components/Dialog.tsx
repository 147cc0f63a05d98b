import { useId, useLayoutEffect, useRef, type FormEvent, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { ErrorAlert } from './Alerts';
import { Button } from './Button';

interface DialogProps {
  readonly title: string;
  readonly description?: ReactNode;
  /** The button that does the thing, e.g. "Delete account". */
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly busy?: boolean;
  readonly error?: ErrorInfo | null;
  /** Blocks the confirm button until the form inside is complete. */
  readonly canConfirm?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  readonly children?: ReactNode;
}

/**
 * A modal question before a change that matters. The native <dialog> keeps focus inside and
 * closes on Escape; focus goes back to what opened it when it goes away.
 */
export function Dialog({
  title,
  description,
  confirmLabel,
  danger = false,
  busy = false,
  error = null,
  canConfirm = true,
  onConfirm,
  onClose,
  children,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useLayoutEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      // React removes the element itself, so the browser's own focus return cannot be relied on.
      if (opener?.isConnected === true) opener.focus();
    };
  }, []);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (canConfirm && !busy) onConfirm();
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={description === undefined ? undefined : descriptionId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form className="dialog__form" onSubmit={submit}>
        <h2 id={titleId} className="dialog__title">
          {title}
        </h2>
        {description !== undefined && (
          <div id={descriptionId} className="dialog__description">
            {description}
          </div>
        )}
        {children}
        <ErrorAlert error={error} />
        <div className="dialog__actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={busy} disabled={!canConfirm}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
