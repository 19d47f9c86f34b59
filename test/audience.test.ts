import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import pino from 'pino';
import request from 'supertest';
import { ALL_JOBS } from '../jobs';
import { loadConfig } from '../server/config';
import { createContainer, migrate } from '../server/container';
import { AudienceService, type ViewInput } from '../server/audience/audience.service';
import { AudienceRepository } from '../server/audience/audience.repository';
import { mastodonHostOf, maskIp, sourceOf, withRef } from '../server/audience/audience.classify';
import { monthsBefore } from '../server/audience/audience.days';
import { isPostgres } from '../server/db/dialect';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { tableRows } from './helpers/engagement-events';
import { makeArticle } from './helpers/factories';
import { publishArticle } from './helpers/site-data';
import { plainSpaces } from './helpers/typography';

const FIREFOX = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let ctx: TestContext;
let articleId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  articleId = await makeArticle(ctx.c, { title: 'Travaux rue des Écoles', slug: 'travaux-rue-des-ecoles' });
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.c.audience.flush();
  for (const table of ['audience_views', 'audience_visitors', 'audience_days', 'audience_salts']) await ctx.c.db(table).del();
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
});

function view(over: Partial<ViewInput> & { headers?: Record<string, string> } = {}): ViewInput {
  return {
    articleId,
    path: '/actualites/travaux-rue-des-ecoles',
    url: '/actualites/travaux-rue-des-ecoles',
    ip: '203.0.113.77',
    method: 'GET',
    ...over,
    headers: { 'user-agent': FIREFOX, 'accept-language': 'fr-FR,fr;q=0.9', ...over.headers },
  };
}

async function views(): Promise<Record<string, number>> {
  const rows: { source: string; views: unknown }[] = await ctx.c.db('audience_views').select('source', 'views');
  const out: Record<string, number> = {};
  for (const r of rows) out[r.source] = (out[r.source] ?? 0) + Number(r.views);
  return out;
}

async function rows(table: string): Promise<number> {
  return Number((await ctx.c.db(table).count({ n: '*' }).first())?.n);
}

async function totalViews(): Promise<number> {
  return Object.values(await views()).reduce((a, b) => a + b, 0);
}

describe('counting article views', () => {
  it('answers at once and writes nothing until the buffered views are flushed', async () => {
    ctx.c.audience.countView(view());
    ctx.c.audience.countView(view());
    expect(await rows('audience_views')).toBe(0);
    expect(await ctx.c.audience.flush()).toBe(true);
    expect(await views()).toEqual({ direct: 2 });
  });

  it('attributes each view to where the reader came from', async () => {
    const a = ctx.c.audience;
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=newsletter' }));
    a.countView(view({ headers: { referer: 'https://www.google.fr/' } }));
    a.countView(view({ headers: { referer: 'https://www.qwant.com/?q=travaux' } }));
    a.countView(view({ headers: { referer: 'https://l.facebook.com/l.php?u=x' } }));
    a.countView(view({ headers: { referer: 'https://m.facebook.com/' } }));
    a.countView(view({ headers: { referer: 'https://t.co/abc' } }));
    a.countView(view({ headers: { referer: 'https://bsky.app/profile/mairie' } }));
    a.countView(view({ headers: { referer: 'https://mastodon.social/@mairie' } }));
    a.countView(view({ headers: { referer: 'http://crieur.test/actualites' } }));
    a.countView(view({ headers: { referer: 'https://journal-local.example/article' } }));
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?utm=1&ref=Mastodon', headers: { referer: 'https://www.google.fr/' } }));
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=inconnu' }));
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=rss' }));
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=atom' }));
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=jsonfeed' }));
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=ical' }));
    a.countView(view());
    await a.flush();
    expect(await views()).toEqual({
      newsletter: 1,
      search: 2,
      facebook: 2,
      x: 1,
      bluesky: 1,
      mastodon: 2,
      internal: 1,
      other: 1,
      direct: 2,
      rss: 1,
      atom: 1,
      jsonfeed: 1,
      ical: 1,
    });
  });

  it('recognises the commune’s own Mastodon server from its settings', () => {
    const ctxSources = { siteHost: 'crieur.test', mastodonHost: 'piaille.fr', channels: new Set<string>() };
    expect(sourceOf('/a', 'https://piaille.fr/@mairie/1', ctxSources)).toBe('mastodon');
    expect(sourceOf('/a', 'https://piaille.fr/@mairie/1', { ...ctxSources, mastodonHost: null })).toBe('other');
    expect(mastodonHostOf('https://piaille.fr/@mairie')).toBe('piaille.fr');
    expect(mastodonHostOf('@mairie@Piaille.fr')).toBe('piaille.fr');
    expect(mastodonHostOf('')).toBeNull();
    expect(withRef('https://crieur.test/actualites/a#haut', 'facebook')).toBe('https://crieur.test/actualites/a?ref=facebook#haut');
    expect(withRef('https://crieur.test/recherche?q=a', 'rss')).toBe('https://crieur.test/recherche?q=a&ref=rss');
  });

  it('does not count robots, link previews, prefetches, HEAD requests, DNT, GPC or the opt-out cookie', async () => {
    const a = ctx.c.audience;
    for (const ua of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      'Twitterbot/1.0',
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      'Mastodon/4.2.8 (http.rb/5.1.1; +https://mastodon.social/) Bot',
      'Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
      'curl/8.5.0',
      'Wget/1.21',
      'python-requests/2.31.0',
      '',
    ]) {
      a.countView(view({ headers: { 'user-agent': ua } }));
    }
    a.countView(view({ headers: { 'sec-purpose': 'prefetch' } }));
    a.countView(view({ headers: { 'sec-purpose': 'prefetch;prerender' } }));
    a.countView(view({ headers: { purpose: 'prefetch' } }));
    a.countView(view({ headers: { 'x-moz': 'prefetch' } }));
    a.countView(view({ method: 'HEAD' }));
    a.countView(view({ headers: { dnt: '1' } }));
    a.countView(view({ headers: { 'sec-gpc': '1' } }));
    a.countView(view({ headers: { cookie: 'theme=dark; crieur_optout=1' } }));
    await a.flush();
    expect(await totalViews()).toBe(0);
    a.countView(view({ headers: { dnt: '0', cookie: 'crieur_optout=0' } }));
    await a.flush();
    expect(await totalViews()).toBe(1);
  });

  it('does not count robots dressed as browsers: Qwant, Google’s inspection tool, Iframely and any signed robot', async () => {
    const a = ctx.c.audience;
    for (const ua of [
      'Mozilla/5.0 (compatible; Qwantify/2.4w; +https://www.qwant.com/)',
      'Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)',
      'Mozilla/5.0 (compatible; Iframely/1.3.1; +https://iframely.com/docs/about) Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)',
      'Mozilla/5.0 (compatible; Iframely/1.3.1)',
      'Mozilla/5.0 (compatible; SomeNewCrawler/0.9; +http://example.org/robot.html)',
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 (compatible; GoogleOther)',
    ]) {
      a.countView(view({ headers: { 'user-agent': ua } }));
    }
    await a.flush();
    expect(await totalViews()).toBe(0);
    // Readers' browsers, including an old Internet Explorer that also says "compatible", still count.
    for (const ua of [FIREFOX, SAFARI, 'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)'])
      a.countView(view({ headers: { 'user-agent': ua } }));
    await a.flush();
    expect(await totalViews()).toBe(3);
  });

  it('never fails the page, whatever the request looks like', () => {
    const a = ctx.c.audience;
    expect(() =>
      a.countView({ articleId: null, path: '/', url: '/?ref=%E0%A4%A', headers: { referer: 'not a url', 'user-agent': SAFARI }, ip: undefined }),
    ).not.toThrow();
    expect(() =>
      a.countView({ articleId: 1, path: '/', url: '/', headers: { 'user-agent': [SAFARI, 'x'] as unknown as string }, ip: 'garbage' }),
    ).not.toThrow();
  });

  it('keeps views when the database refuses a write, and writes them once at the next flush', async () => {
    const spy = jest.spyOn(AudienceRepository.prototype, 'write').mockRejectedValueOnce(new Error('database is locked'));
    try {
      ctx.c.audience.countView(view());
      expect(await ctx.c.audience.flush()).toBe(false);
      expect(await totalViews()).toBe(0);
      ctx.c.audience.countView(view());
      expect(await ctx.c.audience.flush()).toBe(true);
      expect(await views()).toEqual({ direct: 2 });
      expect(await rows('audience_visitors')).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('on the public site', () => {
  it('counts a reader’s visit to an article page, rendered or from the page cache, and sets no cookie', async () => {
    const article = await publishArticle(ctx.c, { title: 'Marché de Noël', summary: 'Sur la place.', bodyMd: 'Chalets et vin chaud.' });
    const url = `/actualites/${article.slug}`;
    const first = await request(ctx.handler).get(`${url}?ref=newsletter`).set('User-Agent', FIREFOX).set('X-Forwarded-For', '198.51.100.7');
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toBeUndefined();
    const second = await request(ctx.handler).get(url).set('User-Agent', SAFARI).set('Referer', 'https://www.google.fr/');
    expect(second.status).toBe(200);
    expect(second.headers['set-cookie']).toBeUndefined();
    await request(ctx.handler).get(url).set('User-Agent', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)');
    await request(ctx.handler).get(url).set('User-Agent', FIREFOX).set('Sec-GPC', '1');
    await request(ctx.handler).head(url).set('User-Agent', FIREFOX);
    await ctx.c.audience.flush();
    const rowsFor = await ctx.c.db('audience_views').where({ article_id: article.id }).orderBy('source').select('source', 'views');
    expect(rowsFor).toEqual([
      { source: 'newsletter', views: 1 },
      { source: 'search', views: 1 },
    ]);
  });

  it('counts a reader who follows a link of a feed under that feed, and the audience page names each one', async () => {
    const article = await publishArticle(ctx.c, {
      title: 'Concert d’été',
      summary: 'Sur la place.',
      bodyMd: 'Entrée libre.',
      eventStart: new Date('2026-06-21T18:00:00.000Z'),
    });
    const page = `http://crieur.test/actualites/${article.slug}`;
    const escaped = page.replace(/[.?/]/g, '\\$&');
    const rss = (await request(ctx.app).get('/rss.xml')).text;
    const atom = (await request(ctx.app).get('/atom.xml')).text;
    const json = JSON.parse((await request(ctx.app).get('/feed.json')).text) as { items: { url: string }[] };
    const ics = (await request(ctx.app).get('/agenda.ics')).text.replace(/\r\n /g, '');
    const links = {
      rss: new RegExp(`<link>(${escaped}[^<]*)</link>`).exec(rss)?.[1],
      atom: new RegExp(`<link rel="alternate" type="text/html" href="(${escaped}[^"]*)"`).exec(atom)?.[1],
      jsonfeed: json.items.find((i) => i.url.startsWith(page))?.url,
      ical: new RegExp(`^URL:(${escaped}.*)$`, 'm').exec(ics)?.[1]?.trim(),
    };
    expect(links).toEqual({ rss: `${page}?ref=rss`, atom: `${page}?ref=atom`, jsonfeed: `${page}?ref=jsonfeed`, ical: `${page}?ref=ical` });
    for (const link of Object.values(links)) await request(ctx.app).get(link!.replace('http://crieur.test', '')).set('User-Agent', FIREFOX);
    await ctx.c.audience.flush();
    expect(await views()).toEqual({ rss: 1, atom: 1, jsonfeed: 1, ical: 1 });

    const { agent } = await loginAs(ctx, 'elected');
    const text = (await agent.get('/admin/audience')).text.replace(/\s+/g, ' ');
    for (const label of ['Flux RSS', 'Flux Atom', 'Flux JSON Feed', 'Agenda iCalendar'])
      expect(text).toContain(`<th scope="row">${label}</th> <td class="num">1</td>`);
    // The article's own figures name each feed too, never "other sites".
    await ctx.c.engagement.flush();
    const figures = (await agent.get(`/admin/stats/articles/${article.id}?periode=7j`)).text;
    expect(tableRows(figures, 'par provenance').sort()).toEqual([
      ['Agenda iCalendar', '1', '25 %'],
      ['Flux Atom', '1', '25 %'],
      ['Flux JSON Feed', '1', '25 %'],
      ['Flux RSS', '1', '25 %'],
    ]);
  });
});

describe('estimating unique visitors without storing addresses', () => {
  async function visitorsOn(day: string): Promise<number> {
    const counted = await ctx.c.db('audience_days').where({ day }).first('visitors');
    const pending = await ctx.c.db('audience_visitors').where({ day }).count({ n: '*' }).first();
    return Number(counted?.visitors ?? 0) + Number(pending?.n ?? 0);
  }

  it('counts the same visitor once a day, and again the next day', async () => {
    const a = ctx.c.audience;
    a.countView(view());
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=facebook' }));
    a.countView(view({ ip: '203.0.99.1' })); // same /16 network, same browser: indistinguishable, by design
    a.countView(view({ ip: '198.51.100.7' }));
    a.countView(view({ headers: { 'user-agent': SAFARI } }));
    await a.flush();
    a.countView(view()); // later the same day, in another flush
    await a.flush();
    expect(await visitorsOn('2026-03-15')).toBe(3);

    ctx.clock.advance(24 * 3600_000);
    a.countView(view());
    a.countView(view());
    await a.flush();
    expect(await visitorsOn('2026-03-16')).toBe(1);
    expect(await visitorsOn('2026-03-15')).toBe(3);
    // Yesterday's salt is destroyed once today's exists: yesterday's hashes can't be recomputed.
    expect((await ctx.c.db('audience_salts').select('day')).map((r) => r.day)).toEqual(['2026-03-16']);
  });

  it('uses the commune’s time zone for days: 23:30 UTC on 15 March is already 16 March in Paris', async () => {
    ctx.clock.set(new Date('2026-03-15T23:30:00.000Z'));
    ctx.c.audience.countView(view());
    await ctx.c.audience.flush();
    expect(await ctx.c.db('audience_views').select('day')).toEqual([{ day: '2026-03-16' }]);
  });

  it('shares the day’s salt between instances, so a visitor served by two of them counts once', async () => {
    const other = new AudienceService({
      db: ctx.c.db,
      repo: new AudienceRepository(ctx.c.db),
      clock: ctx.clock,
      log: pino({ level: 'silent' }),
      timeZone: 'Europe/Paris',
      baseUrl: 'http://crieur.test',
    });
    ctx.c.audience.countView(view());
    other.countView(view());
    await Promise.all([ctx.c.audience.flush(), other.flush()]);
    await other.close();
    expect(await visitorsOn('2026-03-15')).toBe(1);
    expect(await totalViews()).toBe(2);
  });

  it('stores no IP address anywhere in the database, in clear or masked', async () => {
    const a = ctx.c.audience;
    a.countView(view({ ip: '203.0.113.77' }));
    a.countView(view({ ip: '::ffff:203.0.113.77', headers: { referer: 'https://www.google.fr/' } }));
    a.countView(view({ ip: '2001:db8:abcd:12::77', headers: { 'user-agent': SAFARI } }));
    await a.flush();
    await ctx.c.jobRunner.run(
      ALL_JOBS.find((j) => j.name === 'purge-audience')!,
      'manual',
    );
    expect(maskIp('203.0.113.77')).toBe('203.0.0.0');
    expect(maskIp('2001:db8:abcd:12::77')).toBe('2001:db8:abcd::/48');

    const db = ctx.c.db;
    const tables: string[] = isPostgres(db)
      ? (await db.raw("select tablename as name from pg_tables where schemaname = 'public'")).rows.map((r: { name: string }) => r.name)
      : (await db.raw("select name from sqlite_master where type = 'table'")).map((r: { name: string }) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['audience_views', 'audience_visitors', 'audience_salts']));
    let dump = '';
    for (const table of tables) dump += JSON.stringify(await db(table).select('*'));
    expect(dump).toContain('audience'); // the dump did read the tables
    for (const needle of ['203.0.113.77', '203.0.113', '203.0.0.0', '198.51.100', '2001:db8', 'Firefox/128']) expect(dump).not.toContain(needle);
  });
});

describe('keeping audience data 25 months at most', () => {
  it('turns finished days’ visitor hashes into counts and deletes data older than 25 months, twice without harm', async () => {
    const repo = new AudienceRepository(ctx.c.db);
    await repo.write(
      [
        { day: '2024-02-14', articleId, source: 'direct', views: 5 },
        { day: '2024-02-15', articleId, source: 'direct', views: 7 },
        { day: '2026-03-14', articleId, source: 'search', views: 3 },
      ],
      [
        { day: '2024-02-14', hash: 'old' },
        { day: '2026-03-14', hash: 'aaaa' },
        { day: '2026-03-14', hash: 'bbbb' },
        { day: '2026-03-15', hash: 'today' },
      ],
    );
    await ctx.c.db('audience_salts').insert([
      { day: '2026-03-14', salt: 'yesterday' },
      { day: '2026-03-15', salt: 'today' },
    ]);
    expect(monthsBefore('2026-03-15', 25)).toBe('2024-02-15');

    const job = ALL_JOBS.find((j) => j.name === 'purge-audience')!;
    const first = await ctx.c.jobRunner.run(job, 'manual');
    const second = await ctx.c.jobRunner.run(job, 'manual');
    expect(first).toMatchObject({ ran: true, ok: true });
    expect(JSON.parse((first as { detail: string }).detail)).toEqual({ visitorHashes: 3, salts: 1, expiredRows: 2 });
    expect(JSON.parse((second as { detail: string }).detail)).toEqual({ visitorHashes: 0, salts: 0, expiredRows: 0 });
    expect(await ctx.c.db('audience_views').orderBy('day').select('day', 'views')).toEqual([
      { day: '2024-02-15', views: 7 },
      { day: '2026-03-14', views: 3 },
    ]);
    expect(await ctx.c.db('audience_days').select('day', 'visitors')).toEqual([{ day: '2026-03-14', visitors: 2 }]);
    expect(await ctx.c.db('audience_visitors').select('day', 'hash')).toEqual([{ day: '2026-03-15', hash: 'today' }]);
    expect(await ctx.c.db('audience_salts').select('day')).toEqual([{ day: '2026-03-15' }]);
  });
});

describe('the audience page', () => {
  it('shows the mayor views per article, visitors and sources for the last 30 days', async () => {
    const a = ctx.c.audience;
    const other = await makeArticle(ctx.c, { title: 'Fête de la musique', slug: 'fete-de-la-musique' });
    a.countView(view({ url: '/actualites/travaux-rue-des-ecoles?ref=newsletter' }));
    a.countView(view({ headers: { referer: 'https://www.google.fr/' } }));
    a.countView(view({ ip: '198.51.100.7' }));
    a.countView(view({ articleId: other, headers: { referer: 'https://l.facebook.com/' } }));
    a.countView(view({ articleId: null, path: '/', url: '/' }));
    ctx.clock.advance(-40 * 86_400_000); // outside the 30 days
    a.countView(view());
    ctx.clock.advance(40 * 86_400_000);

    const { agent } = await loginAs(ctx, 'elected');
    const res = await agent.get('/admin/audience');
    expect(res.status).toBe(200);
    const text = res.text.replace(/\s+/g, ' ');
    expect(text).toContain('Audience du site');
    expect(text).toMatch(/<strong>5<\/strong><span>pages vues/);
    expect(text).toMatch(/<strong>4<\/strong><span>lectures d’articles/);
    expect(text).toContain('Travaux rue des Écoles</a>');
    expect(text).toMatch(/Travaux rue des Écoles<\/a>.*?<td class="num">3<\/td>/);
    expect(text).toMatch(/Fête de la musique<\/a>.*?<td class="num">1<\/td> <td>Facebook<\/td>/);
    expect(text).toContain('Lettre d’information');
    expect(text).toContain('Moteurs de recherche');
    expect(text).toMatch(/Accès direct<\/th> <td class="num">2<\/td>/);
    expect(text).toContain('15 mars 2026');

    const week = await agent.get('/admin/audience?periode=7');
    expect(week.status).toBe(200);
    const bad = await agent.get('/admin/audience?periode=12');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Choisissez une période de 7, 30 ou 90 jours.');
  });

  it('averages unique visitors over the days since the first one counted, to one decimal', async () => {
    const a = ctx.c.audience;
    // The site went online yesterday: three visitors then, two today; nothing in the 28 days before.
    ctx.clock.advance(-86_400_000);
    for (const ip of ['203.0.113.1', '198.51.100.2', '192.0.2.3']) a.countView(view({ ip }));
    await a.flush();
    ctx.clock.advance(86_400_000);
    for (const ip of ['203.0.113.1', '198.51.100.2']) a.countView(view({ ip }));
    await a.flush();

    const { agent } = await loginAs(ctx, 'elected');
    const text = (await agent.get('/admin/audience')).text.replace(/\s+/g, ' ');
    expect(text).toMatch(/<strong>2,5<\/strong><span>visiteurs uniques par jour en moyenne/);
    const week = (await agent.get('/admin/audience?periode=7')).text.replace(/\s+/g, ' ');
    expect(week).toMatch(/<strong>2,5<\/strong><span>visiteurs uniques par jour en moyenne/);
  });

  it('shows a whole number of visitors per day from ten on', async () => {
    const a = ctx.c.audience;
    ctx.clock.advance(-2 * 86_400_000);
    for (let i = 1; i <= 14; i++) a.countView(view({ ip: `203.${i}.0.1` }));
    await a.flush();
    ctx.clock.advance(2 * 86_400_000);
    for (let i = 1; i <= 15; i++) a.countView(view({ ip: `198.${i}.0.1` }));
    await a.flush();
    // (14 + 0 + 15) / 3 days = 9.67: one decimal. A day without anyone after the first counts.
    const { agent } = await loginAs(ctx, 'elected');
    expect((await agent.get('/admin/audience')).text.replace(/\s+/g, ' ')).toMatch(/<strong>9,7<\/strong><span>visiteurs uniques par jour/);
    for (let i = 16; i <= 30; i++) a.countView(view({ ip: `198.${i}.0.1` }));
    await a.flush();
    // (14 + 0 + 30) / 3 = 14.67 → 15.
    expect((await agent.get('/admin/audience')).text.replace(/\s+/g, ' ')).toMatch(/<strong>15<\/strong><span>visiteurs uniques par jour/);
  });

  it('says so when nothing was counted yet', async () => {
    const { agent } = await loginAs(ctx, 'editor');
    const res = await agent.get('/admin/audience');
    expect(res.text).toContain('Aucune visite comptée sur cette période.');
  });

  it('asks visitors without an account to log in', async () => {
    const res = await request(ctx.app).get('/admin/audience');
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
  });
});

describe('the opt-out page', () => {
  it('explains what is measured and sets no cookie', async () => {
    const res = await request(ctx.app).get('/mesure-audience').set('User-Agent', FIREFOX);
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    for (const s of [
      'Aucun cookie et aucun script',
      'Aucune adresse IP n’est enregistrée',
      '25 mois',
      '« Ne pas suivre » (DNT)',
      'Ne plus être compté sur ce navigateur',
    ]) {
      expect(plainSpaces(res.text)).toContain(s);
    }
  });

  it('stops counting this browser once the reader refuses, for 13 months at most, and can undo it', async () => {
    const agent = request.agent(ctx.app);
    const page = await agent.get('/mesure-audience');
    const token = /name="_token" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent.post('/mesure-audience').type('form').send({ _token: token, choix: 'refuser' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/mesure-audience?choix=refuser');
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/^crieur_optout=1; Max-Age=(\d+);/);
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeLessThanOrEqual(396 * 86_400);
    expect(cookie).toMatch(/HttpOnly/);

    const after = await agent.get('/mesure-audience?choix=refuser');
    expect(after.text).toContain('vos visites ne sont plus comptées sur ce navigateur');
    expect(after.headers['set-cookie']).toBeUndefined(); // never renewed
    ctx.c.audience.countView(view({ headers: { cookie: 'crieur_optout=1' } }));
    await ctx.c.audience.flush();
    expect(await totalViews()).toBe(0);

    const token2 = /name="_token" value="([^"]+)"/.exec(after.text)![1]!;
    const undo = await agent.post('/mesure-audience').type('form').send({ _token: token2, choix: 'accepter' });
    expect(undo.headers['set-cookie']?.[0]).toMatch(/^crieur_optout=;/);
  });

  it('refuses a forged or expired form with a 403 and sets nothing', async () => {
    const forged = await request(ctx.app).post('/mesure-audience').type('form').send({ _token: '1.forged', choix: 'refuser' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Le formulaire a expiré. Rechargez la page et recommencez.');
    expect(forged.headers['set-cookie']).toBeUndefined();

    const page = await request(ctx.app).get('/mesure-audience');
    const token = /name="_token" value="([^"]+)"/.exec(page.text)![1]!;
    ctx.clock.advance(3 * 86_400_000);
    const stale = await request(ctx.app).post('/mesure-audience').type('form').send({ _token: token, choix: 'refuser' });
    expect(stale.status).toBe(403);
    const badChoice = await request(ctx.app)
      .post('/mesure-audience')
      .type('form')
      .send({ _token: /name="_token" value="([^"]+)"/.exec((await request(ctx.app).get('/mesure-audience')).text)![1]!, choix: 'peut-être' });
    expect(badChoice.status).toBe(400);
  });
});

describe('stopping', () => {
  it('writes the views still in memory when Crieur stops', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-audience-'));
    try {
      const config = loadConfig({ DATA_DIR: dir, SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789', LOG_LEVEL: 'silent', CRIEUR_DEMO: 'false' });
      const c = createContainer(config, { log: pino({ level: 'silent' }) });
      await migrate(c);
      c.audience.countView(view({ articleId: 42 }));
      c.audience.countView(view({ articleId: 42, url: '/a?ref=rss' }));
      await c.close();
      const db = knexFactory({ client: 'sqlite3', connection: { filename: path.join(dir, 'crieur.sqlite') }, useNullAsDefault: true });
      try {
        expect(await db('audience_views').orderBy('source').select('article_id', 'source', 'views')).toEqual([
          { article_id: 42, source: 'direct', views: 1 },
          { article_id: 42, source: 'rss', views: 1 },
        ]);
      } finally {
        await db.destroy();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
