import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { csrfFrom } from './helpers/context';
import { testDatabaseUrl } from './helpers/database';
import { freePort, startNode, waitForHttp } from './helpers/process';

/**
 * "Publier maintenant" on a real `npm start`: the dispatcher's schedule is set to once a year, so
 * the article can only reach the site if publishing it wakes the dispatcher.
 */
describe('publishing now on a running Crieur', () => {
  it('puts the article on the site at once, without waiting for the dispatcher’s next tick', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-now-'));
    const database = await testDatabaseUrl(dir);
    const port = await freePort();
    const proc = startNode('server/main.ts', {
      DATA_DIR: dir,
      PORT: String(port),
      DATABASE_URL: database.url,
      SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
      CRIEUR_DEMO: 'false',
      CRIEUR_ADMIN_EMAIL: 'admin@commune.test',
      CRIEUR_ADMIN_PASSWORD: 'Correct-Horse-Battery-9',
      JOBS_DISPATCH_CRON: '0 0 3 1 1 *',
    });
    const base = `http://127.0.0.1:${port}`;
    // Bounded: without the wake, a page would only appear next 1st of January.
    const online = async (url: string) => {
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await request(base).get(url)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      return status;
    };
    try {
      await waitForHttp(`${base}/healthz`);
      const agent = request.agent(base);
      const login = await agent.get('/admin/login');
      await agent
        .post('/admin/login')
        .type('form')
        .send({ _csrf: csrfFrom(login.text), email: 'admin@commune.test', password: 'Correct-Horse-Battery-9' })
        .expect(302);
      const form = await agent.get('/admin/articles/new');
      const created = await agent
        .post('/admin/articles')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), title: 'Coupure d’eau rue des Lilas', summary: 'Jeudi matin.', body: 'Travaux sur le réseau.', publishAt: '' });
      expect(created.status).toBe(302);
      const id = /\/admin\/articles\/(\d+)\/edit/.exec(String(created.headers.location))![1];
      const edit = await agent.get(`/admin/articles/${id}/edit`);
      expect(
        (
          await agent
            .post(`/admin/articles/${id}/status`)
            .type('form')
            .send({ _csrf: csrfFrom(edit.text), to: 'published' })
        ).status,
      ).toBe(302);

      expect(await online('/actualites/coupure-d-eau-rue-des-lilas')).toBe(200);

      // The form's own "Publier maintenant" button, on a new article.
      const again = await agent.get('/admin/articles/new');
      const now = await agent
        .post('/admin/articles')
        .type('form')
        .send({ _csrf: csrfFrom(again.text), title: 'Marché de Noël', summary: 'Samedi.', body: 'Place de la mairie.', publishAt: '', intent: 'publish' });
      expect(now.status).toBe(302);
      expect(await online('/actualites/marche-de-noel')).toBe(200);
    } finally {
      expect(await proc.stop()).toBe(0);
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
