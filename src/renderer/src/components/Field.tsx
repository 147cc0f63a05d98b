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
  return (
    <LabelledControl label={label} hint={hint} className={className}>
      {(control) => <input className="input" aria-invalid={invalid || undefined} {...control} {...input} />}
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
