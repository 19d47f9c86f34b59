import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { createTestContext, csrfFrom, loginAs, makeUser, PASSWORD, type TestContext } from './helpers/context';
import { captureLog } from './helpers/log-capture';

/**
 * What a person sees when a request carries something odd: a NUL character, a body that cannot
 * be read, a download they cut off. Never a 500, never an error in the log, always the site's or
 * the admin's own error page with a sentence saying what to do. Runs on SQLite and PostgreSQL
 * (PostgreSQL is the one that refuses a NUL in text).
 */

const NUL_MESSAGE = 'La requête contient un caractère nul, qui n’est pas accepté : retirez-le puis réessayez.';

let ctx: TestContext;
const captured = captureLog('info');

beforeAll(async () => {
  ctx = await createTestContext({}, { log: captured.log });
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});
afterEach(() => {
  expect(captured.errors()).toEqual([]);
  captured.lines.length = 0;
});

const count = async (table: string) => Number((await ctx.c.db(table).count({ n: '*' }).first())?.n ?? 0);

/** The error page in its layout, as a browser gets it. */
function expectErrorPage(res: request.Response, status: number, message: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain('<h1>Requête refusée</h1>');
  expect(res.text).toContain(message);
}

describe('a NUL character', () => {
  it.each(['/actualites/f%00te', '/recherche?q=f%00te', '/api/v1/articles?categorie=%00'])('in the address %s is refused with a 400', async (url) => {
    const res = await request(ctx.app).get(url).set('Accept', 'text/html');
    expect(res.status).toBe(400);
    if (url.startsWith('/api/')) expect(res.body).toEqual({ error: NUL_MESSAGE });
    else expectErrorPage(res, 400, NUL_MESSAGE);
  });

  it('in a login is refused with a 400, and nobody is logged in', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const agent = request.agent(ctx.app);
    const csrf = csrfFrom((await agent.get('/admin/login')).text);
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrf, email: `${user.email}\0`, password: PASSWORD });
    expectErrorPage(res, 400, NUL_MESSAGE);
    expect((await agent.get('/admin').redirects(0)).headers.location).toMatch(/^\/admin\/login/);
  });

  it('in an article is refused with a 400 and nothing is saved; the same article without it is saved', async () => {
    const editor = await loginAs(ctx, 'editor');
    const form = { _csrf: editor.csrf, title: 'Conseil municipal', summary: 'Ordre du jour', body: 'Séance publique\0 à 20 h.' };
    const before = await count('articles');
    const refused = await editor.agent.post('/admin/articles').type('form').send(form);
    expectErrorPage(refused, 400, NUL_MESSAGE);
    const asJson = await editor.agent.post('/admin/articles').set('Accept', 'application/json').send(form);
    expect(asJson.status).toBe(400);
    expect(asJson.body).toEqual({ error: NUL_MESSAGE });
    expect(await count('articles')).toBe(before);

    const saved = await editor.agent
      .post('/admin/articles')
      .type('form')
      .send({ ...form, body: 'Séance publique à 20 h.' });
    expect(saved.status).toBe(302);
    expect(await count('articles')).toBe(before + 1);
  });

  it('in the upload form’s description is refused with a 400 and no image is stored', async () => {
    const editor = await loginAs(ctx, 'editor');
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const before = await count('media');
    const res = await editor.agent.post('/admin/media').field('_csrf', editor.csrf).field('alt', 'La mairie\0').attach('file', jpeg, 'mairie.jpg');
    expect(res.status).toBe(400);
    expect(res.text).toContain(NUL_MESSAGE);
    expect(await count('media')).toBe(before);
  });
});

describe('a body that cannot be read', () => {
  const BODIES: [string, string, string | Buffer, number, string][] = [
    ['malformed JSON', 'application/json', '{"choix": "refuser", ', 400, 'La requête est mal formée.'],
    ['an unknown charset', 'application/x-www-form-urlencoded; charset=klingon', 'choix=refuser', 400, 'La requête est mal formée.'],
    ['a form over 1 MB', 'application/x-www-form-urlencoded', `choix=${'a'.repeat(1_100_000)}`, 413, 'Le formulaire envoyé est trop volumineux.'],
  ];

  it.each(BODIES)('gets the site’s error page on a public form: %s', async (_what, type, body, status, message) => {
    const res = await request(ctx.app).post('/mesure-audience').set('Accept', 'text/html').set('Content-Type', type).send(body);
    expectErrorPage(res, status, message);
    expect(res.text).toContain('href="/plan-du-site"'); // the public layout, not a bare page
  });

  // Every form a resident can send without logging in: the site's layout, whatever the form.
  it.each([
    '/lettre',
    '/lettre/confirmer/jeton',
    '/lettre/abonnement/jeton',
    '/lettre/abonnement/jeton/suivi',
    '/lettre/abonnement/jeton/supprimer',
    '/lettre/desabonner/jeton',
    '/lettre/reconfirmer/jeton',
    '/rapport-mensuel/ne-plus-recevoir/jeton',
  ])('gets the site’s error page on %s too', async (url) => {
    const res = await request(ctx.app).post(url).set('Accept', 'text/html').set('Content-Type', 'application/json').send('{"email": ');
    expectErrorPage(res, 400, 'La requête est mal formée.');
    expect(res.text).toContain('href="/plan-du-site"');
  });

  it.each(['/webhooks/newsletter/brevo', '/webhooks/newsletter/mailjet'])('gets a JSON refusal from the machine endpoint %s', async (url) => {
    const res = await request(ctx.app).post(url).set('Content-Type', 'application/json').send('{"event": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'La requête est mal formée.' });
  });

  it.each(BODIES)('gets the admin’s error page on an admin form: %s', async (_what, type, body, status, message) => {
    const editor = await loginAs(ctx, 'editor');
    const res = await editor.agent.post('/admin/articles').set('Accept', 'text/html').set('X-CSRF-Token', editor.csrf).set('Content-Type', type).send(body);
    expectErrorPage(res, status, message);
    expect(res.text).toContain('<a href="/admin">');
  });

  it.each(BODIES)('gets the error page on the login form: %s', async (_what, type, body, status, message) => {
    const res = await request(ctx.app).post('/admin/login').set('Accept', 'text/html').set('Content-Type', type).send(body);
    expectErrorPage(res, status, message);
  });
});

describe('a download cut off by the reader', () => {
  it('is not logged as an error', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const item = await ctx.c.media.ingest(jpeg, 'photo.jpg', { alt: 'Une photo' }, { id: null, label: 'test' });
    await ctx.c.media.whenReady(item.id);
    // The file grown to 32 MB, far more than the sockets' buffers hold: the server is still
    // sending when the reader leaves.
    const url = item.previewUrl ?? '';
    expect(url).toMatch(/^\/media\//);
    const file = path.join(ctx.dir, url.replace(/^\//, ''));
    fs.writeFileSync(file, Buffer.alloc(32 * 1024 * 1024, 0xff));

    const server = http.createServer(ctx.app).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const served = new Promise<void>((resolve) => server.once('request', (_req, res: http.ServerResponse) => res.once('close', () => resolve())));
    try {
      const received = await new Promise<number>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: url }, (res) => {
          res.once('data', (chunk: Buffer) => {
            req.destroy();
            resolve(chunk.length);
          });
        });
        req.on('error', (err) => ((err as { code?: string }).code === 'ECONNRESET' ? undefined : reject(err)));
      });
      expect(received).toBeLessThan(32 * 1024 * 1024);
      // The server sees the reader leave, then finishes its side; a request served after that
      // lets anything the abort set off reach the log before the log is checked.
      await served;
      expect((await request(server).get('/healthz')).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
