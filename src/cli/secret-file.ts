import { closeSync, constants, fchmodSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LatchkeyError } from '../shared/errors.js';
import { describeFileError } from '../main/engine/index.js';
import { UsageError } from './password-input.js';

// O_EXCL makes the open fail on anything already at the path, so a secret never lands in someone
// else's file. POSIX open(): "If O_EXCL and O_CREAT are set, and path names a symbolic link, open()
// shall fail with [EEXIST], regardless of the contents of the symbolic link", even one pointing
// nowhere. O_NOFOLLOW says so once more, for a system that bends that rule; Windows has no such flag.
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);
const OWNER_ONLY = 0o600;

/**
 * A file for something secret (a QR code holding a TOTP secret), created new and readable by its
 * owner only. Created before the secret exists, so a name already taken refuses the command
 * before anything has changed; removed again if the command fails before it is complete.
 */
export class SecretFile {
  readonly path: string;
  #fd: number | null;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /** Creates the file at `path`, named by the command-line `option` that gave it. */
  static create(path: string, option: string): SecretFile {
    let fd: number;
    try {
      fd = openSync(path, CREATE_NEW, OWNER_ONLY);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new LatchkeyError(
          'CONFLICT',
          `${path} already exists, and a file that holds a secret never replaces one, nor is written through a link. ` +
            `Give another ${option} name, or move the old file away first.`,
          { file: path },
        );
      }
      if (code === 'ENOENT') throw new UsageError(`Cannot write ${path}: the folder ${dirname(path)} does not exist.`);
      throw new UsageError(`Cannot write ${path}: ${describeFileError(error)}.`);
    }
    const file = new SecretFile(path, fd);
    try {
      // The umask may take more than group and other bits away; the owner still needs to read it.
      if (process.platform !== 'win32') fchmodSync(fd, OWNER_ONLY);
    } catch (error) {
      file.discard();
      throw new UsageError(`Cannot write ${path}: ${describeFileError(error)}.`);
    }
    return file;
  }

  /** Writes the whole content and closes the file; on failure nothing is left at the path. */
  write(content: Uint8Array): void {
    if (this.#fd === null) throw new Error(`${this.path} is already closed`);
    try {
      for (let written = 0; written < content.length;) written += writeSync(this.#fd, content, written);
      closeSync(this.#fd);
      this.#fd = null;
    } catch (error) {
      this.discard();
      throw new UsageError(`Writing ${this.path} failed: ${describeFileError(error)}. Nothing was left there; run the command again.`);
    }
  }

  /** Closes and removes the file, written or not: for a command that failed before it was done. */
  discard(): void {
    // Best effort both: the error that led here is the one worth reporting.
    try {
      if (this.#fd !== null) closeSync(this.#fd);
    } catch {
      // already closed
    }
    this.#fd = null;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone, or its folder no longer writable
    }
  }
}
