import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync, version as esbuildVersion } from 'esbuild';
import type { Logger } from '../logger';
import { PUBLIC_DIR } from '../http/assets';

const ROOT = path.join(__dirname, '..', '..');
const SOURCE_DIR = path.join(ROOT, 'client', 'visual-editor');
const ENTRY = path.join(SOURCE_DIR, 'index.ts');
/** Served as /static/build/visual-editor.js; the folder is generated, and ignored by git. */
export const BUNDLE_FILE = path.join(PUBLIC_DIR, 'build', 'visual-editor.js');
/** Bumped when the build options below change, so that an old bundle is rebuilt. */
const RECIPE = 'iife-es2020-min-1';

/**
 * What the bundle is made of: the editor's sources, the installed dependencies (their lock file)
 * and the bundler. The bundle's first line carries this fingerprint, so a start after
 * `git pull` or `npm install` rebuilds it, and any other start does nothing but read a few files.
 */
export function sourceFingerprint(): string {
  const hash = crypto.createHash('sha256').update(`${RECIPE}\0${esbuildVersion}\0`);
  for (const name of fs.readdirSync(SOURCE_DIR).sort()) {
    hash
      .update(`${name}\0`)
      .update(fs.readFileSync(path.join(SOURCE_DIR, name)))
      .update('\0');
  }
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

function banner(fingerprint: string): string {
  return `/* crieur visual editor ${fingerprint} */`;
}

function bundleFingerprintMatches(fingerprint: string): boolean {
  try {
    const fd = fs.openSync(BUNDLE_FILE, 'r');
    try {
      const head = Buffer.alloc(80);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      return head.subarray(0, n).toString('utf8').startsWith(banner(fingerprint));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Bundles the editor (Tiptap, ProseMirror, our code) into one file; returns its size in bytes. */
export function buildEditorBundle(fingerprint = sourceFingerprint()): number {
  const result = buildSync({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: banner(fingerprint) },
    // Tiptap and ProseMirror are MIT-licensed: their notices travel with the code.
    legalComments: 'eof',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no output');
  fs.mkdirSync(path.dirname(BUNDLE_FILE), { recursive: true });
  // Written aside then renamed: a page (or a parallel test process) never reads half a file.
  const tmp = `${BUNDLE_FILE}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, BUNDLE_FILE);
  return code.length;
}

let checked = false;

/**
 * Builds the visual editor's bundle when it is missing or out of date; called once per process
 * before the app serves anything, so that `npm install && npm start` (and a fresh clone's
 * `npm test`) need no separate build step. A failure leaves the admin usable: the text field is
 * then the plain Markdown textarea, as without JavaScript.
 */
export function ensureEditorBundle(log: Logger): void {
  if (checked) return;
  checked = true;
  try {
    const fingerprint = sourceFingerprint();
    if (bundleFingerprintMatches(fingerprint)) return;
    const started = performance.now();
    const bytes = buildEditorBundle(fingerprint);
    log.info({ bytes, ms: Math.round(performance.now() - started) }, 'visual editor bundle built');
  } catch (err) {
    log.warn({ err }, 'the visual editor could not be built: articles are written in Markdown until it is');
  }
}
