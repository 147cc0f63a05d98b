import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  readonly label: string;
  /** Shown under the label: what is expected. */
  readonly hint?: ReactNode;
  /** Marks the field as the one at fault; the message itself is in the form's alert. */
  readonly invalid?: boolean;
}

/** A labelled text input; its hint is part of its accessible description. */
export function TextField({ label, hint, invalid = false, className, ...input }: FieldProps) {
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
      <input
        id={id}
        className="input"
        aria-describedby={hint === undefined ? undefined : hintId}
        aria-invalid={invalid || undefined}
        {...input}
      />
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
  readonly children: ReactNode;
}

export function SelectField({ label, className, children, ...select }: SelectProps) {
  const id = useId();
  return (
    <div className={['field', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} className="input select" {...select}>
        {children}
      </select>
    </div>
  );
}
