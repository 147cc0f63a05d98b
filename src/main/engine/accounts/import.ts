import { setImmediate as nextTurn } from 'node:timers/promises';
import { TOTP, URI } from 'otpauth';
import * as z from 'zod';
import { LatchkeyError, isLatchkeyError } from '../../../shared/errors.js';
import type { Role } from '../../../shared/views.js';
import { type Caller, partyOf, requireAdmin } from '../caller.js';
import type { EngineContext } from '../context.js';
import { newId } from '../crypto/random.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { TotpParameters } from '../mfa/totp.js';
import { type StoredHashScheme, storedHashScheme } from '../passwords/password-hasher.js';
import type { Change } from '../write-path.js';
import { requireValidEmail, requireValidUsername } from './usernames.js';

/**
 * Bringing existing users into a vault: their names, roles, password hashes (argon2id, or legacy
 * bcrypt that is replaced at their first sign-in) and, when they had one, their authenticator.
 * Each row stands alone: a bad or duplicate row is reported and the rest go on.
 */

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
export const MAX_IMPORT_ROW_BYTES = 64 * 1024;
export const IMPORT_COLUMNS = ['username', 'email', 'role', 'password_hash', 'totp_uri'] as const;
export type ImportFormat = 'json' | 'csv';

/** Rows written per transaction: each row still commits with its audit event, without one disk sync per row. */
const ROWS_PER_BATCH = 200;

/** One record as the file holds it, before any rule is applied. */
export interface ImportRecord {
  /** 1-based, counting data rows only (no header, no blank lines). */
  readonly row: number;
  /** Where the record starts in the file; null inside a JSON array. */
  readonly line: number | null;
  /** The record's fields, or null when `problem` says why it could not be read. */
  readonly fields: Readonly<Record<string, unknown>> | null;
  readonly problem: string | null;
}

export interface ImportRowReport {
  readonly row: number;
  readonly line: number | null;
  readonly username: string | null;
  readonly outcome: 'imported' | 'duplicate' | 'failed';
  readonly message: string | null;
}

export interface ImportReport {
  readonly total: number;
  readonly imported: number;
  /** Names that already had an account: skipped, so importing a file again changes nothing. */
  readonly duplicates: number;
  readonly failed: number;
  /** Every row that was not imported, in file order, with the reason. */
  readonly problems: readonly ImportRowReport[];
}

export interface ImportOptions {
  /** Called after each batch of rows is written. */
  readonly onProgress?: (done: number, total: number) => void;
}

interface ValidRow {
  readonly username: string;
  readonly email: string | null;
  readonly role: Role;
  readonly passwordHash: string;
  readonly scheme: StoredHashScheme;
  readonly totp: { readonly secret: string; readonly params: TotpParameters } | null;
}

/** A reason a row is refused. Its message names the field, never echoes a hash or a secret. */
class RowProblem extends Error {}

const optionalText = z
  .string({ error: 'must be text' })
  .trim()
  .nullish()
  .transform((value) => (value == null || value === '' ? null : value));

const ROW = z.strictObject(
  {
    username: z.string({ error: 'is missing' }),
    email: optionalText,
    role: optionalText,
    password_hash: z.string({ error: 'is missing' }).trim().min(1, 'is missing'),
    totp_uri: optionalText,
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : undefined) },
);

/** Imports rows of existing users; only an administrator may. */
export class AccountImporter {
  readonly #ctx: EngineContext;
  readonly #mfa: MfaService;

  constructor(ctx: EngineContext, mfa: MfaService) {
    this.#ctx = ctx;
    this.#mfa = mfa;
  }

  /**
   * Refuses a caller who may not import, before a host reads a file that may be 50 MB for nothing.
   * `run` asks the same itself.
   */
  mayRun(caller: Caller): void {
    requireAdmin(caller);
  }

  async run(caller: Caller, text: string, format: ImportFormat, options: ImportOptions = {}): Promise<ImportReport> {
    this.mayRun(caller);
    const records = readImportText(text, format);
    const problems: ImportRowReport[] = [];
    let imported = 0;
    let duplicates = 0;
    for (let start = 0; start < records.length; start += ROWS_PER_BATCH) {
      const batch = records.slice(start, start + ROWS_PER_BATCH);
      this.#ctx.change(() => {
        for (const record of batch) {
          const report = this.#importRecord(caller, record);
          if (report.outcome === 'imported') imported += 1;
          else problems.push(report);
          if (report.outcome === 'duplicate') duplicates += 1;
        }
      });
      options.onProgress?.(start + batch.length, records.length);
      // A large file must not hold the event loop (the desktop app's window) for its whole length.
      await nextTurn();
    }
    return { total: records.length, imported, duplicates, failed: problems.length - duplicates, problems };
  }

  /** Inside the batch's change; the row and its audit event share a savepoint of it, so a failure undoes both. */
  #importRecord(caller: Caller, record: ImportRecord): ImportRowReport {
    const at = { row: record.row, line: record.line };
    let row: ValidRow;
    try {
      row = validateRecord(record);
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      return { ...at, username: rawUsername(record), outcome: 'failed', message: error.message };
    }
    try {
      const outcome = this.#ctx.change((savepoint) => this.#insert(savepoint, caller, row));
      return {
        ...at,
        username: row.username,
        outcome,
        message: outcome === 'duplicate' ? `An account named "${row.username}" already exists.` : null,
      };
    } catch (error) {
      if (!isLatchkeyError(error)) throw error;
      return { ...at, username: row.username, outcome: 'failed', message: error.message };
    }
  }

  #insert(tx: Change, caller: Caller, row: ValidRow): 'imported' | 'duplicate' {
    if (this.#ctx.repos.accounts.byUsername(row.username) !== undefined) return 'duplicate';
    const id = newId('acc');
    const now = this.#ctx.clock.now();
    tx.repos.accounts.insert({
      id,
      username: row.username,
      display_name: row.username,
      role: row.role,
      status: 'active',
      email_enc: row.email === null ? null : this.#ctx.vault.cipher.encrypt(row.email, { table: 'accounts', column: 'email', rowId: id }),
      password_hash: row.passwordHash,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
      mfa_state: 'DISABLED',
      notice: null,
      email_verified_at: null,
    });
    if (row.totp !== null) this.#mfa.enableImported(tx, id, row.totp.secret, row.totp.params);
    tx.audit({
      type: 'account.imported',
      outcome: 'success',
      actor: partyOf(caller),
      target: { id, name: row.username },
      sessionId: caller.sessionId,
      device: caller.deviceName,
      details: { role: row.role, passwordHash: row.scheme, totp: row.totp !== null, hasEmail: row.email !== null },
    });
    return 'imported';
  }
}

/**
 * The records of a file. JSON: an array of objects, one object, or one object per line (JSON lines).
 * CSV: a header row naming the columns, then one row per account. A problem with the file as a whole
 * (too large, not JSON, a bad header) is an INVALID_INPUT error; a problem with one record is kept on it.
 */
export function readImportText(text: string, format: ImportFormat): ImportRecord[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_IMPORT_BYTES) {
    throw new LatchkeyError(
      'INVALID_INPUT',
      `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it and import the parts.`,
      {
        maxBytes: MAX_IMPORT_BYTES,
      },
    );
  }
  const body = text.replace(/^\uFEFF/, '');
  return format === 'csv' ? csvRecords(body) : jsonRecords(body);
}

function jsonRecords(text: string): ImportRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    // Not one JSON value; one object per line is the other form. An array that does not parse is broken.
    if (trimmed.startsWith('[')) throw notJson();
    return jsonLines(text);
  }
  const elements = Array.isArray(whole) ? whole : [whole];
  if (!Array.isArray(whole) && !isPlainObject(whole)) throw notJson();
  const line = Array.isArray(whole) ? null : 1;
  return elements.map((element, index) => jsonRecord(index + 1, line, element, Buffer.byteLength(JSON.stringify(element) ?? '', 'utf8')));
}

function jsonLines(text: string): ImportRecord[] {
  const records: ImportRecord[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const row = records.length + 1;
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > MAX_IMPORT_ROW_BYTES) {
      records.push({ row, line: index + 1, fields: null, problem: tooLarge() });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      records.push({ row, line: index + 1, fields: null, problem: 'not valid JSON (one object per line is expected)' });
      continue;
    }
    records.push(jsonRecord(row, index + 1, value, bytes));
  }
  return records;
}

function jsonRecord(row: number, line: number | null, value: unknown, bytes: number): ImportRecord {
  if (bytes > MAX_IMPORT_ROW_BYTES) return { row, line, fields: null, problem: tooLarge() };
  if (!isPlainObject(value)) return { row, line, fields: null, problem: 'not a JSON object with the fields username, password_hash …' };
  return { row, line, fields: value, problem: null };
}

function csvRecords(text: string): ImportRecord[] {
  const [header, ...rows] = parseCsv(text).filter((record) => !(record.fields.length === 1 && record.fields[0]?.trim() === ''));
  if (header === undefined) return [];
  if (header.problem !== null)
    throw new LatchkeyError('INVALID_INPUT', `The CSV header (line ${header.line}) cannot be read: ${header.problem}.`);
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  const known: readonly string[] = IMPORT_COLUMNS;
  const unknown = columns.filter((name) => !known.includes(name));
  const repeated = columns.filter((name, index) => columns.indexOf(name) !== index);
  const missing = ['username', 'password_hash'].filter((name) => !columns.includes(name));
  if (unknown.length > 0 || repeated.length > 0 || missing.length > 0) {
    const what = [
      unknown.length > 0 ? `unknown column ${unknown.map((c) => `"${c}"`).join(', ')}` : null,
      repeated.length > 0 ? `repeated column ${repeated.map((c) => `"${c}"`).join(', ')}` : null,
      missing.length > 0 ? `missing column ${missing.map((c) => `"${c}"`).join(', ')}` : null,
    ].filter((part) => part !== null);
    throw new LatchkeyError('INVALID_INPUT', `The CSV header has ${what.join('; ')}. The columns are: ${IMPORT_COLUMNS.join(', ')}.`);
  }
  return rows.map((record, index): ImportRecord => {
    const at = { row: index + 1, line: record.line };
    if (record.bytes > MAX_IMPORT_ROW_BYTES) return { ...at, fields: null, problem: record.problem ?? tooLarge() };
    if (record.problem !== null) return { ...at, fields: null, problem: record.problem };
    if (record.fields.length !== columns.length) {
      // The PHC string's own commas (m=…,t=…,p=…) split an unquoted argon2id hash.
      const hint = record.fields.some((field) => field.startsWith('$argon2'))
        ? ' (an argon2id hash holds commas: put it in double quotes)'
        : '';
      return { ...at, fields: null, problem: `has ${record.fields.length} fields where the header has ${columns.length}${hint}` };
    }
    return { ...at, fields: Object.fromEntries(columns.map((name, column) => [name, record.fields[column]])), problem: null };
  });
}

export interface CsvRecord {
  /** The line the record starts on (a quoted field may span lines). */
  readonly line: number;
  readonly fields: readonly string[];
  /** Its length in the file, in UTF-8 bytes. */
  readonly bytes: number;
  readonly problem: string | null;
}

/**
 * RFC 4180: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
 * commas, line breaks and doubled quotes (""). A stray quote is a problem on its record, which
 * ends at the next line break as usual; a quote never closed takes the rest of the file.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const end = text.length;
  const isBreak = (char: string | undefined): boolean => char === '\n' || char === '\r';
  let i = 0;
  let line = 1;
  while (i < end) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    let problem: string | null = null;
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (!closed) {
          const quote = text.indexOf('"', i);
          const chunk = text.slice(i, quote === -1 ? end : quote);
          value += chunk;
          line += countBreaks(chunk);
          if (quote === -1) {
            i = end;
            problem ??= `a quoted field that starts on line ${startLine} is never closed`;
            break;
          }
          if (text[quote + 1] === '"') {
            value += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            closed = true;
          }
        }
        if (closed && i < end && text[i] !== ',' && !isBreak(text[i])) {
          problem ??= 'text after the closing quote of a field';
          while (i < end && text[i] !== ',' && !isBreak(text[i])) i += 1;
        }
      } else {
        const from = i;
        while (i < end && text[i] !== ',' && !isBreak(text[i])) i += 1;
        value = text.slice(from, i);
        if (value.includes('"'))
          problem ??= 'a quote inside a field that does not start with one (quote the whole field and double the quote)';
      }
      fields.push(value);
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    const recordEnd = i;
    if (text[i] === '\r') i += 1;
    if (text[i] === '\n') i += 1;
    if (i > recordEnd) line += 1;
    records.push({ line: startLine, fields, bytes: Buffer.byteLength(text.slice(start, recordEnd), 'utf8'), problem });
  }
  return records;
}

function validateRecord(record: ImportRecord): ValidRow {
  if (record.fields === null) throw new RowProblem(record.problem ?? 'cannot be read');
  const parsed = ROW.safeParse(record.fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new RowProblem(field === '' ? (issue?.message ?? 'not accepted') : `${field} ${issue?.message ?? 'is not accepted'}`);
  }
  const fields = parsed.data;
  const username = checked(() => requireValidUsername(fields.username));
  const email = fields.email === null ? null : checked(() => requireValidEmail(fields.email ?? ''));
  const role = (fields.role ?? 'user').toLowerCase();
  if (role !== 'admin' && role !== 'user') throw new RowProblem('role must be admin or user');
  const scheme = storedHashScheme(fields.password_hash);
  if (scheme === null) {
    throw new RowProblem(
      'password_hash is not a usable argon2id PHC string ($argon2id$…) or bcrypt hash ($2a$/$2b$/$2y$), or its cost is out of bounds',
    );
  }
  return {
    username,
    email,
    role,
    passwordHash: fields.password_hash,
    scheme,
    totp: fields.totp_uri === null ? null : importedTotp(fields.totp_uri),
  };
}

const SUPPORTED_ALGORITHMS: readonly string[] = ['SHA1', 'SHA256', 'SHA512'];

/** An otpauth://totp/ URI's secret and parameters, checked against what sign-in can verify. */
function importedTotp(uri: string): { secret: string; params: TotpParameters } {
  let otp: ReturnType<typeof URI.parse>;
  try {
    otp = URI.parse(uri);
  } catch {
    throw new RowProblem('totp_uri is not an otpauth:// URI with a base32 secret');
  }
  if (!(otp instanceof TOTP)) throw new RowProblem('totp_uri must be otpauth://totp/…; counter-based (hotp) codes are not supported');
  if (!SUPPORTED_ALGORITHMS.includes(otp.algorithm)) throw new RowProblem('totp_uri algorithm must be SHA1, SHA256 or SHA512');
  if (otp.digits !== 6 && otp.digits !== 7 && otp.digits !== 8) throw new RowProblem('totp_uri digits must be 6, 7 or 8');
  if (otp.period < 10 || otp.period > 300) throw new RowProblem('totp_uri period must be 10 to 300 seconds');
  // RFC 4226 §4 asks for 128 bits and recommends 160; 80 is what older authenticators issued.
  if (otp.secret.bytes.length < 10) throw new RowProblem('totp_uri secret is shorter than 80 bits');
  return {
    secret: otp.secret.base32,
    params: { algorithm: otp.algorithm as TotpParameters['algorithm'], digits: otp.digits, period: otp.period },
  };
}

function checked<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isLatchkeyError(error)) throw new RowProblem(error.message);
    throw error;
  }
}

/** The name as the file spells it, for the report of a row that was refused before its name was checked. */
function rawUsername(record: ImportRecord): string | null {
  const name = record.fields?.['username'];
  return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 64) : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

function tooLarge(): string {
  return `larger than ${MAX_IMPORT_ROW_BYTES / 1024} KB`;
}

function notJson(): LatchkeyError {
  return new LatchkeyError('INVALID_INPUT', 'The file is not valid JSON: give an array of objects, or one object per line (JSON lines).');
}
