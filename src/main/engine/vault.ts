import { randomBytes, randomUUID } from 'node:crypto';
import { LatchkeyError } from '../../shared/errors.js';
import {
  brokenReferences,
  holdsNothingBut,
  isSqliteError,
  openDatabase,
  storageFailure,
  structuralProblems,
  unusableVault,
  type BrokenReference,
  type Db,
} from '../store/database.js';
import { MetaRepository } from '../store/meta.js';
import { RowIntegrityRepository } from '../store/row-integrity.js';
import { type BrokenSeal, RowSeal } from '../store/row-seal.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { FieldCipher } from './crypto/field-cipher.js';
import { startAuditChain } from './audit/audit-log.js';
import { constantTimeEqual } from './crypto/random.js';
import { deriveVaultKeys, keyCheck, sealedKeyCheck, type VaultKeys } from './crypto/vault-keys.js';

export interface OpenVaultOptions {
  readonly path: string;
  readonly secrets: SecretStore;
  readonly nativeBinding?: string;
  /** Make the vault when there is no file at `path` (the default); when false, refuse with NOT_INITIALISED. */
  readonly create?: boolean;
}

/** An open vault: the SQLite file plus the keys unsealed from the keychain. */
export interface Vault {
  readonly id: string;
  readonly path: string;
  readonly db: Db;
  readonly keys: VaultKeys;
  readonly cipher: FieldCipher;
  /** Seals and checks the security rows; every repository writes and reads through it. */
  readonly rowSeal: RowSeal;
  /**
   * False for a vault from before rows were sealed (its key check has the older form): the engine
   * seals its rows once, before any rule reads them (engine/integrity/row-sealing.ts).
   */
  readonly rowsSealed: boolean;
  readonly secrets: SecretStore;
  close(): void;
}

/**
 * Opens the vault file and fetches its key from the keychain, creating both on first use unless
 * `create` is false. A vault whose key is gone from the keychain is refused: there is no key on
 * disk to fall back to.
 */
export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  const { db, discard } = openDatabase(options.path, {
    create: options.create !== false,
    ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
  });
  try {
    const meta = new MetaRepository(db);
    const id = ensureVaultId(db, meta, options.path);
    const { keys, rowsSealed } = await loadOrCreateKey(db, options.secrets, meta, id, options.path);
    return {
      id,
      path: options.path,
      db,
      keys,
      cipher: new FieldCipher(keys.fieldEncryption),
      rowSeal: new RowSeal(keys.rowIntegrity),
      rowsSealed,
      secrets: options.secrets,
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    // Every failure here comes before the key is committed, so a file this call made holds no
    // vault yet: without this, a first open with no keychain would leave a stray file (and folder)
    // that later commands take for a vault.
    discard?.();
    // SQLite's own message ("database disk image is malformed") is not for a person.
    throw isSqliteError(error) ? unusableVault(options.path, error) : error;
  }
}

/**
 * The vault's id, made with the vault. Nothing is written before it, so a vault without one that
 * holds anything has lost it: a new id would orphan its key in the keychain.
 */
function ensureVaultId(db: Db, meta: MetaRepository, path: string): string {
  return db
    .transaction(() => {
      const existing = meta.get('vault_id');
      if (existing !== null) return existing;
      if (!holdsNothingBut(db, [])) throw damaged(path, 'its id is missing');
      const id = `vault_${randomUUID()}`;
      meta.set('vault_id', id);
      return id;
    })
    .immediate();
}

interface LoadedKey {
  readonly keys: VaultKeys;
  readonly rowsSealed: boolean;
}

async function loadOrCreateKey(db: Db, secrets: SecretStore, meta: MetaRepository, vaultId: string, path: string): Promise<LoadedKey> {
  if (meta.get('key_check') !== null) return loadKey(secrets, meta, vaultId);
  // A new vault, perhaps opened by several processes at this moment (the app and a script). The
  // write lock, held while the key goes into the keychain, lets exactly one of them make the key;
  // the others wait for the lock, then load it.
  db.exec('BEGIN IMMEDIATE');
  try {
    if (meta.get('key_check') !== null) {
      db.exec('ROLLBACK');
      return await loadKey(secrets, meta, vaultId);
    }
    // The key check is written with the audit chain's start, before any account or event. A vault
    // that holds more than its id has lost it: starting the chain again would break every write.
    if (!holdsNothingBut(db, ['vault_id'])) throw damaged(path, 'the record that checks its key is missing');
    // A key already in the keychain was stored by an open that stopped before its COMMIT: adopt it.
    const stored = await secrets.get(vaultId);
    const key = stored === null ? randomBytes(32) : Buffer.from(stored, 'base64');
    if (key.length !== 32) throw wrongKey(secrets, vaultId);
    if (stored === null) await secrets.set(vaultId, key.toString('base64'));
    const keys = deriveVaultKeys(key, vaultId);
    // Born sealed: it holds no row yet, and every row it will hold is sealed as it is written.
    meta.set('key_check', sealedKeyCheck(keys, vaultId));
    startAuditChain(meta, keys.auditChain);
    db.exec('COMMIT');
    return { keys, rowsSealed: true };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * The key of a vault that has one: it must be in the keychain, and it must be the right one. The
 * key check's form says whether the vault's rows are sealed already.
 */
async function loadKey(secrets: SecretStore, meta: MetaRepository, vaultId: string): Promise<LoadedKey> {
  const stored = await secrets.get(vaultId);
  if (stored === null) {
    throw new LatchkeyError(
      'VAULT_KEY_MISSING',
      `The key for vault ${vaultId} is not in the keychain (service "${secrets.service}"). ` +
        'Without it the vault cannot be opened: restore the keychain entry, or use the keychain service the vault was created with.',
      { vaultId, service: secrets.service },
    );
  }
  const key = Buffer.from(stored, 'base64');
  if (key.length !== 32) throw wrongKey(secrets, vaultId);
  const keys = deriveVaultKeys(key, vaultId);
  const storedCheck = meta.get('key_check') ?? '';
  if (sameCheck(sealedKeyCheck(keys, vaultId), storedCheck)) return { keys, rowsSealed: true };
  if (sameCheck(keyCheck(key, vaultId), storedCheck)) return { keys, rowsSealed: false };
  throw wrongKey(secrets, vaultId);
}

function wrongKey(secrets: SecretStore, vaultId: string): LatchkeyError {
  return new LatchkeyError(
    'VAULT_KEY_MISSING',
    `The keychain (service "${secrets.service}") holds a key for vault ${vaultId} that does not open it. ` +
      'Restore the keychain entry from a backup, or open the vault with the keychain it was created with.',
    { vaultId, service: secrets.service },
  );
}

function damaged(path: string, what: string): LatchkeyError {
  return new LatchkeyError(
    'VAULT_UNREADABLE',
    `The vault file at ${path} is damaged: ${what}. It was left as it is; restore it from a backup.`,
    { path },
  );
}

function sameCheck(a: string, b: string): boolean {
  return constantTimeEqual(Buffer.from(a), Buffer.from(b));
}

/** What `verifyVault` found: SQLite's checks of the file's pages and of the rows' references, and the rows' seals. */
export interface VaultVerdict {
  readonly intact: boolean;
  readonly path: string;
  /** Problems in the file's pages and records (SQLite's quick_check). */
  readonly structure: { readonly intact: boolean; readonly problems: number };
  /** Rows that refer to a row that is not there (SQLite's foreign_key_check). */
  readonly references: {
    readonly intact: boolean;
    readonly broken: number;
    /** The first of them, at most MAX_LISTED_REFERENCES. */
    readonly rows: readonly BrokenReference[];
  };
  /** Security rows whose seal is missing or does not match: edited, copied or moved outside Latchkey. */
  readonly rowSeals: {
    readonly intact: boolean;
    readonly broken: number;
    /** The first of them, at most MAX_LISTED_REFERENCES. */
    readonly rows: readonly BrokenSeal[];
  };
}

export const MAX_LISTED_REFERENCES = 100;

/**
 * Checks the open vault's file. It reads only: a vault edited behind Latchkey's back is reported,
 * never repaired, since which side of a broken reference is the true one is not for it to guess,
 * and a row whose seal fails is not to be sealed again.
 */
export function verifyVault(vault: Pick<Vault, 'db' | 'path' | 'rowSeal'>): VaultVerdict {
  try {
    return verdictOf(vault);
  } catch (error) {
    throw storageFailure(error, vault.path, 'read');
  }
}

function verdictOf(vault: Pick<Vault, 'db' | 'path' | 'rowSeal'>): VaultVerdict {
  const problems = structuralProblems(vault.db);
  const broken = brokenReferences(vault.db);
  const seals = new RowIntegrityRepository(vault.db, vault.rowSeal).brokenSeals(MAX_LISTED_REFERENCES);
  return {
    intact: problems === 0 && broken.length === 0 && seals.count === 0,
    path: vault.path,
    structure: { intact: problems === 0, problems },
    references: { intact: broken.length === 0, broken: broken.length, rows: broken.slice(0, MAX_LISTED_REFERENCES) },
    rowSeals: { intact: seals.count === 0, broken: seals.count, rows: seals.rows },
  };
}
