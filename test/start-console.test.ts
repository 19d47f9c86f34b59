import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shortLine } from '../server/log-format';
import { freePort, ROOT, startNode, waitForHttp } from './helpers/process';

/**
 * What a person sees in the terminal where they typed `npm start`, through a real pseudo-terminal
 * (util-linux's `script`): the start-up lines, then the address and the first password, then one
 * short line per request. The same program writing to a pipe logs JSON.
 */
const hasScript = fs.existsSync('/usr/bin/script');
const describeTty = hasScript ? describe : describe.skip;

/** Starts `npm start`'s entry point inside a pseudo-terminal, in its own process group. */
function startInTerminal(env: Record<string, string>) {
  const command = `${process.execPath} --import tsx server/main.ts`;
  const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    output: () => out.replace(/\r/g, ''),
    async waitFor(re: RegExp, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = re.exec(out.replace(/\r/g, ''));
        if (m) return m;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${re}:\n${out}`);
    },
    async stop() {
      // The group: `script` and the Crieur it started, nothing else.
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}

describeTty('the start-up console in a terminal', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-console-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints the address and the first password after the start-up lines, then one short line per request', async () => {
    const port = await freePort();
    const env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      SECRET_KEY: '',
      DATABASE_URL: '',
      CRIEUR_ADMIN_EMAIL: '',
      CRIEUR_ADMIN_PASSWORD: '',
      CRIEUR_DEMO: 'false',
      LOG_LEVEL: 'info',
      LOG_FORMAT: '',
    };
    const run = startInTerminal(env);
    try {
      const [, password] = await run.waitFor(/mot de passe : (\S+)/);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      await fetch(`http://127.0.0.1:${port}/admin/login`);
      await fetch(`http://127.0.0.1:${port}/admin/password/Secret-Token-That-Must-Not-Show-123`);
      await run.waitFor(/GET \/admin\/password\/\[hidden\] 410 \d+ ms/);
      const out = run.output();
      const lines = out.split('\n');
      const listening = lines.findIndex((l) => /^\d\d:\d\d:\d\d Crieur is listening port=\d+/.test(l));
      const ready = lines.findIndex((l) => l.includes(`Crieur est prêt : http://localhost:${port}/`));
      const pw = lines.findIndex((l) => l.includes(`mot de passe : ${password}`));
      const firstRequest = lines.findIndex((l) => /^\d\d:\d\d:\d\d GET \//.test(l));
      expect(listening).toBeGreaterThanOrEqual(0);
      // Address and password after every start-up line, before every request line.
      expect(ready).toBeGreaterThan(listening);
      expect(pw).toBeGreaterThan(ready);
      expect(firstRequest).toBeGreaterThan(pw);
      expect(lines.slice(pw + 1).join('\n')).toContain('Crieur vous demandera de le remplacer par le vôtre');
      // One short line per request, no JSON in a terminal.
      expect(out).toMatch(/^\d\d:\d\d:\d\d GET \/admin\/login 200 \d+ ms$/m);
      expect(out).toMatch(/^\d\d:\d\d:\d\d GET \/healthz 200 \d+ ms$/m);
      expect(out).not.toContain('{"level"');
      // The password only in the banner, and no token in a request line.
      expect(out.split(password!).length - 1).toBe(1);
      expect(out).not.toContain('Secret-Token-That-Must-Not-Show-123');
    } finally {
      await run.stop();
    }
  }, 120_000);

  it('logs requests as JSON lines when the output is not a terminal', async () => {
    const port = await freePort();
    const run = startNode('server/main.ts', {
      DATA_DIR: dataDir,
      PORT: String(port),
      SECRET_KEY: '',
      DATABASE_URL: '',
      CRIEUR_DEMO: 'false',
      LOG_LEVEL: 'info',
      LOG_FORMAT: '',
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      await fetch(`http://127.0.0.1:${port}/admin/login`);
      await run.waitForOutput(/"url":"\/admin\/login"/);
      const requestLine = run
        .output()
        .split('\n')
        .find((l) => l.includes('"url":"/admin/login"'))!;
      const record = JSON.parse(requestLine) as { req: { method: string; url: string }; res: { statusCode: number } };
      expect(record.req).toMatchObject({ method: 'GET', url: '/admin/login' });
      expect(record.res.statusCode).toBe(200);
      // The second start has no password to print, and says where to go.
      expect(run.output()).toContain(`Crieur est prêt : http://localhost:${port}/`);
      expect(run.output()).not.toContain('mot de passe :');
    } finally {
      expect(await run.stop()).toBe(0);
    }
  }, 120_000);
});

describe('the short line', () => {
  it('keeps what the JSON record holds, and nothing more', () => {
    const record = {
      level: 30,
      time: Date.UTC(2026, 2, 15, 9, 41, 7),
      req: { method: 'POST', url: '/admin/password/[hidden]', headers: { cookie: 'never' } },
      res: { statusCode: 302 },
      responseTime: 12.4,
    };
    expect(shortLine(JSON.stringify(record))).toBe('09:41:07 POST /admin/password/[hidden] 302 12 ms');
    const event = {
      level: 40,
      time: Date.UTC(2026, 2, 15, 9, 41, 8),
      module: 'outbox',
      msg: 'delivery failed',
      attempts: 3,
      err: { type: 'Error', message: 'ECONNREFUSED' },
    };
    expect(shortLine(JSON.stringify(event))).toBe('09:41:08 WARN [outbox] delivery failed attempts=3 — Error: ECONNREFUSED');
  });
});
