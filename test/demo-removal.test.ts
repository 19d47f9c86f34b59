import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { officer, publishArticle } from './helpers/site-data';
import { addEvents } from './helpers/engagement-events';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import type { Article } from '../server/articles/articles.types';
import * as demoItemsMigration from '../server/db/migrations/20261203070000_demo_items';

/**
 * A commune going live removes the demo commune from the admin: administrators see a banner and a
 * page with what goes and what stays, confirm, and the public site no longer shows the demo's
 * news while the commune's own article, page and picture stay.
 */
let ctx: TestContext;
let demoArticles: Article[];
let own: Article;
let ownPageId: number;
let sharedImage: number;

const count = async (table: string) => Number(((await ctx.c.db(table).count({ n: '*' }).first()) as { n: unknown }).n);
const site = (url: string) => request(ctx.handler).get(url);

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
  expect(await loadDemoIfEmpty(ctx.c)).toBe(true);
  await ctx.c.media.idle();
  demoArticles = (await ctx.c.articles.list({ limit: 100, offset: 0 })).rows as Article[];
  // The commune's own work, written while the demo was there: an article that reuses a demo
  // picture, and a page under a demo page.
  sharedImage = demoArticles[0]!.heroMediaId!;
  own = await publishArticle(ctx.c, { title: 'Ouverture de la nouvelle médiathèque', heroMediaId: sharedImage, heroAlt: 'La façade de la médiathèque' });
  const mairie = (await ctx.c.pages.all()).find((p) => p.path === '/la-mairie')!;
  ownPageId = (
    await ctx.c.pages.create(
      { title: 'Le marché du samedi', slug: '', parentId: mairie.id, summary: '', bodyMd: 'Place de l’église.', status: 'published' },
      officer,
    )
  ).id;
  // A real figure about the commune's own article, beside the demo's invented ones.
  await addEvents(ctx.c, [{ at: '2026-11-21T10:00:00Z', channel: 'site', kind: 'view', articleId: own.id, source: 'direct', value: 7 }]);
}, 240_000);
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

describe('removing the demo commune from the admin', () => {
  it('finds the same list of demo rows in a database that loaded the demo before the list existed', async () => {
    const list = async () => (await ctx.c.db('demo_items').orderBy(['kind', 'item_id']).select('kind', 'item_id')).map((r) => `${r.kind}:${Number(r.item_id)}`);
    const recorded = await list();
    expect(recorded.filter((k) => k.startsWith('article:'))).toHaveLength(demoArticles.length);
    expect(recorded).not.toContain(`article:${own.id}`);
    expect(recorded).not.toContain(`page:${ownPageId}`);
    await demoItemsMigration.down(ctx.c.db);
    await demoItemsMigration.up(ctx.c.db);
    expect(await list()).toEqual(recorded);
  });

  it('tells an administrator, on every admin page, that the demo is there and links to its removal page with counts', async () => {
    const admin = await loginAs(ctx, 'admin');
    const home = await admin.agent.get('/admin/articles');
    expect(home.text).toContain('Ce site contient encore les données de la commune de démonstration');
    expect(home.text).toContain('href="/admin/settings/demo"');
    expect((await admin.agent.get('/admin/settings')).text).toContain('href="/admin/settings/demo"');
    // The dashboard's and the audience page's notices about the demo's figures link to it too.
    expect((await admin.agent.get('/admin')).text).toContain(
      '<a href="/admin/settings/demo">Retirer toute la démonstration (articles, pages, images et chiffres)</a>',
    );
    expect((await admin.agent.get('/admin/audience')).text).toContain('<a href="/admin/settings/demo">Retirer toute la démonstration');

    const page = await admin.agent.get('/admin/settings/demo');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Articles de démonstration : ${demoArticles.length}, dont`);
    expect(page.text).toContain('Pages de démonstration : 7,');
    expect(page.text).toContain(`Images de démonstration : ${demoArticles.length},`);
    expect(page.text).toMatch(/Chiffres de démonstration : \d{3,} lignes/);
    expect(page.text).toContain('Ce que la commune a créé elle-même : articles 1, pages 4');
    expect(page.text).toContain('Article : ' + demoArticles[0]!.title.replace(/'/g, '&#39;'));
    expect(page.text).toMatch(/<input type="checkbox" id="confirm" name="confirm" value="oui" required/);
    expect(page.text).toContain('<label for="confirm">Je confirme le retrait des données de démonstration</label>');
  });

  it('shows an editor neither the banner nor the page, and refuses their POST with 403', async () => {
    const editor = await loginAs(ctx, 'editor');
    expect((await editor.agent.get('/admin/articles')).text).not.toContain('commune de démonstration');
    expect((await editor.agent.get('/admin/audience')).text).not.toContain('/admin/settings/demo');
    expect((await editor.agent.get('/admin/settings/demo')).status).toBe(403);
    const post = await editor.agent.post('/admin/settings/demo').type('form').send({ _csrf: editor.csrf, confirm: 'oui' });
    expect(post.status).toBe(403);
    expect(await ctx.c.articles.count()).toBe(demoArticles.length + 1);
  });

  it('refuses a POST without the session’s token with 403 and removes nothing', async () => {
    const admin = await loginAs(ctx, 'admin');
    const forged = await admin.agent.post('/admin/settings/demo').type('form').send({ _csrf: 'forged-token', confirm: 'oui' });
    expect(forged.status).toBe(403);
    const none = await admin.agent.post('/admin/settings/demo').type('form').send({ confirm: 'oui' });
    expect(none.status).toBe(403);
    expect(await ctx.c.articles.count()).toBe(demoArticles.length + 1);
    expect(await ctx.c.engagement.hasDemo()).toBe(true);
  });

  it('asks for the confirmation box again, with a 400 and nothing removed, when it is not ticked', async () => {
    const admin = await loginAs(ctx, 'admin');
    const res = await admin.agent.post('/admin/settings/demo').type('form').send({ _csrf: admin.csrf });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cochez la case pour confirmer le retrait des données de démonstration.');
    expect(await ctx.c.articles.count()).toBe(demoArticles.length + 1);
  });

  it('leaves the demo whole when the removal fails half-way', async () => {
    const before = { articles: await count('articles'), pages: await count('pages'), media: await count('media'), items: await count('demo_items') };
    const spy = jest.spyOn(ctx.c.engagement, 'removeDemo').mockRejectedValueOnce(new Error('disk full'));
    try {
      await expect(ctx.c.demoRemoval.remove(officer)).rejects.toThrow('disk full');
    } finally {
      spy.mockRestore();
    }
    expect({ articles: await count('articles'), pages: await count('pages'), media: await count('media'), items: await count('demo_items') }).toEqual(before);
    expect((await site(`/actualites/${demoArticles.find((a) => a.status === 'published' && a.publishAt! <= ctx.clock.now())!.slug}`)).status).toBe(200);
    expect(fs.existsSync(path.join(ctx.dir, 'media', String(demoArticles[1]!.heroMediaId)))).toBe(true);
  });

  it('removes the demo once confirmed: its news leave the public site, the commune’s own article, page, picture and figures stay', async () => {
    const online = demoArticles.filter((a) => a.status === 'published' && a.publishAt! <= ctx.clock.now());
    expect(online.length).toBeGreaterThan(3);
    // Seen through the page cache first, so that the test also proves the cache forgets them.
    const listed = (await site('/actualites')).text;
    expect(online.filter((a) => listed.includes(a.title.replace(/'/g, '&#39;'))).length).toBeGreaterThan(2);
    expect((await site(`/actualites/${online[0]!.slug}`)).status).toBe(200);

    const admin = await loginAs(ctx, 'admin');
    const res = await admin.agent.post('/admin/settings/demo').type('form').send({ _csrf: admin.csrf, confirm: 'oui' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/settings/demo');
    const after = await admin.agent.get('/admin/settings/demo');
    expect(after.text).toMatch(
      new RegExp(
        `Données de démonstration retirées : articles ${demoArticles.length}, pages 7, images ${demoArticles.length - 1}, lignes de chiffres \\d{3,}\\.`,
      ),
    );
    expect(after.text).toContain('Images de démonstration gardées parce que le contenu de la commune ou son logo les montre : 1.');
    expect(after.text).toContain('Le site ne contient plus de données de démonstration');
    expect((await admin.agent.get('/admin/articles')).text).not.toContain('Ce site contient encore les données de la commune de démonstration');

    for (const a of online) expect([a.slug, (await site(`/actualites/${a.slug}`)).status]).toEqual([a.slug, 404]);
    const news = await site('/actualites');
    for (const a of online) expect(news.text).not.toContain(a.title.replace(/'/g, '&#39;'));
    expect(news.text).toContain('Ouverture de la nouvelle médiathèque');
    expect((await site(`/actualites/${own.slug}`)).status).toBe(200);
    expect((await site('/la-mairie')).status).toBe(404);
    // The commune's page under the demo's "La mairie" moved up, and its old address leads to it.
    const moved = (await ctx.c.pages.get(ownPageId))!;
    expect(moved.path).toBe('/le-marche-du-samedi');
    expect((await site('/le-marche-du-samedi')).text).toContain('Place de l’église.');
    expect((await site('/la-mairie/le-marche-du-samedi').redirects(0)).status).toBe(301);
    // The demo's pages left the main menu; the program's own entries stay.
    expect((await ctx.c.menus.site()).main.map((e) => e.label)).toEqual(['Actualités', 'Agenda', 'Recherche']);
    // The picture the commune's article shows stays, the others and their files go.
    expect(await ctx.c.media.findById(sharedImage)).not.toBeNull();
    expect(await ctx.c.media.findById(demoArticles[1]!.heroMediaId!)).toBeNull();
    expect(fs.existsSync(path.join(ctx.dir, 'media', String(demoArticles[1]!.heroMediaId)))).toBe(false);
    // Figures: the demo's are gone with their totals, the real one stays.
    expect(await ctx.c.engagement.hasDemo()).toBe(false);
    expect(Number(((await ctx.c.db('engagement_daily').where({ demo: true }).count({ n: '*' }).first()) as { n: unknown }).n)).toBe(0);
    const real = await ctx.c.db('engagement_events').where({ article_id: own.id, kind: 'view', demo: false }).sum({ total: 'value' }).first();
    expect(Number((real as { total: unknown }).total)).toBe(7);
    expect(
      await ctx.c
        .db('publications')
        .whereIn(
          'article_id',
          online.map((a) => a.id),
        )
        .first(),
    ).toBeUndefined();
    const audit = await ctx.c.db('audit_log').where({ action: 'demo.removed' });
    expect(audit).toHaveLength(1);
    expect(Number(audit[0].actor_id)).toBe(admin.user.id);
  });

  it('changes nothing when run again, from the admin or the command line’s code path', async () => {
    const admin = await loginAs(ctx, 'admin');
    const before = { articles: await count('articles'), pages: await count('pages'), media: await count('media') };
    const res = await admin.agent.post('/admin/settings/demo').type('form').send({ _csrf: admin.csrf, confirm: 'oui' });
    expect(res.status).toBe(302);
    expect((await admin.agent.get('/admin/settings/demo')).text).toContain('Il n’y avait plus de données de démonstration : rien n’a été retiré.');
    expect(await ctx.c.demoRemoval.remove({ id: null, label: 'ligne de commande' })).toEqual({
      articles: 0,
      pages: 0,
      images: 0,
      imagesKept: 0,
      figureEvents: 0,
    });
    expect({ articles: await count('articles'), pages: await count('pages'), media: await count('media') }).toEqual(before);
    expect(await ctx.c.db('audit_log').where({ action: 'demo.removed' })).toHaveLength(1);
  });
});
