#!/usr/bin/env node
// Builds better-sqlite3 for the installed Electron into native/, apart from node_modules.
//
//   node scripts/build-electron-native.mjs              build it unless it is already there
//   node scripts/build-electron-native.mjs --print-path  print where the app looks for it
//
// node_modules/better-sqlite3 stays built for Node (tests, the CLI, the browser host); the app
// passes this file to better-sqlite3 as `nativeBinding` (src/main/native-binding.ts names the same
// folder). So `npm test` and `npm start` work in any order, with no rebuild in between.
//
// It runs from `postinstall` and `prestart`, and must never fail either: without internet it
// prints one warning and exits 0. The CLI and the tests do not need what it builds.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const NATIVE = join(ROOT, 'native');
const LOG = join(NATIVE, 'build.log');
const ELECTRON_HEADERS = 'https://electronjs.org/headers';
const MINUTE = 60_000;

function installedVersion(name) {
  const file = join(ROOT, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

/** Same name as nativeBuildFolder() in src/main/native-binding.ts; a test keeps the two equal. */
function targetFile(sqliteVersion, electronVersion) {
  const folder = `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${process.platform}-${process.arch}`;
  return join(NATIVE, folder, 'better_sqlite3.node');
}

function warn(lines) {
  process.stderr.write(`\nlatchkey: warning: ${lines.join('\n  ')}\n\n`);
}

/**
 * The environment for the child builds. npm passes its config on as npm_config_* variables, and a
 * `nodedir` (set on this kind of machine so Node builds work offline) or a `target` meant for Node
 * would make node-gyp compile against Node's headers: a binary Electron refuses to load.
 */
function buildEnvironment() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(name)) delete env[name];
  }
  return env;
}

/** npm's own node-gyp: the one npm runs for every native install, so it is always there. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => candidate && existsSync(candidate)) ?? null;
}

/** Runs one attempt in the scratch copy; its output goes to the log, and a failure comes back as one line. */
function attempt(label, args, cwd, timeout, log) {
  const run = spawnSync(process.execPath, args, { cwd, env: buildEnvironment(), encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  log.push(`$ ${label}`, run.stdout ?? '', run.stderr ?? '');
  if (run.status === 0) return null;
  if (run.error) return run.error.code === 'ETIMEDOUT' ? `timed out after ${timeout / MINUTE} min` : run.error.message;
  return failureReason(`${run.stdout ?? ''}\n${run.stderr ?? ''}`, run.status);
}

/** The line of a tool's output that says why it failed, without the tool's prefixes. */
function failureReason(output, status) {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/^(prebuild-install|gyp) (info|warn|WARN|ERR!)( install| stack)? /, '').trim())
    .filter(Boolean);
  const network = lines.find((line) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network connectivity/i.test(line));
  const download = lines.map((line) => /\bGET (https?:\/\/\S+)/.exec(line)?.[1]).findLast(Boolean);
  const reason =
    network !== undefined
      ? download !== undefined
        ? `could not download ${download}`
        : network
      : (lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? `exit status ${status}`);
  return reason.length > 160 ? `${reason.slice(0, 157)}...` : reason;
}

/** Keeps one build: an older one would only be packaged along and never loaded. */
function pruneOthers(keep) {
  for (const entry of readdirSync(NATIVE, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith('better-sqlite3-') && join(NATIVE, entry.name) !== keep) {
      rmSync(join(NATIVE, entry.name), { recursive: true, force: true });
    }
  }
}

function build() {
  const electronVersion = installedVersion('electron');
  const sqliteVersion = installedVersion('better-sqlite3');
  if (electronVersion === null || sqliteVersion === null) {
    warn([
      `${electronVersion === null ? 'electron' : 'better-sqlite3'} is not installed, so the desktop app's database driver was not built.`,
      'Run `npm install` first.',
    ]);
    return;
  }
  const target = targetFile(sqliteVersion, electronVersion);
  if (process.argv.includes('--print-path')) {
    process.stdout.write(`${target}\n`);
    return;
  }
  if (existsSync(target)) return;

  const platform = `${process.platform}-${process.arch}`;
  const scratch = mkdtempSync(join(tmpdir(), 'latchkey-native-'));
  const log = [];
  try {
    // A copy, so node_modules/better-sqlite3 keeps its Node build whatever happens here.
    const source = join(ROOT, 'node_modules', 'better-sqlite3');
    const copy = join(scratch, 'better-sqlite3');
    cpSync(source, copy, {
      recursive: true,
      filter: (path) => {
        const inside = relative(source, path);
        return !(
          inside === 'build' ||
          inside.startsWith(`build${sep}`) ||
          inside === 'node_modules' ||
          inside.startsWith(`node_modules${sep}`)
        );
      },
    });
    const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
    const reasons = [];

    // better-sqlite3's own dependency: npm hoists it, but may nest it under the package.
    const prebuildInstall = [join(source, 'node_modules'), join(ROOT, 'node_modules')]
      .map((folder) => join(folder, 'prebuild-install', 'bin.js'))
      .find((file) => existsSync(file));
    if (prebuildInstall !== undefined) {
      const args = [
        prebuildInstall,
        '--runtime',
        'electron',
        '--target',
        electronVersion,
        '--arch',
        process.arch,
        '--platform',
        process.platform,
      ];
      const failed = attempt('prebuild-install', args, copy, 2 * MINUTE, log);
      if (failed !== null) reasons.push(`no prebuilt binary (prebuild-install: ${failed})`);
    } else {
      reasons.push('no prebuilt binary (prebuild-install is not installed)');
    }

    if (!existsSync(built)) {
      const nodeGyp = findNodeGyp();
      if (nodeGyp === null) {
        reasons.push('no compiler run (node-gyp was not found: it comes with npm)');
      } else {
        const args = [
          nodeGyp,
          'rebuild',
          '--release',
          `--target=${electronVersion}`,
          `--arch=${process.arch}`,
          `--dist-url=${ELECTRON_HEADERS}`,
          // Electron's headers kept apart from Node's, as @electron/rebuild does.
          `--devdir=${join(homedir(), '.electron-gyp')}`,
        ];
        const failed = attempt('node-gyp', args, copy, 15 * MINUTE, log);
        if (failed !== null) reasons.push(`no build from source against Electron's headers (node-gyp: ${failed})`);
      }
    }

    mkdirSync(NATIVE, { recursive: true });
    writeFileSync(LOG, log.join('\n'));
    if (!existsSync(built)) {
      warn([
        `the desktop app's database driver (better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}, ${platform}) was not built:`,
        ...reasons.map((reason) => `- ${reason}`),
        'The CLI and `npm test` do not need it; the app does. With internet access, run `npm run build:native`',
        `(compiling needs Python, make and a C++ compiler). Full output: ${relative(ROOT, LOG)}`,
      ]);
      return;
    }
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built, `${target}.partial`);
    renameSync(`${target}.partial`, target);
    pruneOthers(dirname(target));
    process.stdout.write(
      `latchkey: built better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${platform}): ${relative(ROOT, target)}\n`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  build();
} catch (error) {
  warn([
    `building the desktop app's database driver failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    'The CLI and `npm test` do not need it. Run `npm run build:native` to try again.',
  ]);
}
