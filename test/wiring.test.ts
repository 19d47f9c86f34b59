import fs from 'node:fs';
import path from 'node:path';

/**
 * The wiring in one place (docs/architecture.md): repositories and services are built by the
 * container, domain events go through DomainEvents, and only the entry points know the top-level
 * jobs/ folder. Read from the sources, comments left out.
 */
const ROOT = path.join(__dirname, '..');
const SERVER = path.join(ROOT, 'server');
const ENTRY_POINTS = ['server/cli/cli.ts', 'server/jobs-main.ts', 'server/main.ts'];

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const sources = walk(SERVER).map((file) => ({
  file: rel(file),
  abs: file,
  code: fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, ''),
}));

describe('the wiring', () => {
  it('builds every repository and service in the container files only', () => {
    const found = sources
      .filter((s) => !/^server\/container(\.[a-z]+)?\.ts$/.test(s.file))
      .flatMap((s) => [...s.code.matchAll(/new ([A-Z]\w*(?:Repository|Service))\(/g)].map((m) => `${s.file}: new ${m[1]}`));
    expect(found).toEqual([]);
  });

  it('has one way to announce domain events (DomainEvents in server/events.ts)', () => {
    const found = sources.filter((s) => /\bEventEmitter\b|from 'node:events'|from 'events'/.test(s.code)).map((s) => s.file);
    expect(found).toEqual([]);
  });

  it('lets only the entry points import the top-level jobs/ folder', () => {
    const jobsDir = path.join(ROOT, 'jobs');
    const found = sources
      .filter((s) =>
        [...s.code.matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)].some((m) => {
          const target = path.resolve(path.dirname(s.abs), m[1] as string);
          return target === jobsDir || target.startsWith(jobsDir + path.sep);
        }),
      )
      .map((s) => s.file)
      .sort();
    expect(found).toEqual(ENTRY_POINTS);
  });
});
