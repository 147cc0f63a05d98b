/** The scheme the desktop app registers with the OS; a link with it opens (or focuses) Latchkey. */
export const LINK_SCHEME = 'latchkey';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The link an e-mail carries: whoever opens it on a machine with this vault proves they read that mailbox. */
export function verificationLink(token: string): string {
  return `${LINK_SCHEME}://verify?token=${token}`;
}

/**
 * The token of a `latchkey://verify?token=…` link, or null for anything else. Any web page can
 * open a link with our scheme, so the shape is checked strictly before the engine sees it.
 */
export function tokenOfVerificationLink(link: string): string | null {
  if (link.length > 200) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${LINK_SCHEME}:` || url.hostname !== 'verify' || (url.pathname !== '' && url.pathname !== '/')) return null;
  if (url.username !== '' || url.password !== '' || url.port !== '' || url.hash !== '') return null;
  const keys = [...url.searchParams.keys()];
  const token = url.searchParams.get('token');
  if (keys.length !== 1 || token === null || !TOKEN.test(token)) return null;
  return token;
}
