import pino from 'pino';
import request from 'supertest';
import { createApp, createHandler } from '../server/app';
import { createContainer } from '../server/container';
import { articleUrl } from '../server/articles/article-url';
import { HeronAdapter } from './fixtures/heron.adapter';
import { PigeonAdapter } from './fixtures/pigeon.adapter';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { tableRows } from './helpers/engagement-events';
import { publishArticle } from './helpers/site-data';

/**
 * A network an installation adds (its adapter file and its registration, nothing else) gets its
 * readers counted as its own: the link Crieur puts in its posts (`ref=<channel>`) credits the
 * visit to it, and the audience page and the article's figures name it as its adapter does. A
 * `ref` no registered channel has is no source: such a visit counts as before.
 */
const FIREFOX = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let ctx: TestContext;
let article: { id: number; slug: string };

beforeAll(async () => {
  // Pigeon is never called here (no post is sent): its address only has to be well-formed.
  ctx = await createTestContext({}, { channels: [new PigeonAdapter('http://127.0.0.1:9'), new HeronAdapter()] });
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
  await readersCome();
});
afterAll(async () => ctx.close());

/** The audience page's rows, "label views" each, whitespace folded. */
async function audienceSources(agent: Awaited<ReturnType<typeof loginAs>>['agent']): Promise<string[]> {
  const html = (await agent.get('/admin/audience?periode=7')).text.replace(/\s+/g, ' ');
  const section = html.slice(html.indexOf('id="audience-sources"'), html.indexOf('id="audience-days"'));
  return [...section.matchAll(/<th scope="row">([^<]*)<\/th> <td class="num">([^<]*)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
}

/**
 * Readers of two articles, through the networks' links and otherwise. The second one's readers
 * come mostly from Héron and other sites, each fewer than from Pigeon.
 */
async function readersCome(): Promise<void> {
  article = await publishArticle(ctx.c, { title: 'Fête du printemps', summary: 'Sur la place.', bodyMd: 'Lâcher de ballons.' });
  const base = ctx.c.config.baseUrl;
  // The links the channels' posts carry, built as the adapters' ports build them.
  const pigeonLink = articleUrl(base, article.slug, 'pigeon');
  const heronLink = articleUrl(base, article.slug, 'heron');
  expect(pigeonLink).toBe(`${base}/actualites/${article.slug}?ref=pigeon`);
  const path = (link: string) => link.slice(base.length);
  const get = (url: string, ua = FIREFOX) => request(ctx.handler).get(url).set('User-Agent', ua).set('Accept-Language', 'fr-FR');

  expect((await get(path(pigeonLink))).status).toBe(200);
  expect((await get(path(pigeonLink), SAFARI)).status).toBe(200);
  expect((await get(path(heronLink))).status).toBe(200);
  // Anyone can type a ref: one no channel has, or a channel that is no network (the site
  // itself), is not a source.
  expect((await get(`/actualites/${article.slug}?ref=nonsense`)).status).toBe(200);
  expect((await get(`/actualites/${article.slug}?ref=site`)).status).toBe(200);
  expect((await get(`/actualites/${article.slug}?ref=${'pigeon'.repeat(10)}`)).status).toBe(200);
  expect((await get(`/actualites/${article.slug}?ref=nonsense`).set('Referer', 'https://blog.example.org/')).status).toBe(200);
  // A network's link shared elsewhere still names the network: the ref wins over the referrer.
  expect((await get(path(heronLink)).set('Referer', 'https://www.google.fr/')).status).toBe(200);
  await ctx.c.audience.flush();

  const market = await publishArticle(ctx.c, { title: 'Marché de Noël', summary: 'Place de la mairie.', bodyMd: 'Vin chaud.' });
  for (const ref of ['heron', 'heron', 'pigeon', 'pigeon', 'pigeon']) expect((await get(`/actualites/${market.slug}?ref=${ref}`)).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await get(`/actualites/${market.slug}`).set('Referer', 'https://blog.example.org/')).status).toBe(200);
  await ctx.c.audience.flush();
  await ctx.c.engagement.flush();
}

/** The audience page's most-read articles, "title main source" each. */
async function mainSources(agent: Awaited<ReturnType<typeof loginAs>>['agent']): Promise<string[]> {
  const html = (await agent.get('/admin/audience?periode=7')).text.replace(/\s+/g, ' ');
  const section = html.slice(html.indexOf('id="audience-articles"'), html.indexOf('id="audience-sources"'));
  return [...section.matchAll(/<a href="\/admin\/articles\/\d+">([^<]*)<\/a>.*?<td>([^<]*)<\/td>/g)].map((m) => `${m[1]}: ${m[2]}`).sort();
}

describe('visits through a registered network’s own links', () => {
  it('are credited to that network on the audience page and in the article’s figures; an unknown ref counts as before', async () => {
    const stored = (await ctx.c.db('audience_views').where({ article_id: article.id }).select('source', 'views')) as { source: string; views: unknown }[];
    expect(Object.fromEntries(stored.map((r) => [r.source, Number(r.views)]))).toEqual({ pigeon: 2, heron: 2, direct: 3, other: 1 });

    const { agent } = await loginAs(ctx, 'elected');
    expect(await audienceSources(agent)).toEqual(['Pigeon 5', 'Héron 4', 'Accès direct 3', 'Autres sites 3']);
    expect(await mainSources(agent)).toEqual(['Fête du printemps: Accès direct', 'Marché de Noël: Pigeon']);

    const figures = (await agent.get(`/admin/stats/articles/${article.id}?periode=7j`)).text;
    expect(tableRows(figures, 'par provenance').sort()).toEqual([
      ['Accès direct', '3', '38 %'],
      ['Autres sites', '1', '13 %'],
      ['Héron', '2', '25 %'],
      ['Pigeon', '2', '25 %'],
    ]);
  });

  it('counts a network the installation no longer has with the other sites, in one row', async () => {
    // The same database, started again without Héron: its visits stay, under "Autres sites".
    const c = createContainer(ctx.config, {
      clock: ctx.clock,
      log: pino({ level: 'silent' }),
      channels: [ctx.testAdapter, new PigeonAdapter('http://127.0.0.1:9')],
    });
    try {
      const app = createApp(c);
      const { agent } = await loginAs({ ...ctx, c, app, handler: createHandler(c, app) }, 'elected');
      expect(await audienceSources(agent)).toEqual(['Autres sites 7', 'Pigeon 5', 'Accès direct 3']);
      // Marché de Noël: 2 from Héron and 2 from other sites are more than Pigeon's 3.
      expect(await mainSources(agent)).toEqual(['Fête du printemps: Accès direct', 'Marché de Noël: Autres sites']);
      const figures = (await agent.get(`/admin/stats/articles/${article.id}?periode=7j`)).text;
      expect(tableRows(figures, 'par provenance')).toEqual([
        ['Accès direct', '3', '38 %'],
        ['Autres sites', '3', '38 %'],
        ['Pigeon', '2', '25 %'],
      ]);
    } finally {
      await c.close();
    }
  });
});
