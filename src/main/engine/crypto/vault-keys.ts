import { createHmac, hkdfSync } from 'node:crypto';

/**
 * One 32-byte vault key lives in the keychain; each use gets its own subkey (HKDF-SHA-256),
 * so a key can never be confused across purposes.
 */
export interface VaultKeys {
  /** AES-256-GCM key for encrypted columns. */
  readonly fieldEncryption: Buffer;
  /** HMAC key for the audit chain. */
  readonly auditChain: Buffer;
  /** HMAC key for look-up secrets (backup codes). */
  readonly lookupSecrets: Buffer;
  /** HMAC key for the seals of security rows (store/row-seal.ts). */
  readonly rowIntegrity: Buffer;
}

export function deriveVaultKeys(vaultKey: Buffer, vaultId: string): VaultKeys {
  const derive = (purpose: string): Buffer =>
    Buffer.from(hkdfSync('sha256', vaultKey, Buffer.from(vaultId, 'utf8'), `latchkey/${purpose}`, 32));
  return {
    fieldEncryption: derive('field-encryption/v1'),
    auditChain: derive('audit-chain/v1'),
    lookupSecrets: derive('lookup-secrets/v1'),
    rowIntegrity: derive('row-integrity/v1'),
  };
}

/**
 * Stored beside the vault to tell "wrong key in the keychain" from "corrupt data". Reveals nothing of
 * the key. The form a vault had before its rows were sealed: such a vault is sealed once at open.
 */
export function keyCheck(vaultKey: Buffer, vaultId: string): string {
  return createHmac('sha256', vaultKey).update(`latchkey/key-check/${vaultId}`).digest('base64url');
}

/**
 * The key check of a vault whose rows are sealed: a vault is made with it, and an older one takes
 * it in the change that seals its rows. It also checks the key, and no one without the key can
 * turn it back into the older form, which would have the rows sealed again as they stand.
 */
export function sealedKeyCheck(keys: VaultKeys, vaultId: string): string {
  return `v2.${createHmac('sha256', keys.rowIntegrity).update(`latchkey/key-check/v2/${vaultId}`).digest('base64url')}`;
}
