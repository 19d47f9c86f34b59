import crypto from 'node:crypto';
import sharp from 'sharp';
import type { Test } from 'supertest';
import { createTestContext, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { collectRoutes, type RouteInfo } from './helpers/routes';

/**
 * A page on another site can make a logged-in officer's browser POST to Crieur in any of the
 * encodings a form or fetch() can produce. Without the session's token, every state-changing
 * admin route must answer 403 and change nothing, whatever the encoding.
 */
let ctx: TestContext;
let ids: Record<string, string>;
let jpeg: Buffer;

beforeAll(async () => {
  ctx = await createTestContext();
  const account = await makeTestAccount(ctx.c);
  const article = await makeArticle(ctx.c, { status: 'draft' });
  const publication = await makePublication(ctx.c, article, account, ctx.clock.now());
  jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .jpeg()
    .toBuffer();
  const media = await ctx.c.media.ingest(jpeg, 'photo.jpg', { alt: 'Une photo' }, { id: null, label: 'test' });
  await ctx.c.media.whenReady(media.id);
  const user = await makeUser(ctx.c, 'editor');
  // A subscriber whose number is the one the routes are called with: a forged erasure must leave it.
  await ctx.c
    .db('subscribers')
    .insert({ id: article, email: 'abonne@exemple.fr', status: 'confirmed', source: 'form', created_at: ctx.clock.now().toISOString() });
  ids = {
    id: String(article),
    articleId: String(article),
    mediaId: String(media.id),
    userId: String(user.id),
    publicationId: String(publication),
    token: 'not-a-token',
    n: '1',
    version: '1',
  };
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

function fill(route: RouteInfo): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'id') {
      if (route.path.startsWith('/admin/media')) return ids.mediaId!;
      if (route.path.startsWith('/admin/users')) return ids.userId!;
      if (route.path.startsWith('/admin/publications')) return ids.publicationId!;
    }
    return ids[name] ?? '1';
  });
}

/** Every table's rows, hashed; sessions aside (a rolling session is touched by every request). */
async function databaseDigest(): Promise<string> {
  const tables = [
    'users',
    'user_tokens',
    'audit_log',
    'settings',
    'outbox',
    'categories',
    'media',
    'media_variants',
    'articles',
    'article_versions',
    'article_redirects',
    'publications',
    'channel_accounts',
    'login_throttle',
    'job_runs',
    'subscribers',
    'subscriber_topics',
    'subscriber_consents',
    'newsletter_suppressions',
  ];
  const hash = crypto.createHash('sha256');
  for (const t of tables) {
    hash.update(t + JSON.stringify(await ctx.c.db(t).select('*').orderBy(1)));
  }
  return hash.digest('hex');
}

// What a hostile page can send: a form (urlencoded or multipart, with or without a file), JSON
// through fetch(), and text/plain (the one encoding a form sends that Express does not parse).
const ENCODINGS: Record<string, (t: Test) => Test> = {
  urlencoded: (t) => t.type('form').send({ status: 'published', role: 'admin', title: 'Piraté', disabled: '1' }),
  json: (t) => t.set('Content-Type', 'application/json').send(JSON.stringify({ status: 'published', role: 'admin', title: 'Piraté' })),
  multipart: (t) => t.field('status', 'published').field('role', 'admin').field('title', 'Piraté'),
  'multipart with a file': (t) => t.field('alt', 'Une photo').attach('file', jpeg, 'photo.jpg'),
  'text/plain': (t) => t.set('Content-Type', 'text/plain').send('status=published&role=admin'),
};

describe('CSRF on every state-changing admin request', () => {
  it('refuses every POST without the token, in every body encoding, with 403 and no change', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const routes = collectRoutes(ctx.app).filter((r) => r.path.startsWith('/admin') && r.method !== 'GET');
    expect(routes.length).toBeGreaterThan(20);
    const before = await databaseDigest();
    const problems: string[] = [];
    for (const r of routes) {
      for (const [name, encode] of Object.entries(ENCODINGS)) {
        const method = r.method.toLowerCase() as 'post' | 'put' | 'delete' | 'patch';
        const res = await encode(agent[method](fill(r)).redirects(0));
        if (res.status !== 403) problems.push(`${r.method} ${r.path} as ${name} → ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await databaseDigest()).toBe(before);
    // Logging out is a state change too: the session survived every forged logout.
    expect((await agent.get('/admin').redirects(0)).status).toBe(200);
  }, 120_000);

  it('accepts a multipart form that carries its token, and an upload whose token comes with the file', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const target = await makeArticle(ctx.c, { status: 'draft', title: 'À supprimer' });
    const del = await agent.post(`/admin/articles/${target}/delete`).field('_csrf', csrf).redirects(0);
    expect(del.status).toBe(302);
    expect(await ctx.c.db('articles').where({ id: target }).first()).toBeUndefined();

    const upload = await agent
      .post('/admin/media')
      .set('Accept', 'application/json')
      .field('_csrf', csrf)
      .field('alt', 'Une photo')
      .attach('file', jpeg, 'photo.jpg');
    expect(upload.status).toBe(201);
    await ctx.c.media.whenReady((upload.body as { id: number }).id);
  });
});
