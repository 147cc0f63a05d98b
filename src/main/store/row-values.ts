/**
 * The columns that hold one of a closed set of values (a role, a state, a reason), and the check
 * of each where its row is read. Each set is declared once, as a const array its type is derived
 * from; a value outside it (a vault written by another program, by a later release, or by a bug)
 * is refused before any rule sees it, as a row whose seal fails is.
 */

/** SQLite's boolean: an INTEGER, 0 or 1. */
export const FLAGS = [0, 1] as const;
export type Flag = (typeof FLAGS)[number];

/** Whether a column's type takes any text, number or bytes, rather than some values only. */
type IsOpen<T> = [string] extends [T] ? true : [number] extends [T] ? true : [Buffer] extends [T] ? true : false;

/** The columns of `Row` whose type is a union of values, null aside. */
type ClosedColumn<Row> = { [C in keyof Row & string]: IsOpen<Exclude<Row[C], null>> extends true ? never : C }[keyof Row & string];

/**
 * The values each closed column may hold, null among them where the column allows it. Every closed
 * column of the row must be listed: the compiler finds the table that left one out.
 */
export type ClosedSets<Row> = { readonly [C in ClosedColumn<Row>]-?: readonly Row[C][] };

/** The closed columns of one table, checked in one pass: a Set look-up a column, nothing allocated. */
export interface ClosedColumns {
  /** The first column whose value is none of its set, or null when every one is. */
  unexpected(row: object): string | null;
}

export function closedColumns<Row>(sets: ClosedSets<Row>): ClosedColumns {
  const checks = Object.entries(sets).map(([column, values]) => ({ column, allowed: new Set<unknown>(values as readonly unknown[]) }));
  return {
    unexpected(row) {
      for (const check of checks) {
        if (!check.allowed.has((row as Record<string, unknown>)[check.column])) return check.column;
      }
      return null;
    },
  };
}
