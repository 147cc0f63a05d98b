import { useState } from 'react';
import { Button } from './Button';
import { TextField } from './Field';

/** Letters and digits that cannot be mistaken for one another when read out or copied by hand (no 0/o, 1/l/i). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 5;

/**
 * A password for someone else, from the platform's CSPRNG: 20 characters of a 31-letter alphabet,
 * about 99 bits, in groups of five that are easy to read out. Rejection sampling keeps every
 * letter equally likely.
 */
export function generatePassword(): string {
  const limit = 256 - (256 % ALPHABET.length);
  const letters: string[] = [];
  while (letters.length < GROUPS * GROUP_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < limit && letters.length < GROUPS * GROUP_LENGTH) letters.push(ALPHABET[byte % ALPHABET.length] ?? '');
    }
  }
  return Array.from({ length: GROUPS }, (_, i) => letters.slice(i * GROUP_LENGTH, (i + 1) * GROUP_LENGTH).join('')).join('-');
}

/**
 * A new password an administrator sets for someone: typed, or generated and then shown in clear,
 * since it has to be passed on to its owner.
 */
export function NewPasswordField({
  label,
  hint,
  value,
  onChange,
  invalid,
  autoFocus,
}: {
  readonly label: string;
  readonly hint: string;
  readonly value: string;
  onChange: (value: string) => void;
  readonly invalid: boolean;
  readonly autoFocus?: boolean;
}) {
  const [generated, setGenerated] = useState(false);
  return (
    <div className="stack stack--tight">
      <TextField
        label={label}
        type={generated ? 'text' : 'password'}
        autoComplete="new-password"
        spellCheck={false}
        required
        hint={generated ? `${hint} Generated here: pass it on by a safe way, and ask its owner to change it.` : hint}
        invalid={invalid}
        value={value}
        className={generated ? 'field--code' : undefined}
        onChange={(e) => onChange(e.target.value)}
        autoFocus={autoFocus}
      />
      <p>
        <Button
          variant="link"
          onClick={() => {
            setGenerated(true);
            onChange(generatePassword());
          }}
        >
          {generated ? 'Generate another' : 'Generate a password'}
        </Button>
      </p>
    </div>
  );
}
