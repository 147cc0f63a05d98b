import { latchkeyVersion } from './version.js';

// `latchkey --version` answers before the engine and every command are loaded, which is most of a run's time.
const [only, ...rest] = process.argv.slice(2);
if (rest.length === 0 && (only === '--version' || only === '-V')) {
  process.stdout.write(`${latchkeyVersion()}\n`);
} else {
  const { main } = await import('./main.js');
  await main();
}
