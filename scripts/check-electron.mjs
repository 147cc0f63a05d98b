#!/usr/bin/env node
// `npm run check:electron`: Electronegativity over the built app, offline. Fails on any HIGH or
// MEDIUM finding that docs/electronegativity-accepted.json does not accept with a written reason,
// on an accepted entry that no longer matches a finding (so the list never outlives the code), and
// on any file the tool could not parse (its checks would then be blind to that file, and its
// global checks would report protections as missing). LOW findings are listed, and may be
// recorded there too once reviewed; they never fail the check.
//
// What it scans is what ships: out/main, out/preload and out/renderer after `npm run build`,
// lowered to ES2019 first, because the tool's parser stops at class private fields (`#x`).
//
// It calls the tool's runner rather than its command line, which breaks on the newer commander
// this project installs (the package uses commander without declaring it). The options are the
// ones the shared recipe gives the command line: `-e <installed Electron>` and
// `-x AvailableSecurityFixesGlobalCheck` (that check downloads Electron's release list). The one
// other download it makes, fresh translations of its messages, is answered "offline", so every
// run is the same. The report goes to out/electronegativity.csv, written here from the runner's
// result: the tool's own CSV writer issues the header and the rows as two unordered async writes.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithEsbuild } from 'vite';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, 'out');
const ACCEPTED = join(ROOT, 'docs', 'electronegativity-accepted.json');
const REPORT = join(OUT, 'electronegativity.csv');
const GATING = new Set(['HIGH', 'MEDIUM']);

/** A reason to fail the check; the message is the whole report of it. */
class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

/** Copies the built app into `stage` as the tool can read it: ES2019 JavaScript with a .js name, and the HTML as it is. */
async function stageBuild(stage) {
  const parts = ['main', 'preload', 'renderer'];
  for (const part of parts) {
    const from = join(OUT, part);
    let files;
    try {
      files = readdirSync(from, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    } catch {
      fail(`${relative(ROOT, from)} is missing: run \`npm run build\` first.`);
    }
    for (const entry of files) {
      const source = join(entry.parentPath, entry.name);
      const inside = relative(OUT, source);
      if (/\.(c|m)?js$/.test(entry.name)) {
        const lowered = await transformWithEsbuild(readFileSync(source, 'utf8'), source, { loader: 'js', target: 'es2019' });
        write(join(stage, inside.replace(/\.(c|m)js$/, '.js')), lowered.code);
      } else if (/\.html?$/.test(entry.name)) {
        write(join(stage, inside), readFileSync(source, 'utf8'));
      }
    }
  }
}

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Loads the runner with its one network call (message translations) refused, and its chatter about that silenced. */
function offlineRunner() {
  const requireTool = createRequire(join(ROOT, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'runner.js'));
  const gotPath = createRequire(requireTool.resolve('./locales/i18n.js')).resolve('got');
  const offline = () => Promise.reject(new Error('check:electron runs offline'));
  requireTool.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: { __esModule: true, default: offline } };
  return requireTool('./runner.js');
}

const csvField = (value) => `"${String(value).replace(/"/g, '""')}"`;

/** The tool's CSV columns, plus whether it asks for a manual review. */
function writeReport(findings) {
  const header = 'issue,severity,confidence,manual_review,filename,location,sample,description';
  const rows = findings.map((f) =>
    [f.issue, f.severity, f.confidence, f.manualReview, f.filename, f.location, f.sample, f.description].map(csvField).join(','),
  );
  write(REPORT, `${[header, ...rows].join('\n')}\n`);
}

function readAccepted() {
  const entries = JSON.parse(readFileSync(ACCEPTED, 'utf8'));
  if (!Array.isArray(entries)) fail(`${relative(ROOT, ACCEPTED)} must hold a JSON array.`);
  for (const entry of entries) {
    for (const key of ['check', 'file', 'sample', 'reason']) {
      if (typeof entry[key] !== 'string' || entry[key].trim() === '')
        fail(`${relative(ROOT, ACCEPTED)}: every entry needs a non-empty "${key}" (${JSON.stringify(entry)}).`);
    }
  }
  return entries;
}

const describe = (finding) =>
  `${finding.issue} ${finding.severity}/${finding.confidence}${finding.manualReview ? ' review required' : ''} ${finding.filename}:${finding.location} ${finding.sample} (${finding.description})`;

async function check(stage) {
  const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const accepted = readAccepted();
  await stageBuild(stage);
  const run = offlineRunner();
  const log = console.log;
  console.log = () => {};
  let result;
  try {
    result = await run({
      input: stage,
      isSarif: false,
      customScan: [],
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      isRelative: true,
      isVerbose: false,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    });
  } finally {
    console.log = log;
  }

  const blind = result.errors.filter((error) => !error.tolerable);
  if (blind.length > 0) {
    fail(
      `Electronegativity could not parse ${blind.map((error) => `${relative(stage, error.file)} (${error.message})`).join(', ')}; its checks would miss that code.`,
    );
  }

  const findings = result.issues.map((issue) => ({
    issue: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    manualReview: issue.manualReview === true,
    filename: issue.file,
    location: `${issue.location.line}:${issue.location.column}`,
    sample: issue.sample ?? 'N/A',
    description: issue.description,
  }));
  writeReport(findings);
  const matches = (entry, finding) => entry.check === finding.issue && entry.file === finding.filename && entry.sample === finding.sample;
  const gating = findings.filter((finding) => GATING.has(finding.severity));
  const unaccepted = gating.filter((finding) => !accepted.some((entry) => matches(entry, finding)));
  const stale = accepted.filter((entry) => !findings.some((finding) => matches(entry, finding)));

  process.stdout.write(
    `Electronegativity (Electron ${electronVersion}): ${result.globalChecks + result.atomicChecks} checks over out/, ${findings.length} findings (report: ${relative(ROOT, REPORT)})\n`,
  );
  for (const finding of findings) {
    const entry = accepted.find((candidate) => matches(candidate, finding));
    const verdict = entry !== undefined ? 'accepted' : GATING.has(finding.severity) ? 'NOT ACCEPTED' : 'below the gate';
    process.stdout.write(`  [${verdict}] ${describe(finding)}\n`);
  }
  if (unaccepted.length > 0) {
    fail(
      `${unaccepted.length} HIGH or MEDIUM finding(s) without a reviewed entry in ${relative(ROOT, ACCEPTED)}: fix the code, or record why it is safe.`,
    );
  }
  if (stale.length > 0) {
    fail(
      `${relative(ROOT, ACCEPTED)} accepts what no longer occurs; remove: ${stale.map((entry) => `${entry.check} ${entry.file} ${entry.sample}`).join('; ')}`,
    );
  }
  process.stdout.write('check:electron: no unreviewed HIGH or MEDIUM finding.\n');
}

const stage = mkdtempSync(join(tmpdir(), 'latchkey-electronegativity-'));
try {
  await check(stage);
} catch (error) {
  if (!(error instanceof CheckFailed)) throw error;
  process.stderr.write(`check:electron: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(stage, { recursive: true, force: true });
}
