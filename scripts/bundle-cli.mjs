#!/usr/bin/env node
// Bundles the CLI (run by `npm run build:cli` after tsc has built out/node).
//
// Loading the CLI as tsc leaves it, a few hundred small ES modules (the engine's and zod's), was
// most of a `latchkey whoami`: Node resolves, reads and compiles each one apart. The bundle
// replaces tsc's out/node/cli/index.js, the entry bin/latchkey.js and the tests start, with one
// small file that answers --version and loads the rest from one chunk (index.ts imports main.ts
// lazily, and esbuild keeps that split). Everything else tsc built stays as it is for the browser
// host, the test helpers and the scripts that import out/node/*.
//
// Left outside the bundle, to be found in node_modules at run time: the native modules (a .node
// file is found relative to its package), and the packages the engine loads only when a command
// needs them (the password dictionary, bcrypt, nodemailer, qrcode, libphonenumber-js), so they
// keep costing nothing until then.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const chunks = 'out/node/cli/bundle';

const external = [
  'better-sqlite3',
  'keytar',
  '@node-rs/argon2',
  '@zxcvbn-ts/language-common',
  'bcryptjs',
  'nodemailer',
  'qrcode',
  'libphonenumber-js',
];

/**
 * The native modules the CLI always loads are CommonJS. Imported, Node's ES module loader first
 * reads and lexes each package's source to guess its named exports; required, it just runs it.
 * So the bundle requires them, through the `require` its banner makes.
 */
const requireCommonJs = {
  name: 'require-common-js',
  setup(build) {
    build.onResolve({ filter: /^(better-sqlite3|keytar)$/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'require-common-js' } : { path: args.path, external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'require-common-js' }, (args) => ({
      contents: `export default require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

// A chunk's name carries its content's hash: without this, every build would leave the last one's behind.
rmSync(`${root}/${chunks}`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/cli/index.ts' },
  outdir: 'out/node/cli',
  chunkNames: 'bundle/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  minify: true,
  external: external.flatMap((name) => [name, `${name}/*`]),
  // commander is CommonJS: its require('node:events') and the like need a real require in an ES module.
  banner: {
    js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);",
  },
  plugins: [requireCommonJs],
  logLevel: 'warning',
});
