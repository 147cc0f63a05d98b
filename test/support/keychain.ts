import keytar from 'keytar';

/** Only names the tests and the example make: outside Linux, tests run against the person's own keychain. */
const THROWAWAY_SERVICE = /^latchkey-(test|e2e|example)-[0-9a-f]{12}$/;

/**
 * Deletes every entry under a test's keychain service: the vault key and whatever a host kept
 * beside it (CLI session, enrollment, "stay signed in" and trusted-device tokens), whose names
 * depend on the vault, the OS user and the accounts a test happened to use.
 */
export async function forgetKeychainService(service: string): Promise<void> {
  if (!THROWAWAY_SERVICE.test(service)) throw new Error(`refusing to empty keychain service "${service}": not one a test made`);
  for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
}
