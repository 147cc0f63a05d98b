import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { join } from 'node:path';
import { measure, type Sample } from './harness.js';

/**
 * Better Auth as a TypeScript developer would set it up: its SQLite adapter over the same
 * better-sqlite3 build, its migrations, an e-mail sign-up, then `getSession` with the real session
 * cookie and the cookie cache off, so every call reads the database as Latchkey's validate does.
 */
export async function betterAuthGetSession(dir: string): Promise<Sample> {
  const db = new Database(join(dir, 'better-auth.db'));
  db.pragma('journal_mode = WAL');
  const auth = betterAuth({
    database: db,
    secret: 'bench-secret-bench-secret-bench-secret-0123',
    baseURL: 'http://localhost:3000',
    emailAndPassword: { enabled: true },
    session: { cookieCache: { enabled: false } },
    logger: { disabled: true },
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const signedUp = await auth.api.signUpEmail({
    body: { email: 'alice@example.org', password: 'violet-harbour-lantern-92', name: 'Alice' },
    returnHeaders: true,
  });
  const cookie = signedUp.headers.get('set-cookie')?.split(';')[0];
  if (cookie === undefined) throw new Error('Better Auth set no session cookie');
  const headers = new Headers({ cookie });
  const sample = await measure('Better Auth getSession', async () => {
    if ((await auth.api.getSession({ headers })) === null) throw new Error('Better Auth found no session');
  });
  db.close();
  return sample;
}
