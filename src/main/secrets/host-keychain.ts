import type { SecretStore } from './secret-store.js';

/** One named secret a host keeps in the keychain. */
export interface KeychainEntry {
  get(): Promise<string | null>;
  set(value: string): Promise<void>;
  delete(): Promise<boolean>;
}

/**
 * The bearer secrets a host keeps for the person at this computer, in the keychain and never on
 * disk: a CLI session token, a forced enrollment's challenge, a "stay signed in" refresh token, a
 * trusted-device token per account, the sign-in step a code was sent for (per account). Names are
 * scoped by vault and OS user, so two vaults, or two people sharing one keychain service, never
 * mix: `kind:vaultId:osUser[:qualifier]`.
 */
export type HostSecretKind = 'cli-session' | 'enrollment' | 'device' | 'refresh' | 'sent-code';

export class HostKeychain {
  readonly #secrets: SecretStore;
  readonly #scope: string;

  constructor(secrets: SecretStore, vaultId: string, osUser: string | null) {
    this.#secrets = secrets;
    this.#scope = `${vaultId}:${osUser ?? 'unknown'}`;
  }

  entry(kind: HostSecretKind, qualifier?: string): KeychainEntry {
    const name = qualifier === undefined ? `${kind}:${this.#scope}` : `${kind}:${this.#scope}:${qualifier}`;
    return {
      get: () => this.#secrets.get(name),
      set: (value) => this.#secrets.set(name, value),
      delete: () => this.#secrets.delete(name),
    };
  }
}
