/** What a unit of a policy value is called, for one and for more than one. */
export const POLICY_UNITS = {
  minutes: { one: 'minute', many: 'minutes' },
  hours: { one: 'hour', many: 'hours' },
  days: { one: 'day', many: 'days' },
  seconds: { one: 'second', many: 'seconds' },
  failedSignIns: { one: 'failed sign-in', many: 'failed sign-ins' },
  failures: { one: 'failed sign-in or code', many: 'failed sign-ins or codes' },
  sessions: { one: 'session', many: 'sessions' },
  timeSteps: { one: '30-second step', many: '30-second steps' },
  accountNames: { one: 'account name', many: 'account names' },
  devices: { one: 'device', many: 'devices' },
  refusedCalls: { one: 'refused call', many: 'refused calls' },
} as const;

export type PolicyUnit = keyof typeof POLICY_UNITS;

/** One value a choice key takes, with the words the admin screen shows for it. */
export interface PolicyOption {
  readonly value: string;
  readonly label: string;
}

/** What a policy value may be, for the admin screen's control: a bounded whole number of a unit or one of a few words. */
export type PolicyInput =
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly unit: PolicyUnit }
  | { readonly kind: 'choice'; readonly options: readonly PolicyOption[] };

/**
 * Why `text` is not a value `input` allows, worded to follow "Invalid value for KEY: "; null when
 * it is allowed. The engine, the CLI and the admin screen all say it the same way.
 */
export function policyValueProblem(input: PolicyInput, text: string): string | null {
  const value = text.trim();
  if (input.kind === 'choice') {
    const values = input.options.map((option) => option.value);
    return values.includes(value) ? null : `give one of ${values.join(', ')}`;
  }
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  return number >= input.min && number <= input.max ? null : `give a whole number from ${input.min} to ${input.max}`;
}

/** A value in words: "15 minutes", "1 day", "Everyone". */
export function policyValueInWords(input: PolicyInput, value: string | number): string {
  const text = String(value).trim();
  if (input.kind === 'choice') return input.options.find((option) => option.value === text)?.label ?? text;
  const unit = POLICY_UNITS[input.unit];
  return `${text} ${Number(text) === 1 ? unit.one : unit.many}`;
}

/**
 * How many policy keys the engine's table declares: the most one call may change at once. The
 * table lives in the engine, where src/shared cannot read it; a test holds the two equal.
 */
export const POLICY_KEY_COUNT = 22;
