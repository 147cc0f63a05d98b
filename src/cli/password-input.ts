import { createInterface } from 'node:readline/promises';
import { TextDecoder } from 'node:util';
import { LatchkeyError } from '../shared/errors.js';

/** Passwords never come from the command line (it shows in `ps` and shell history): only stdin or a hidden prompt. */
export class PasswordInput {
  readonly #fromStdin: boolean;
  #lines: string[] | null = null;

  constructor(fromStdin: boolean) {
    this.#fromStdin = fromStdin;
  }

  /** The next password: the next line of stdin with --password-stdin, or a hidden prompt on a terminal. */
  async next(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
    if (this.#fromStdin) {
      this.#lines ??= splitLines(await readAll(process.stdin));
      const line = this.#lines.shift();
      if (line === undefined || line === '') {
        throw new UsageError(`Expected one more password line on standard input (${prompt.replace(/:\s*$/, '').toLowerCase()}).`);
      }
      return line;
    }
    if (!process.stdin.isTTY) {
      throw new UsageError('No terminal to ask for a password on: pass it on standard input with --password-stdin.');
    }
    const first = await hiddenPrompt(prompt);
    if (options.confirm === true) {
      const again = await hiddenPrompt('Repeat it: ');
      if (again !== first) throw new LatchkeyError('INVALID_INPUT', 'The two passwords differ; nothing was changed.');
    }
    return first;
  }
}

/**
 * One line typed on a terminal, echoed as typed: for a one-time code, which is useless once spent
 * and easier to get right when seen. Null when there is no terminal to ask on.
 */
export async function askVisible(prompt: string): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await terminal.question(prompt)).trim();
  } finally {
    terminal.close();
  }
}

/** A mistake in how the command was called (exit status 2), as opposed to a refused operation (1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function splitLines(text: string): string[] {
  // Only line breaks separate passwords; spaces inside or around them are part of them.
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  try {
    return strictUtf8().decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError(
      'Standard input is not valid UTF-8 text, so the password in it cannot be read exactly as written. Send it as UTF-8.',
    );
  }
}

/**
 * A UTF-8 decoder that throws on bytes that are not UTF-8, where the lenient one reads U+FFFD:
 * then two different byte strings would be one password. A leading byte-order mark is kept, as
 * part of what was sent.
 */
function strictUtf8(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

function hiddenPrompt(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  const decoder = strictUtf8();
  return new Promise((resolve, reject) => {
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    const finish = (error: Error | null): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error === null) resolve(typed);
      else reject(error);
    };
    const onData = (bytes: Buffer): void => {
      let chunk: string;
      try {
        chunk = decoder.decode(bytes, { stream: true });
      } catch {
        return finish(
          new UsageError(
            'The terminal sent text that is not UTF-8, so the password cannot be read exactly as typed. Set it to UTF-8 and try again.',
          ),
        );
      }
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003') return finish(new UsageError('Cancelled.'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
