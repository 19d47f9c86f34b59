import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { createContainer, migrate } from '../../server/container';
import { loadDemoIfEmpty } from '../../server/demo/demo.service';
import { testDatabaseUrl } from './database';

const ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run crieur -- <args>`, as its own process, with `env` and nothing else of the test's environment (but PATH and HOME). */
export function crieur(env: Record<string, string>, args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/cli/cli.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/**
 * A data folder and a database holding the demo commune, as the first `npm start` leaves them,
 * for commands run on them; `env` is what a command needs to find them. `remove` drops both.
 */
export async function demoDataFolder(
  prefix: string,
  extraEnv: Record<string, string> = {},
): Promise<{ dir: string; env: Record<string, string>; remove(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const database = await testDatabaseUrl(dir);
  const env = {
    DATA_DIR: dir,
    DATABASE_URL: database.url,
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    CRIEUR_DEMO: 'false',
    LOG_LEVEL: 'silent',
    TZ: 'UTC',
    ...extraEnv,
  };
  const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    await migrate(c);
    await loadDemoIfEmpty(c);
    await c.media.idle();
  } finally {
    await c.close();
  }
  return {
    dir,
    env,
    async remove() {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
