import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Bench, type FnHook } from 'tinybench';

/** One measured figure: latencies in microseconds. */
export interface Sample {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly runs: number;
}

export interface MeasureOptions {
  /** Milliseconds of measuring after the warm-up; more for slow operations. */
  readonly time?: number;
  readonly iterations?: number;
  /** Runs before each measured call, outside the timed window (a fresh challenge, a session to end). */
  readonly beforeEach?: () => unknown;
}

/**
 * tinybench with a warm-up and the high-resolution clock; each figure gets its own run so a slow
 * one cannot eat another's time budget.
 */
export async function measure(name: string, work: () => unknown, options: MeasureOptions = {}): Promise<Sample> {
  const bench = new Bench({
    time: options.time ?? 1500,
    iterations: options.iterations ?? 64,
    warmupTime: 300,
    warmupIterations: 16,
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  const beforeEach = options.beforeEach;
  // One call first, to learn whether the work is asynchronous: tinybench's own guess may call it
  // without waiting, which would let calls overlap.
  await beforeEach?.();
  const first = work();
  const async = first instanceof Promise;
  await first;
  const hook: FnHook | undefined = beforeEach === undefined ? undefined : async () => void (await beforeEach());
  bench.add(name, work, { async, ...(hook === undefined ? {} : { beforeEach: hook }) });
  const [task] = await bench.run();
  const result = task?.result;
  if (result?.state !== 'completed') throw new Error(`${name}: the benchmark did not complete (${result?.state ?? 'no task'})`);
  const ms = result.latency;
  return { p50: ms.p50 * 1000, p99: ms.p99 * 1000, mean: ms.mean * 1000, runs: result.latency.samplesCount };
}

/** A figure beside the baseline it is read against, both measured in this run. */
export interface Row {
  readonly group: string;
  readonly figure: string;
  readonly sample: Sample;
  readonly baseline?: { readonly name: string; readonly sample: Sample };
  /** How the ratio reads: the figure over the baseline (×), or the baseline over the figure ("× faster"). */
  readonly ratio?: 'over' | 'faster';
  readonly target?: string;
  readonly note?: string;
}

export function ratioOf(row: Row): number | null {
  if (row.baseline === undefined) return null;
  return row.ratio === 'faster' ? row.baseline.sample.p50 / row.sample.p50 : row.sample.p50 / row.baseline.sample.p50;
}

export function microseconds(us: number): string {
  if (us >= 100_000) return `${(us / 1000).toFixed(0)} ms`;
  if (us >= 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  if (us >= 100) return `${us.toFixed(0)} µs`;
  return `${us.toFixed(1)} µs`;
}

function ratioText(row: Row): string {
  const ratio = ratioOf(row);
  if (ratio === null) return '';
  return row.ratio === 'faster' ? `${ratio.toFixed(0)}× faster` : `${ratio.toFixed(2)}×`;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${process.arch}, Node ${process.version}`;
}

/** The table as Markdown, so the README can take it as it is. */
export function table(rows: readonly Row[]): string {
  const lines = ['| figure | p50 | p99 | baseline (p50) | ratio | target |', '| --- | --- | --- | --- | --- | --- |'];
  for (const row of rows) {
    const baseline = row.baseline === undefined ? '' : `${row.baseline.name} (${microseconds(row.baseline.sample.p50)})`;
    const figure = row.note === undefined ? row.figure : `${row.figure} (${row.note})`;
    lines.push(
      `| ${figure} | ${microseconds(row.sample.p50)} | ${microseconds(row.sample.p99)} | ${baseline} | ${ratioText(row)} | ${row.target ?? ''} |`,
    );
  }
  return lines.join('\n');
}

export function writeResults(path: string, title: string, rows: readonly Row[], extra: Record<string, unknown> = {}): void {
  const figures = rows.map((row) => ({
    group: row.group,
    figure: row.figure,
    ...(row.note === undefined ? {} : { note: row.note }),
    p50Us: round(row.sample.p50),
    p99Us: round(row.sample.p99),
    meanUs: round(row.sample.mean),
    runs: row.sample.runs,
    ...(row.baseline === undefined
      ? {}
      : { baseline: row.baseline.name, baselineP50Us: round(row.baseline.sample.p50), ratio: round(ratioOf(row) ?? 0) }),
    ...(row.target === undefined ? {} : { target: row.target }),
  }));
  const results = { title, at: new Date().toISOString(), machine: machine(), ...extra, figures };
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
