/**
 * npm run bench:start — how long `npm start` takes to serve its first page: the very first start
 * on an empty data folder (migrations, demo commune, first admin), then ordinary restarts.
 * Measured from spawning `node --import tsx server/main.ts` (what `npm start` runs, without npm's
 * own ~0.3 s) to the first 200 answer of the home page.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
// The home page: what a resident asks for first, rendered from the database (news, agenda, settings).
const PAGE = '/';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function once(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error('no answer within 60 s');
      try {
        const res = await fetch(`http://127.0.0.1:${port}${PAGE}`);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-start-bench-'));
  try {
    const first = await once(dir);
    console.log(`first start (empty data folder, demo loaded): ${(first / 1000).toFixed(2)} s`);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await once(dir));
    runs.sort((a, b) => a - b);
    console.log(`restarts: ${runs.map((r) => (r / 1000).toFixed(2)).join(', ')} s`);
    console.log(`start: first page after ${(runs[2]! / 1000).toFixed(2)} s (median of 5 restarts; first start ${(first / 1000).toFixed(2)} s)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
