/**
 * The secrets a fuzz suite seeds its vault with, and the check that none of them comes back. A
 * secret the case itself sent (a password typed into the name field) may be echoed to its sender;
 * any other is a leak. Comparison ignores case and, for backup codes, dashes and spaces, as the
 * engine does when it reads one.
 */
export class SeededSecrets {
  readonly #secrets = new Map<string, string>();

  add(label: string, value: string | null | undefined): void {
    if (value == null || value.length < 8) throw new Error(`seeded secret ${label} is missing or too short to look for`);
    this.#secrets.set(label, value);
  }

  /** A backup code shown as XXXXX-XXXXX-XXX is also found written without its dashes. */
  addBackupCode(label: string, code: string): void {
    this.add(label, code);
    this.add(`${label} (undashed)`, code.replace(/-/g, ''));
  }

  get size(): number {
    return this.#secrets.size;
  }

  values(): string[] {
    return [...this.#secrets.values()];
  }

  /** Labels of the secrets found in `answer` that `sent` did not hold. */
  leaksIn(answer: string, sent: string): string[] {
    const heard = fold(answer);
    const found = [...this.#secrets].filter(([, value]) => heard.includes(fold(value)));
    if (found.length === 0) return [];
    // Folding what was sent (perhaps 200,000 characters) only when something was heard.
    const said = fold(sent);
    return found.filter(([, value]) => !said.includes(fold(value))).map(([label]) => label);
  }
}

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Any value as text to search, including what JSON cannot say (BigInt, Map, Set, undefined). */
export function textOf(value: unknown): string {
  const seen = new WeakSet<object>();
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return `${item}n`;
      if (item instanceof Map) return [...item.entries()];
      if (item instanceof Set) return [...item.values()];
      if (typeof item === 'object' && item !== null) {
        if (seen.has(item)) return '[circular]';
        seen.add(item);
      }
      return item;
    }) ?? String(value)
  );
}
