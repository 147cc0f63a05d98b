/** What a policy value may be, for the admin screen's control: a bounded whole number or one of a few words. */
export type PolicyInput =
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'choice'; readonly options: readonly string[] };

/**
 * Why `text` is not a value `input` allows, worded to follow "Invalid value for KEY: "; null when
 * it is allowed. The engine, the CLI and the admin screen all say it the same way.
 */
export function policyValueProblem(input: PolicyInput, text: string): string | null {
  const value = text.trim();
  if (input.kind === 'choice') return input.options.includes(value) ? null : `give one of ${input.options.join(', ')}`;
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  return number >= input.min && number <= input.max ? null : `give a whole number from ${input.min} to ${input.max}`;
}
