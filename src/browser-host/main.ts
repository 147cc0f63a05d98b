import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { latchkeyVersion } from '../cli/version.js';
import { toErrorInfo } from '../shared/errors.js';
import { keychainServiceFrom } from '../main/host/host-setup.js';
import { resolveVaultPath } from '../main/host/vault-location.js';
import { startBrowserHost } from './server.js';

/**
 * `npm run host`: the renderer in any browser, for end-to-end tests and for working on the screens.
 * Prints one line of JSON with the URL (it carries the per-run key), then serves until stopped.
 */
const options = z.object({
  vault: z.string().min(1).optional(),
  'keychain-service': z.string().min(1).max(100).optional(),
  port: z.coerce.number().int().min(0).max(65535).default(0),
  'test-mode': z.boolean().default(false),
});

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      vault: { type: 'string' },
      'keychain-service': { type: 'string' },
      port: { type: 'string' },
      'test-mode': { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = options.parse(values);
  const host = await startBrowserHost({
    vaultPath: resolveVaultPath(parsed.vault),
    keychainService: keychainServiceFrom(parsed['keychain-service']),
    rendererDir: fileURLToPath(new URL('../../renderer', import.meta.url)),
    version: latchkeyVersion(),
    port: parsed.port,
    testMode: parsed['test-mode'],
  });
  process.stdout.write(`${JSON.stringify({ url: host.url, origin: host.origin })}\n`);
  const stop = (): void => {
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run().catch((error: unknown) => {
  const info = toErrorInfo(error);
  process.stderr.write(
    `latchkey host: ${error instanceof z.ZodError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) ? (error as Error).message : info.message}\n`,
  );
  process.exit(1);
});
