import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { ClientInfo } from '../shared/client.js';
import { LatchkeyError, isLatchkeyError, toErrorInfo } from '../shared/errors.js';
import { openEngine, type Caller, type Engine } from '../main/engine/index.js';
import { HostKeychain, type KeychainEntry } from '../main/secrets/host-keychain.js';
import { OsKeychain } from '../main/secrets/keychain.js';
import { resolveVaultPath } from '../main/host/vault-location.js';
import { PasswordInput, UsageError } from './password-input.js';
import { latchkeyVersion } from './version.js';
import { describeClockSkew } from '../shared/monitoring.js';
import { keychainServiceFrom, osUserName } from '../main/host/host-setup.js';

/** As long as a host name may be: what a session is labelled with is told by the client, never trusted. */
const DEVICE_NAME_MAX = 64;

/**
 * The device this CLI's sessions and audit events name: the computer's host name, or
 * $LATCHKEY_DEVICE_NAME where a script signs in as several devices (a kiosk's, a test rig's).
 */
function deviceName(): string {
  const given = process.env['LATCHKEY_DEVICE_NAME'];
  if (given === undefined || given === '') return hostname();
  if (given.length > DEVICE_NAME_MAX || !/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u.test(given)) {
    throw new UsageError(
      `LATCHKEY_DEVICE_NAME must be 1 to ${DEVICE_NAME_MAX} letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.`,
    );
  }
  return given;
}

export interface GlobalOptions {
  readonly vault?: string;
  readonly keychainService?: string;
  readonly json?: boolean;
}

/** What a command prints: one JSON value under --json, or lines for a person. */
export interface Output<T> {
  readonly json: T;
  readonly text: string | readonly string[];
  /** Lines a person must notice, on standard error; under --json the JSON value carries the same facts. */
  readonly warnings?: readonly string[];
  /** Non-zero for a completed command whose answer is "no" (a broken audit chain). */
  readonly exitCode?: number;
  /** The command already wrote its output as a stream (an export to standard output). */
  readonly silent?: boolean;
}

/** One CLI invocation: the vault it opens, the keychain it uses, and the signed-in CLI session. */
export class CliRuntime {
  readonly globals: GlobalOptions;
  readonly keychain: OsKeychain;
  readonly vaultPath: string;
  #engine: Engine | null = null;

  constructor(globals: GlobalOptions) {
    this.globals = globals;
    this.keychain = new OsKeychain(keychainServiceFrom(globals.keychainService));
    this.vaultPath = resolveVaultPath(globals.vault);
  }

  /**
   * The open vault. Only `init` passes `create`: any other command on a missing vault file is
   * refused with NOT_INITIALISED, so a mistyped --vault never leaves an empty vault behind.
   */
  async engine(options: { create?: boolean } = {}): Promise<Engine> {
    if (this.#engine === null) {
      try {
        this.#engine = await openEngine({ vaultPath: this.vaultPath, secrets: this.keychain, create: options.create === true });
      } catch (error) {
        if (isLatchkeyError(error, 'NOT_INITIALISED')) {
          throw new LatchkeyError(
            'NOT_INITIALISED',
            `There is no vault at ${this.vaultPath}. Create one with: latchkey init --admin NAME`,
            error.details,
          );
        }
        throw error;
      }
    }
    return this.#engine;
  }

  client(): ClientInfo {
    return {
      host: 'cli',
      deviceName: deviceName(),
      osUser: osUserName(),
      ip: null,
      userAgent: `latchkey-cli/${latchkeyVersion()} (node ${process.version}; ${process.platform})`,
    };
  }

  /**
   * A secret this CLI keeps in the keychain for the open vault and this OS user; never printed:
   * its session token, the challenge of a forced enrollment under way, a device token per account
   * that trusts this device, and per account the sign-in step a code was sent for.
   */
  async keychainEntry(kind: 'cli-session' | 'enrollment' | 'device' | 'sent-code', account?: string): Promise<KeychainEntry> {
    const engine = await this.engine();
    return new HostKeychain(engine.secrets, engine.vaultId, osUserName()).entry(kind, account);
  }

  async saveSessionToken(token: string): Promise<void> {
    await (await this.keychainEntry('cli-session')).set(token);
  }

  async forgetSessionToken(): Promise<void> {
    await (await this.keychainEntry('cli-session')).delete();
  }

  async sessionToken(): Promise<string | null> {
    return (await this.keychainEntry('cli-session')).get();
  }

  /** The signed-in caller, checked against the vault on this very call. */
  async caller(): Promise<Caller> {
    const token = await this.sessionToken();
    if (token === null) {
      throw new LatchkeyError('NOT_AUTHORISED', 'Not signed in. Run `latchkey signin NAME` first.');
    }
    try {
      return (await this.engine()).sessions.validate(token);
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_EXPIRED') await this.forgetSessionToken();
      throw error;
    }
  }

  passwords(fromStdin: boolean | undefined): PasswordInput {
    return new PasswordInput(fromStdin === true);
  }

  /**
   * Tries the messages this command queued, each with a short time limit; what fails stays in the
   * outbox for `latchkey outbox send` or the app. In words, for the command's output.
   */
  async deliverQueued(): Promise<string | null> {
    const engine = this.#engine;
    if (engine === null) return null;
    const report = await engine.delivery.sendQueuedHere();
    const total = report.sent + report.failed + report.abandoned + report.waiting;
    if (total === 0) return null;
    if (report.sent === total) return total === 1 ? 'The message was sent.' : `All ${total} messages were sent.`;
    const left = report.failed + report.waiting;
    return (
      `${report.sent} of ${total} messages sent; ${left} wait in the outbox` +
      (report.waiting > 0 ? ' (delivery is not configured: latchkey config show)' : ' (latchkey outbox list)') +
      (report.abandoned > 0 ? `; ${report.abandoned} given up on` : '') +
      '.'
    );
  }

  /** Tries what the command queued and did not try itself, anchors what it wrote to the audit log outside the vault, then closes it. */
  async close(): Promise<void> {
    const engine = this.#engine;
    this.#engine = null;
    if (engine === null) return;
    try {
      // On standard error, so a --json answer on standard output stays one object.
      const skew = engine.clockSkew();
      if (skew !== null) process.stderr.write(`latchkey: ${describeClockSkew(skew)}\n`);
      // The command's answer is printed; a message that cannot go now waits in the outbox.
      await engine.delivery.sendQueuedHere().catch(() => undefined);
      // The command's own outcome is already decided; a keychain that fails here only weakens the anchor.
      await engine.audit.anchor().catch(() => undefined);
    } finally {
      engine.close();
    }
  }
}

/**
 * Wraps a command's work: prints its output, turns an error into the envelope and an exit status
 * (1 refused, 2 usage), and never lets a stack trace or a secret reach the terminal.
 */
export function action<A extends unknown[]>(
  work: (runtime: CliRuntime, ...args: A) => Promise<Output<unknown>>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]): Promise<void> => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const runtime = new CliRuntime(globals);
    try {
      const output = await work(runtime, ...(args.slice(0, -1) as A));
      printOutput(output, globals.json === true);
      process.exitCode = output.exitCode ?? 0;
    } catch (error) {
      printError(error, globals.json === true);
    } finally {
      await runtime.close();
    }
  };
}

/** The reader of this stream went away (`latchkey … | head -1`): whatever is still to write is lost. */
export function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Without a listener, a write to a pipe whose reader has gone ends the process with an
 * "Unhandled 'error' event" stack trace. The command's work is done or under way and must still
 * finish (closing anchors the audit log), so the output nobody reads is dropped and the exit
 * status stays the command's own.
 */
export function dropOutputToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (!isClosedPipe(error)) throw error;
    });
  }
}

function printOutput(output: Output<unknown>, json: boolean): void {
  if (output.silent === true) return;
  if (json) {
    process.stdout.write(`${JSON.stringify(output.json)}\n`);
    return;
  }
  const lines = typeof output.text === 'string' ? [output.text] : output.text;
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  for (const warning of output.warnings ?? []) process.stderr.write(`latchkey: ${warning}\n`);
}

export function printError(error: unknown, json: boolean): void {
  const usage = error instanceof UsageError;
  const info = usage ? { code: 'INVALID_INPUT' as const, message: error.message } : toErrorInfo(error);
  // An unexpected failure's own message is withheld from normal output; this lets a developer see it.
  if (info.code === 'INTERNAL' && process.env['LATCHKEY_DEBUG'] === '1') console.error(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: info })}\n`);
  else process.stderr.write(`latchkey: ${info.message}${usage ? '' : ` (${info.code})`}\n`);
  process.exitCode = usage ? 2 : 1;
}
