import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { freePort, startNode, waitForHttp } from './helpers/process';
import { csrfFrom } from './helpers/context';

// The README's first command, as a newcomer runs it: start on an empty data folder, wait for
// /healthz, log in with the printed one-time password, stop; a second start keeps the data.
describe('npm start on an empty data folder', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function login(base: string, email: string, password: string) {
    const agent = request.agent(base);
    const page = await agent.get('/admin/login');
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), email, password });
    return { agent, res };
  }

  it('serves, prints a one-time admin password that logs in, stops on SIGTERM, and keeps the data on the next start', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), SECRET_KEY: '', CRIEUR_ADMIN_EMAIL: '', CRIEUR_ADMIN_PASSWORD: '', DATABASE_URL: '' };
    const first = startNode('server/main.ts', env);
    try {
      const [, email, password] = await first.waitForOutput(/e-mail\s+: (\S+)\s+mot de passe : (\S+)/);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const { agent, res } = await login(`http://127.0.0.1:${port}`, email!, password!);
      expect(res.status).toBe(302);
      const dash = await agent.get('/admin');
      expect(dash.text).toContain('Tableau de bord');
      expect(fs.existsSync(path.join(dataDir, 'crieur.sqlite'))).toBe(true);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = startNode('server/main.ts', env);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      expect(second.output()).not.toContain('mot de passe :');
      const [, email, password] = /e-mail\s+: (\S+)\s+mot de passe : (\S+)/.exec(first.output())!;
      const { res } = await login(`http://127.0.0.1:${port}`, email!, password!);
      expect(res.status).toBe(302);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);

  it('stops with a clear message for each wrong setting', async () => {
    const bad = startNode('server/main.ts', { DATA_DIR: dataDir, PORT: 'abc', TZ: 'Mars/Olympus', SMTP_URL: 'http://x' });
    const code = await new Promise<number | null>((r) => (bad.child.exitCode !== null ? r(bad.child.exitCode) : bad.child.on("exit", r)));
    expect(code).toBe(2);
    expect(bad.output()).toContain('PORT');
    expect(bad.output()).toContain('TZ is not a time zone name');
    expect(bad.output()).toContain('SMTP_URL must start with smtp:// or smtps://');
  }, 60_000);
});
