import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { cliRun, type CliOptions, type CliRun } from './cli.js';

/**
 * Variables a program reads only as its process starts, which setting process.env here cannot
 * reach: libsecret connects to the session bus once per process (a D-Bus address changed after
 * the first keychain call goes unused), and the loader and Node read the other two at start-up.
 */
const READ_AT_PROCESS_START = ['DBUS_SESSION_BUS_ADDRESS', 'LD_PRELOAD', 'NODE_OPTIONS'] as const;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `latchkey ARGS` inside this process through the CLI's own `main`, as `runCli` runs it in a
 * child: the same command table, checks and envelopes, without starting Node again (a child costs
 * about 0.8 s here, this some tens of milliseconds). Standard input is a pipe that ends after
 * `stdin`, standard output and error are pipes that are not terminals, and `env` is the whole of
 * process.env for the run; all three are put back afterwards, and so is the exit code.
 * What `console` prints is not captured (only LATCHKEY_DEBUG makes the CLI use it).
 * Runs are queued, never overlapping: each borrows the process's standard streams, environment and exit code.
 */
export function runCliInProcess(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  // One at a time, whoever calls: two runs at once would each capture the other's output.
  const run = queue.then(() => runAlone(args, options));
  queue = run.catch(() => undefined);
  return run;
}

async function runAlone(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const restoreEnvironment = options.env === undefined ? () => undefined : useEnvironment(options.env);
  const stdin = Readable.from([Buffer.from(options.stdin ?? '')]);
  const stdout = pipe();
  const stderr = pipe();
  const restoreStreams = borrowStreams({ stdin, stdout: stdout.stream, stderr: stderr.stream });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await main(['node', 'latchkey', ...args]);
    return cliRun(Number(process.exitCode ?? 0), stdout.text(), stderr.text());
  } finally {
    process.exitCode = exitCode;
    restoreStreams();
    restoreEnvironment();
    stdin.destroy();
  }
}

/** A stream as the reader of a pipe sees it: every byte kept, and no terminal (so no colours, prompts or widths). */
function pipe(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Puts `streams` in the place of process.stdin, process.stdout and process.stderr until the
 * returned function puts the real ones back. Whatever a run adds to them (`main` listens for closed
 * pipes on each) goes with them.
 */
function borrowStreams(streams: Record<'stdin' | 'stdout' | 'stderr', Readable | Writable>): () => void {
  const saved = Object.entries(streams).map(([name, stream]) => {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    Object.defineProperty(process, name, { value: stream, configurable: true, enumerable: true, writable: false });
    return [name, descriptor] as const;
  });
  return () => {
    for (const [name, descriptor] of saved) if (descriptor !== undefined) Object.defineProperty(process, name, descriptor);
  };
}

/** Makes `env` the whole of process.env, as `spawn` would, until the returned function puts the old one back. */
function useEnvironment(env: NodeJS.ProcessEnv): () => void {
  for (const name of READ_AT_PROCESS_START) {
    if (env[name] !== process.env[name]) {
      throw new Error(`${name} is read when a process starts, so a run in this process cannot change it: use runCli for this case.`);
    }
  }
  const saved = { ...process.env };
  replaceEnvironment(env);
  return () => replaceEnvironment(saved);
}

function replaceEnvironment(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) if (env[name] === undefined) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
}
