import type { SecretStore } from './secret-store.js';

/**
 * The bearer secrets a host keeps for the person at this computer, in the keychain and never on
 * disk: the "stay signed in" refresh token, and one trusted-device token per account. Names are
 * scoped by vault and OS user so two vaults, or two people sharing a keychain service, never mix.
 */
export class HostTokens {
  readonly #secrets: SecretStore;
  readonly #scope: string;

  constructor(secrets: SecretStore, vaultId: string, osUser: string | null) {
    this.#secrets = secrets;
    this.#scope = `${vaultId}:${osUser ?? 'unknown'}`;
  }

  refreshToken(host: string): Promise<string | null> {
    return this.#secrets.get(`refresh:${host}:${this.#scope}`);
  }

  async keepRefreshToken(host: string, token: string | null): Promise<void> {
    if (token === null) await this.#secrets.delete(`refresh:${host}:${this.#scope}`);
    else await this.#secrets.set(`refresh:${host}:${this.#scope}`, token);
  }

  deviceToken(username: string): Promise<string | null> {
    return this.#secrets.get(`device:${this.#scope}:${username}`);
  }

  async keepDeviceToken(username: string, token: string): Promise<void> {
    await this.#secrets.set(`device:${this.#scope}:${username}`, token);
  }
}
