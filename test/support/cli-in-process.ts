import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** What one in-process run of the CLI printed and the status it would have exited with. */
export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Write = typeof process.stdout.write;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `latchkey ARGS` inside this process through the CLI's own `main`, with `stdin` as standard
 * input and standard output and error captured: the same command table, checks and envelopes as
 * the `latchkey` program, without starting Node again (a child process costs about 0.8 s here,
 * this some tens of milliseconds). Standard input is a pipe, never a terminal, so nothing prompts.
 * Runs are queued, never overlapping: each borrows the process's standard streams and exit code.
 */
export function runCliInProcess(args: readonly string[], stdin: string | Uint8Array = ''): Promise<InProcessRun> {
  // One at a time, whoever calls: two runs at once would each capture the other's output.
  const run = queue.then(() => runAlone(args, stdin));
  queue = run.catch(() => undefined);
  return run;
}

async function runAlone(args: readonly string[], stdin: string | Uint8Array): Promise<InProcessRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = {
    stdin: Object.getOwnPropertyDescriptor(process, 'stdin'),
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
    exitCode: process.exitCode,
    stdoutErrorListeners: process.stdout.listeners('error'),
    stderrErrorListeners: process.stderr.listeners('error'),
  };
  const capture =
    (into: string[]): Write =>
    (
      chunk: Uint8Array | string,
      encodingOrDone?: BufferEncoding | ((error?: Error | null) => void),
      done?: (error?: Error | null) => void,
    ): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = typeof encodingOrDone === 'function' ? encodingOrDone : done;
      callback?.(null);
      return true;
    };
  const input = Readable.from([typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : Buffer.from(stdin)]);
  Object.defineProperty(process, 'stdin', { value: input, configurable: true, enumerable: true, writable: false });
  process.stdout.write = capture(stdout);
  process.stderr.write = capture(stderr);
  process.exitCode = undefined;
  try {
    await main(['node', 'latchkey', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.stdout.write = saved.stdoutWrite;
    process.stderr.write = saved.stderrWrite;
    process.exitCode = saved.exitCode;
    if (saved.stdin !== undefined) Object.defineProperty(process, 'stdin', saved.stdin);
    // `main` listens for closed pipes on the real streams each time it runs; one run's listener goes with it.
    for (const [stream, before] of [
      [process.stdout, saved.stdoutErrorListeners],
      [process.stderr, saved.stderrErrorListeners],
    ] as const) {
      for (const listener of stream.listeners('error')) {
        if (!before.includes(listener)) stream.removeListener('error', listener as (error: Error) => void);
      }
    }
    input.destroy();
  }
}
