import { LINK_SCHEME } from './engine/index.js';

/**
 * The `latchkey://` link the OS put among a launch's arguments (Windows and Linux start the app, or
 * a second instance, with the link as one argument; macOS sends 'open-url' instead).
 */
export function linkInArguments(argv: readonly string[]): string | null {
  return argv.find((argument) => argument.toLowerCase().startsWith(`${LINK_SCHEME}://`)) ?? null;
}
