/**
 * The one narrow door to the OS keychain. Everything that must not live on the vault's disk
 * (the vault key, a CLI session token, a refresh token) goes through this interface.
 */
export interface SecretStore {
  /** Names the keychain namespace, e.g. `latchkey`; shown in messages, never a secret. */
  readonly service: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}
