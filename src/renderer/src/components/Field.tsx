import { useId, useState, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type SelectHTMLAttributes } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  readonly label: string;
  /** Shown under the label: what is expected. */
  readonly hint?: ReactNode;
  /** Marks the field as the one at fault; the message itself is in the form's alert. */
  readonly invalid?: boolean;
}

/** A labelled text input; its hint is part of its accessible description. A password field gets Show and a Caps Lock warning. */
export function TextField({ label, hint, invalid = false, className, ...input }: FieldProps) {
  if (input.type === 'password') return <PasswordTextField label={label} hint={hint} invalid={invalid} className={className} {...input} />;
  return (
    <LabelledControl label={label} hint={hint} className={className}>
      {(control) => <input className="input" aria-invalid={invalid || undefined} {...control} {...input} />}
    </LabelledControl>
  );
}

/**
 * A password input with a Show / Hide toggle (for a long passphrase typed on a keyboard that is
 * hard to see) and a warning while Caps Lock is on, the most common reason a right password fails.
 */
function PasswordTextField({ label, hint, invalid = false, className, onKeyDown, onKeyUp, onBlur, ...input }: FieldProps) {
  const [shown, setShown] = useState(false);
  const [capsLock, setCapsLock] = useState(false);
  const capsId = useId();
  const readCapsLock = (event: KeyboardEvent<HTMLInputElement>): void => setCapsLock(event.getModifierState('CapsLock'));
  return (
    <LabelledControl label={label} hint={hint} className={className}>
      {(control) => (
        <>
          <div className="input-group">
            <input
              className="input"
              aria-invalid={invalid || undefined}
              {...control}
              {...input}
              aria-describedby={[control['aria-describedby'], capsLock ? capsId : undefined].filter(Boolean).join(' ') || undefined}
              type={shown ? 'text' : 'password'}
              spellCheck={false}
              autoCapitalize="off"
              onKeyDown={(event) => {
                readCapsLock(event);
                onKeyDown?.(event);
              }}
              onKeyUp={(event) => {
                readCapsLock(event);
                onKeyUp?.(event);
              }}
              onBlur={(event) => {
                setCapsLock(false);
                onBlur?.(event);
              }}
            />
            <button
              type="button"
              className="input-group__toggle"
              aria-pressed={shown}
              aria-controls={control.id}
              onClick={() => setShown((now) => !now)}
            >
              {shown ? 'Hide' : 'Show'}
              <span className="visually-hidden"> {label.toLowerCase()}</span>
            </button>
          </div>
          <p className="field__warning" id={capsId} aria-live="polite">
            {capsLock ? 'Caps Lock is on.' : ''}
          </p>
        </>
      )}
    </LabelledControl>
  );
}

/** A field's frame: its label, its hint, and the ids that tie both to the control. */
function LabelledControl({
  label,
  hint,
  className,
  children,
}: {
  readonly label: string;
  readonly hint: ReactNode;
  readonly className: string | undefined;
  readonly children: (control: { readonly id: string; readonly 'aria-describedby': string | undefined }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={['field', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {hint !== undefined && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({ id, 'aria-describedby': hint === undefined ? undefined : hintId })}
    </div>
  );
}

interface PasswordFieldProps {
  readonly value: string;
  onChange: (value: string) => void;
  /** The error of the call the password was sent with: INVALID_CREDENTIALS marks this field. */
  readonly errorCode?: string | undefined;
  readonly autoFocus?: boolean;
  readonly hint?: ReactNode;
}

/** The password a person already has, asked for again: sign-in, unlock, and changes that need it. */
export function CurrentPasswordField({ value, onChange, errorCode, autoFocus, hint }: PasswordFieldProps) {
  return (
    <TextField
      label="Password"
      type="password"
      autoComplete="current-password"
      required
      hint={hint}
      invalid={errorCode === 'INVALID_CREDENTIALS'}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      autoFocus={autoFocus}
    />
  );
}

interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  readonly label: string;
  readonly hint?: ReactNode;
}

export function Checkbox({ label, hint, className, ...input }: CheckboxProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={['check', className ?? ''].filter(Boolean).join(' ')}>
      <input id={id} type="checkbox" className="check__box" aria-describedby={hint === undefined ? undefined : hintId} {...input} />
      <div>
        <label className="check__label" htmlFor={id}>
          {label}
        </label>
        {hint !== undefined && (
          <p className="field__hint" id={hintId}>
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly invalid?: boolean;
  readonly children: ReactNode;
}

export function SelectField({ label, hint, invalid = false, className, children, ...select }: SelectProps) {
  return (
    <LabelledControl label={label} hint={hint} className={className}>
      {(control) => (
        <select className="input select" aria-invalid={invalid || undefined} {...control} {...select}>
          {children}
        </select>
      )}
    </LabelledControl>
  );
}
