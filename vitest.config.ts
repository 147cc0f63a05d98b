import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Native addons (better-sqlite3, keytar, argon2) are safest in child processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
