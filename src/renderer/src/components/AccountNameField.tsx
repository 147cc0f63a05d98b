import type { InputHTMLAttributes } from 'react';
import { USERNAME_MAX_LENGTH, USERNAME_RULE, isValidUsername, normaliseUsername } from '../../../shared/fields';
import { TextField } from './Field';

/** Whether a name as typed breaks the account-name rule (an empty one is not yet a name). */
export function accountNameProblem(name: string): boolean {
  return name.trim() !== '' && !isValidUsername(normaliseUsername(name));
}

const NAME_HINT = `Up to ${USERNAME_MAX_LENGTH} letters or digits; . _ - @ may follow the first.`;

/**
 * A new account's name, checked as it is typed against the rule the engine applies: the rule in
 * words replaces the hint, next to the field, while the name breaks it.
 */
export function AccountNameField({
  value,
  onChange,
  refused = false,
  autoComplete,
  autoFocus,
}: {
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** The engine refused this name (taken, or against the rule). */
  readonly refused?: boolean;
  readonly autoComplete: InputHTMLAttributes<HTMLInputElement>['autoComplete'];
  readonly autoFocus?: boolean;
}) {
  const problem = accountNameProblem(value);
  return (
    <TextField
      label="Account name"
      autoComplete={autoComplete}
      maxLength={USERNAME_MAX_LENGTH}
      spellCheck={false}
      required
      hint={problem ? USERNAME_RULE : NAME_HINT}
      invalid={problem || refused}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      autoFocus={autoFocus}
    />
  );
}
