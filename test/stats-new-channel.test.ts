import type TestAgent from 'supertest/lib/agent';
import { HeronAdapter } from './fixtures/heron.adapter';
import { PigeonAdapter } from './fixtures/pigeon.adapter';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { addEvents, figureText, tableRows, visibleText } from './helpers/engagement-events';
import { connectPigeon, pigeonArticle } from './helpers/pigeon-articles';
import { startPigeonPeer, type PigeonPeer } from './helpers/pigeon-peer';

/**
 * A network an installation adds (its adapter file and its registration, nothing else) has its
 * place on the figures pages: its column, its name and its part of the sums, and "non communiqué"
 * for impressions when its adapter says it never gives them. Pigeon (test/fixtures/pigeon.adapter.ts,
 * spoken to over HTTP) gives likes and reposts only; Héron (test/fixtures/heron.adapter.ts) gives
 * impressions too. Their figures come the real way: the dispatcher sends the posts, the metrics
 * job asks each network.
 */
let peer: PigeonPeer;
let heron: HeronAdapter;
let ctx: TestContext;
let elected: TestAgent;
let article: number;
let pigeonPost: number;
let heronPost: number;

beforeAll(async () => {
  peer = await startPigeonPeer();
  heron = new HeronAdapter();
  ctx = await createTestContext({}, { channels: [new PigeonAdapter(peer.url), heron] });
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
  peer.now = () => ctx.clock.now().getTime();
  elected = (await loginAs(ctx, 'elected')).agent;

  const pigeonAccount = await connectPigeon(ctx, peer);
  const heronAccount = await ctx.c.accounts.insert({ channel: 'heron', label: '@mairie', settings: {}, credentials: null }, ctx.clock.now());
  const now = ctx.clock.now();
  const made = await pigeonArticle(ctx, pigeonAccount, new Date(now.getTime() - 60_000), now, 'Fête du printemps');
  article = made.article;
  pigeonPost = made.post;
  heronPost = await ctx.c.publications.insert({ articleId: article, accountId: heronAccount, channel: 'heron', textVariant: null, scheduledAt: now }, now);
  for (let round = 0; round < 3; round++) await ctx.c.dispatcher.dispatchDue();
  for (const id of [made.site, pigeonPost, heronPost]) expect((await ctx.c.publications.get(id))!.status).toBe('sent');

  // An hour later the metrics job asks each network: Pigeon answers 3 likes and 1 repost, Héron
  // 120 impressions and 4 likes. Ten residents read the article on the site.
  ctx.clock.set(new Date('2026-03-15T10:00:00.000Z'));
  heron.figures = { impressions: 120, likes: 4 };
  expect((await ctx.c.metrics.collect()).fetched).toBe(2);
  await addEvents(ctx.c, [
    { at: '2026-03-15T09:30:00Z', channel: 'site', kind: 'visitor', value: 10 },
    { at: '2026-03-15T09:30:00Z', channel: 'site', kind: 'view', articleId: article, source: 'direct', value: 10 },
  ]);
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
  await peer.close();
});

async function page(url: string): Promise<string> {
  const res = await elected.get(url);
  expect(res.status).toBe(200);
  return res.text;
}

/** The visible headers of the article table. */
function articleColumns(html: string): string[] {
  const table = html.slice(html.indexOf('<table class="stats-articles"'));
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(table)![1]!;
  return [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => visibleText(m[1]!));
}

describe('a network registered from its adapter file alone', () => {
  it('has its column, its name and its share of the sums on the dashboard, and "non communiqué" where it gives no impressions', async () => {
    const html = await page('/admin?periode=7j');
    // 10 site visitors + 120 impressions on Héron; Pigeon gives none.
    expect(figureText(html, 'reached')).toContain('130');
    expect(figureText(html, 'reached')).toContain('10 visiteurs du site, 0 lettres remises, 120 affichages sur les réseaux');
    // 3 likes + 1 repost on Pigeon, 4 likes on Héron.
    expect(figureText(html, 'interactions')).toMatch(/^Interactions \(clics, réactions, partages, réponses, citations\) 8 /);
    expect(articleColumns(html)).toEqual([
      'Article',
      'Site (vues)',
      'Lettre (destinataires)',
      'Pigeon (affichages)',
      'Héron (affichages)',
      'Interactions',
      'Portée totale ↓',
    ]);
    expect(tableRows(html, 'Portée des articles par canal')).toEqual([['Fête du printemps', '10', '0', 'non communiqué', '120', '8', '130']]);
    // Each network has its chart, named as its adapter names it.
    expect(tableRows(html, 'Pigeon : chiffres par période').find((r) => r[0] === '15 mars')).toEqual(['15 mars', '4']);
    expect(tableRows(html, 'Héron : chiffres par période').find((r) => r[0] === '15 mars')).toEqual(['15 mars', '120', '4']);
  });

  it('can sort the article table by its column', async () => {
    const html = await page('/admin?periode=7j&tri=heron&ordre=asc');
    expect(html).toMatch(/aria-sort="ascending"><a href="\?periode=7j&amp;tri=heron&amp;ordre=desc#stats-articles">Héron \(affichages\)/);
    expect((await elected.get('/admin?periode=7j&tri=pigeon&ordre=desc')).status).toBe(200);
    // A network this installation does not have is no column to sort by.
    const unknown = await elected.get('/admin?periode=7j&tri=corbeau&ordre=desc');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Ce tri n’existe pas.');
  });

  it('shows each of its publications on the article’s figures page, with "non communiqué" for the impressions it never gives', async () => {
    const html = await page(`/admin/stats/articles/${article}?periode=7j`);
    expect(figureText(html, 'reach')).toBe('Personnes atteintes 130 10 vues sur le site, 0 destinataires de la lettre');
    const section = (id: number) => {
      const from = html.slice(html.lastIndexOf('<', html.indexOf(`id="pub-${id}"`)));
      return visibleText(from.slice(0, from.indexOf('</section>')));
    };
    const pigeon = section(pigeonPost);
    expect(pigeon).toMatch(/^Pigeon — publiée le /);
    expect(pigeon).toContain('Réactions : 3');
    expect(pigeon).toContain('Partages : 1');
    expect(pigeon).toContain('Affichages : non communiqué');
    const heronSection = section(heronPost);
    expect(heronSection).toMatch(/^Héron — publiée le /);
    expect(heronSection).toContain('Affichages : 120');
    expect(heronSection).toContain('Réactions : 4');
    expect(heronSection).not.toContain('non communiqué');
  });

  it('has its column in the CSV export', async () => {
    const res = await elected.get('/admin/stats/export.csv?periode=7j').buffer(true);
    expect(res.status).toBe(200);
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain(
      '"Article";"Site internet (vues)";"Lettre d’information (destinataires)";"Pigeon (affichages)";"Héron (affichages)";"Interactions";"Portée totale"',
    );
    expect(lines).toContain('"Fête du printemps";10;0;"non communiqué";120;8;130');
  });
});
