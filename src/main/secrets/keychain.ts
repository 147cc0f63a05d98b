import keytar from 'keytar';
import { LatchkeyError } from '../../shared/errors.js';
import type { SecretStore } from './secret-store.js';

export const DEFAULT_KEYCHAIN_SERVICE = 'latchkey';

const UNAVAILABLE_HELP =
  'The OS keychain is not available, so the vault key cannot be read or stored. ' +
  'On Linux, run a Secret Service (for example gnome-keyring or KeePassXC) in your session and unlock it; ' +
  'on macOS, unlock the login keychain; on Windows, sign in to your user account. Then try again.';

/** The OS keychain through keytar: libsecret on Linux, Keychain on macOS, Credential Manager on Windows. */
export class OsKeychain implements SecretStore {
  readonly service: string;

  constructor(service: string = DEFAULT_KEYCHAIN_SERVICE) {
    this.service = service;
  }

  get(account: string): Promise<string | null> {
    return this.#call(() => keytar.getPassword(this.service, account));
  }

  set(account: string, secret: string): Promise<void> {
    return this.#call(() => keytar.setPassword(this.service, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.#call(() => keytar.deletePassword(this.service, account));
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // keytar's messages name the failing D-Bus service or keychain call; they carry no secret.
      const cause = error instanceof Error ? error.message : String(error);
      throw new LatchkeyError('KEYCHAIN_UNAVAILABLE', UNAVAILABLE_HELP, { service: this.service, cause });
    }
  }
}
