import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { freePort, startNode, waitForHttp } from './helpers/process';
import knexFactory from 'knex';
import { csrfFrom } from './helpers/context';
import { testDatabaseUrl } from './helpers/database';
import { loadConfig } from '../server/config';
import { knexConfig, migrateLatest } from '../server/db/knex';
import { isPostgres } from '../server/db/dialect';

const CHOSEN = 'Lune-Verte-Sur-Le-Toit-42!';

// The README's first command, as a newcomer runs it: start on an empty data folder, wait for
// /healthz, log in with the printed one-time password, stop; a second start keeps the data.
describe('npm start on an empty data folder', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function login(base: string, email: string, password: string) {
    const agent = request.agent(base);
    const page = await agent.get('/admin/login');
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email, password });
    return { agent, res };
  }

  it('serves, prints a one-time admin password that must be replaced at the first login, stops on SIGTERM, and keeps the data on the next start', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), SECRET_KEY: '', CRIEUR_ADMIN_EMAIL: '', CRIEUR_ADMIN_PASSWORD: '', DATABASE_URL: '' };
    const first = startNode('server/main.ts', env);
    try {
      const [, email, password] = await first.waitForOutput(/e-mail\s+: (\S+)\s+mot de passe : (\S+)/);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const { agent, res } = await login(`http://127.0.0.1:${port}`, email!, password!);
      expect(res.status).toBe(302);
      // The printed password opens only the page that replaces it.
      const forced = await agent.get('/admin').redirects(1);
      expect(forced.text).toContain('Choisissez votre mot de passe');
      await agent
        .post('/admin/account/new-password')
        .type('form')
        .send({ _csrf: csrfFrom(forced.text), displayName: 'Claire Martin', password: CHOSEN, confirm: CHOSEN })
        .expect(302);
      const dash = await agent.get('/admin');
      expect(dash.text).toContain('Tableau de bord');
      expect(dash.text).toContain('Claire Martin');
      expect(fs.existsSync(path.join(dataDir, 'crieur.sqlite'))).toBe(true);
    } finally {
      const code = await first.stop();
      if (code !== 0) console.log(first.output());
      expect(code).toBe(0);
    }

    const second = startNode('server/main.ts', env);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      expect(second.output()).not.toContain('mot de passe :');
      const [, email, printed] = /e-mail\s+: (\S+)\s+mot de passe : (\S+)/.exec(first.output())!;
      expect((await login(`http://127.0.0.1:${port}`, email!, printed!)).res.status).toBe(401);
      const { res } = await login(`http://127.0.0.1:${port}`, email!, CHOSEN);
      expect(res.status).toBe(302);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);

  it('stops on a refused CRIEUR_ADMIN_PASSWORD with one line naming the variable and the rule, without a stack trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-start-'));
    try {
      const bad = startNode('server/main.ts', {
        DATA_DIR: dir,
        PORT: String(await freePort()),
        DATABASE_URL: '',
        SECRET_KEY: '',
        CRIEUR_DEMO: 'false',
        CRIEUR_ADMIN_EMAIL: 'maire@commune.test',
        CRIEUR_ADMIN_PASSWORD: 'motdepasse',
      });
      const code = await new Promise<number | null>((r) => (bad.child.exitCode !== null ? r(bad.child.exitCode) : bad.child.on('exit', r)));
      expect(code).toBe(2);
      const lines = bad.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('CRIEUR_ADMIN_PASSWORD');
      expect(lines[0]).toContain('Au moins 12 caractères');
      expect(bad.output()).not.toMatch(/\bat .*\.ts:\d+/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('prints why it could not start, without the administrator’s password hash the database refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-start-'));
    const database = await testDatabaseUrl(dir);
    try {
      // The tables exist, and the database refuses any new account (a constraint added by hand, a
      // full disk…). PostgreSQL's refusal carries the refused row, hash included.
      const db = knexFactory(knexConfig(loadConfig({ DATA_DIR: dir, DATABASE_URL: database.url })));
      try {
        await migrateLatest(db);
        if (isPostgres(db)) await db.raw('alter table users add constraint accounts_frozen check (id < 0) not valid');
        else await db.raw("create trigger accounts_frozen before insert on users begin select raise(abort, 'accounts_frozen'); end");
      } finally {
        await db.destroy();
      }
      const failed = startNode('server/main.ts', {
        DATA_DIR: dir,
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
        CRIEUR_DEMO: 'false',
        CRIEUR_ADMIN_EMAIL: 'maire@commune.test',
        CRIEUR_ADMIN_PASSWORD: 'Correct-Horse-Battery-9',
        LOG_LEVEL: 'trace',
        LOG_FORMAT: 'json',
      });
      const code = await new Promise<number | null>((r) => (failed.child.exitCode !== null ? r(failed.child.exitCode) : failed.child.on('exit', r)));
      expect(code).toBe(1);
      expect(failed.output()).toContain('Crieur n’a pas pu démarrer');
      expect(failed.output()).toContain('accounts_frozen');
      expect(failed.output()).not.toContain('$argon2');
      expect(failed.output()).not.toContain('Correct-Horse-Battery-9');
    } finally {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('brings up two instances started at the same moment on an empty database, with one administrator and one demo', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-start-'));
    const database = await testDatabaseUrl(dir);
    const ports = [await freePort(), await freePort()];
    const env = (port: number) => ({
      DATA_DIR: dir,
      PORT: String(port),
      DATABASE_URL: database.url,
      SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
      CRIEUR_DEMO: 'true',
      CRIEUR_ADMIN_EMAIL: 'maire@commune.test',
      CRIEUR_ADMIN_PASSWORD: 'Correct-Horse-Battery-9',
      JOBS_ENABLED: 'false',
    });
    const both = ports.map((p) => startNode('server/main.ts', env(p)));
    try {
      await Promise.all(ports.map((p) => waitForHttp(`http://127.0.0.1:${p}/healthz`, 90_000))).catch((err: Error) => {
        throw new Error(`${err.message}\n--- first:\n${both[0]!.output()}\n--- second:\n${both[1]!.output()}`);
      });
      for (const p of ports) {
        const { res } = await login(`http://127.0.0.1:${p}`, 'maire@commune.test', 'Correct-Horse-Battery-9');
        expect(res.status).toBe(302);
      }
      const db = knexFactory(knexConfig(loadConfig({ DATA_DIR: dir, DATABASE_URL: database.url })));
      try {
        expect(Number((await db('users').where({ role: 'admin' }).count({ n: '*' }).first())?.n)).toBe(1);
        const demoSlugs = (await db('articles').select('slug')).map((r) => r.slug as string);
        expect(new Set(demoSlugs).size).toBe(demoSlugs.length);
        expect(demoSlugs.length).toBe(17);
      } finally {
        await db.destroy();
      }
      for (const b of both) expect(b.output()).not.toMatch(/n’a pas pu démarrer/);
    } finally {
      for (const b of both) expect(await b.stop()).toBe(0);
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('stops with a clear message for each wrong setting', async () => {
    const bad = startNode('server/main.ts', { DATA_DIR: dataDir, PORT: 'abc', TZ: 'Mars/Olympus', SMTP_URL: 'http://x' });
    const code = await new Promise<number | null>((r) => (bad.child.exitCode !== null ? r(bad.child.exitCode) : bad.child.on('exit', r)));
    expect(code).toBe(2);
    expect(bad.output()).toContain('PORT');
    expect(bad.output()).toContain('TZ is not a time zone name');
    expect(bad.output()).toContain('SMTP_URL must start with smtp:// or smtps://');
  }, 60_000);
});
