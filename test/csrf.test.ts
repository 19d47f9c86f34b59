import crypto from 'node:crypto';
import sharp from 'sharp';
import type { Test } from 'supertest';
import { createTestContext, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { collectRoutes, type RouteInfo } from './helpers/routes';
import { isPostgres } from '../server/db/dialect';
import { CURRENT_SUBSCRIBE_WORDING } from '../server/newsletter/consent';

/**
 * A page on another site can make a logged-in officer's browser POST to Crieur in any of the
 * encodings a form or fetch() can produce. Without the session's token, every state-changing
 * admin route must answer 403 and change nothing, whatever the encoding. Outside /admin there is
 * no session, hence no session token: each state-changing public route has its own proof, named
 * below, and a forged request without it changes nothing either.
 */
let ctx: TestContext;
let ids: Record<string, string>;
let jpeg: Buffer;

beforeAll(async () => {
  // With a webhook secret, so that the webhooks check it rather than refuse every call outright.
  ctx = await createTestContext({ NEWSLETTER_WEBHOOK_SECRET: 'webhook-secret-of-the-commune-0123' });
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

// Tables a refused request may still touch: the rolling session, and knex's own bookkeeping.
const UNWATCHED = new Set(['sessions', 'knex_migrations', 'knex_migrations_lock']);

/**
 * Every table's rows, hashed, found in the database rather than listed by hand: a table added
 * tomorrow (a newsletter's campaigns, a page's menu, a network's settings) is watched too.
 */
async function databaseDigest(): Promise<string> {
  const db = ctx.c.db;
  const names: string[] = isPostgres(db)
    ? (await db.raw('select tablename as name from pg_tables where schemaname = current_schema()')).rows.map((r: { name: string }) => r.name)
    : (await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")).map((r: { name: string }) => r.name);
  const tables = names.filter((t) => !UNWATCHED.has(t)).sort();
  expect(tables).toEqual(
    expect.arrayContaining(['users', 'articles', 'pages', 'subscribers', 'campaigns', 'menu_items', 'channel_accounts', 'stats_report_optouts']),
  );
  const hash = crypto.createHash('sha256');
  for (const t of tables) {
    hash.update(t + JSON.stringify(await db(t).select('*').orderBy(1)));
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
  // A bare fetch(url, { method: 'POST' }) or a form with no field: no body, no content type.
  'no body': (t) => t,
};

// The state-changing routes outside /admin, and what proves that a request may change something.
// A route added there must be listed with its proof, or this test fails.
const PUBLIC_POSTS: Record<string, string> = {
  'POST /lettre': 'the browser says it comes from this site (Origin, Sec-Fetch-Site); double opt-in',
  'POST /lettre/confirmer/:token': 'signed link',
  'POST /lettre/abonnement/:token': 'signed link',
  'POST /lettre/abonnement/:token/suivi': 'signed link',
  'POST /lettre/abonnement/:token/supprimer': 'signed link',
  'POST /lettre/desabonner/:token': 'signed link (RFC 8058 one-click, from mail software)',
  'POST /lettre/reconfirmer/:token': 'signed link',
  'POST /rapport-mensuel/ne-plus-recevoir/:token': 'signed link (RFC 8058 one-click, from mail software)',
  'POST /mesure-audience': 'signed form token',
  'POST /webhooks/newsletter/brevo': 'the webhook secret',
  'POST /webhooks/newsletter/mailjet': 'the webhook secret',
};

/** A public route's address with tokens that look right, name a real subscriber or account, and are forged. */
function fillPublic(route: RouteInfo): string {
  const mac = 'A'.repeat(22);
  const issued = Math.floor(ctx.clock.now().getTime() / 1000).toString(36);
  const subscriber = Number(ids.id).toString(36);
  const timed = /confirmer|reconfirmer/.test(route.path);
  const token = route.path.startsWith('/rapport-mensuel/')
    ? `${Number(ids.userId).toString(36)}.${issued}.${mac}`
    : timed
      ? `${subscriber}.${issued}.${mac}`
      : `${subscriber}.${mac}`;
  return route.path.replace(':token', token);
}

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

  it('knows what proves each public POST, and refuses every forged one, in every body encoding, with a 4xx and no change', async () => {
    const routes = collectRoutes(ctx.app).filter((r) => !r.path.startsWith('/admin') && r.method !== 'GET' && r.method !== 'HEAD');
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(PUBLIC_POSTS).sort());
    // A logged-in officer's browser, sent by a page on another site: the session must not help.
    const { agent } = await loginAs(ctx, 'admin');
    const before = await databaseDigest();
    const problems: string[] = [];
    for (const r of routes) {
      for (const [name, encode] of Object.entries(ENCODINGS)) {
        const res = await encode(agent.post(fillPublic(r)).set({ Origin: 'https://site-hostile.example', 'Sec-Fetch-Site': 'cross-site' }).redirects(0));
        if (res.status < 400 || res.status >= 500) problems.push(`${r.method} ${r.path} as ${name} → ${res.status}`);
      }
    }
    // The subscription form filled in as a resident would, but sent from another site.
    const subscribe = await agent
      .post('/lettre')
      .set({ Origin: 'https://site-hostile.example', 'Sec-Fetch-Site': 'cross-site' })
      .type('form')
      .send({ email: 'victime@exemple.fr', consent: 'oui', wording: CURRENT_SUBSCRIBE_WORDING, website: '' });
    if (subscribe.status !== 403) problems.push(`POST /lettre filled in → ${subscribe.status}`);
    expect(problems).toEqual([]);
    expect(await databaseDigest()).toBe(before);
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
