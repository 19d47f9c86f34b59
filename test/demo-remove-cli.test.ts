import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate } from '../server/container';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import { testDatabaseUrl } from './helpers/database';

/**
 * `npm run crieur -- demo:remove`: the demo commune's removal from a terminal, the same code as
 * the admin's button (test/demo-removal.test.ts covers what goes and what stays).
 */
const ROOT = path.join(__dirname, '..');
let dir: string;
let env: Record<string, string>;
let drop: () => Promise<void>;

function crieur(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/cli/cli.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

async function counts(): Promise<{ articles: number; demo: boolean; items: number }> {
  const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    const items = Number(((await c.db('demo_items').count({ n: '*' }).first()) as { n: unknown }).n);
    return { articles: await c.articles.count(), demo: await c.engagement.hasDemo(), items };
  } finally {
    await c.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-demo-cli-'));
  const database = await testDatabaseUrl(dir);
  drop = database.drop;
  env = {
    DATA_DIR: dir,
    DATABASE_URL: database.url,
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    CRIEUR_DEMO: 'false',
    LOG_LEVEL: 'silent',
    TZ: 'UTC',
  };
  const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    await migrate(c);
    await loadDemoIfEmpty(c);
    await c.media.idle();
  } finally {
    await c.close();
  }
}, 180_000);
afterAll(async () => {
  await drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('demo:remove', () => {
  it('removes the demo commune and says what went; run again, it finds nothing', async () => {
    expect(await counts()).toEqual({ articles: 17, demo: true, items: 41 });
    const run = await crieur(['demo:remove']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Commune de démonstration retirée : 17 article\(s\), 7 page\(s\), 17 image\(s\), \d{3,} ligne\(s\) de chiffres\.\n$/);
    expect(await counts()).toEqual({ articles: 0, demo: false, items: 0 });

    const again = await crieur(['demo:remove']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Il n’y avait plus de données de démonstration : rien n’a été retiré.\n');
  }, 240_000);
});
