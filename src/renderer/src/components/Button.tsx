import type { ButtonHTMLAttributes, MouseEvent, ReactNode } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'quiet' | 'link';

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  readonly variant?: Variant;
  readonly size?: 'small' | 'normal';
  /** Work is running: the button shows a spinner and ignores presses, but keeps its focus and its name. */
  readonly busy?: boolean;
  readonly children: ReactNode;
}

export function Button({
  variant = 'secondary',
  size = 'normal',
  busy = false,
  type = 'button',
  className,
  onClick,
  children,
  ...rest
}: ButtonProps) {
  const classes = ['button', `button--${variant}`, size === 'small' ? 'button--small' : '', busy ? 'is-busy' : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  const guarded = (event: MouseEvent<HTMLButtonElement>): void => {
    if (busy) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  };
  return (
    <button type={type} className={classes} aria-busy={busy || undefined} aria-disabled={busy || undefined} onClick={guarded} {...rest}>
      {busy && <span className="spinner" aria-hidden="true" />}
      <span className="button__label">{children}</span>
    </button>
  );
}
