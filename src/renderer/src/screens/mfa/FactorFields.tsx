import type { ErrorInfo } from '../../../../shared/errors';
import { BACKUP_CODE_LENGTH, CODE_MAX_LENGTH, canonicalCode, type SecondFactor } from '../../../../shared/fields';
import { Button } from '../../components/Button';
import { TextField } from '../../components/Field';

/** How each second factor is asked for: its label, its keyboard, what a password manager may fill. */
export const FACTOR_FIELDS: Record<
  SecondFactor,
  { label: string; hint: string; inputMode: 'numeric' | 'text'; autoComplete: string; placeholder: string }
> = {
  totp: {
    label: 'Authentication code',
    hint: 'The 6-digit code your authenticator app shows for Latchkey.',
    inputMode: 'numeric',
    autoComplete: 'one-time-code',
    placeholder: '',
  },
  backup_code: {
    label: 'Backup code',
    hint: 'One of the codes you saved when you set up two-step sign-in. Each works once.',
    inputMode: 'text',
    autoComplete: 'off',
    placeholder: 'XXXXX-XXXXX-XXX',
  },
  sms_code: {
    label: 'Code from the SMS',
    hint: 'The 6-digit code Latchkey sent to your phone. It works once, for 10 minutes.',
    inputMode: 'numeric',
    autoComplete: 'one-time-code',
    placeholder: '',
  },
  email_code: {
    label: 'Code from the e-mail',
    hint: 'The 6-digit code Latchkey sent to your verified address. It works once, for 10 minutes.',
    inputMode: 'numeric',
    autoComplete: 'one-time-code',
    placeholder: '',
  },
};

/**
 * Switches between the two factors with one button, so that only one code field is ever on the
 * screen (and "Backup code" names exactly one control).
 */
export function FactorSwitch({
  factors,
  value,
  onChange,
}: {
  readonly factors: readonly SecondFactor[];
  readonly value: SecondFactor;
  onChange: (factor: SecondFactor) => void;
}) {
  const other = factors.find((factor) => factor !== value);
  if (other === undefined) return null;
  return (
    <p>
      <Button variant="link" onClick={() => onChange(other)}>
        {other === 'backup_code' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
      </Button>
    </p>
  );
}

export function CodeField({
  factor,
  value,
  onChange,
  invalid,
  autoFocus = false,
}: {
  readonly factor: SecondFactor;
  readonly value: string;
  onChange: (code: string) => void;
  readonly invalid: boolean;
  readonly autoFocus?: boolean;
}) {
  const field = FACTOR_FIELDS[factor];
  return (
    <TextField
      key={factor}
      label={field.label}
      hint={field.hint}
      className="field--code"
      inputMode={field.inputMode}
      autoComplete={field.autoComplete}
      placeholder={field.placeholder}
      spellCheck={false}
      autoCapitalize="characters"
      required
      invalid={invalid}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      autoFocus={autoFocus}
      maxLength={CODE_MAX_LENGTH}
    />
  );
}

/** Codes whose refusal means the code was at fault (rather than the step or the account). */
export function isCodeFault(code: string | undefined): boolean {
  return code === 'CODE_INVALID' || code === 'CODE_REPLAYED' || code === 'INVALID_INPUT';
}

/**
 * A code in the form it is sent, or why it cannot be right: checked here first, because a code the
 * engine refuses uses up one of the step's few attempts and counts toward the account's lockout.
 * Keys Latchkey makes show 6 digits; `anyKey` also lets through the 7 or 8 an imported key may show.
 */
export function checkCode(factor: SecondFactor, typed: string, { anyKey = false } = {}): { code: string } | { error: ErrorInfo } {
  const code = canonicalCode(factor, typed, { anyKey });
  return code === null ? { error: { code: 'INVALID_INPUT', message: CODE_SHAPES[factor] } } : { code };
}

/** What a code of each factor looks like, said when a typed one is not of that shape. */
const CODE_SHAPES: Record<SecondFactor, string> = {
  totp: 'Enter the 6-digit code your authenticator app shows. Spaces do not matter.',
  backup_code: `A backup code has ${BACKUP_CODE_LENGTH} letters and digits, written like XXXXX-XXXXX-XXX. Check it against your saved list; dashes and spaces do not matter.`,
  sms_code: 'Enter the 6-digit code from the SMS. Spaces do not matter.',
  email_code: 'Enter the 6-digit code from the e-mail. Spaces do not matter.',
};
