/* eslint-disable @typescript-eslint/no-explicit-any -- parsed XML and JSON-LD are untyped trees */
import path from 'node:path';
import ejs from 'ejs';
import request from 'supertest';
import sharp from 'sharp';
import { XMLParser } from 'fast-xml-parser';
import { createTestContext, type TestContext } from './helpers/context';
import { categoryId, expectWellFormedXml, officer, publishArticle } from './helpers/site-data';
import { articleMeta, homeMeta } from '../server/site/metadata';
import type { PublicArticle } from '../server/articles/public-articles.repository';
import { foldLine } from '../server/site/ical';
import { VIEWS_DIR } from '../server/http/render';
import type { Article } from '../server/articles/articles.types';
import { plainSpaces } from './helpers/typography';

const NASTY = 'Fête & "bal" <masqué> d’été 🎉 ]]> fin';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

let ctx: TestContext;
let illustrated: Article;
let work: Article;
let party: Article;
beforeAll(async () => {
  ctx = await createTestContext();
  const photo = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#3a7' } })
    .jpeg()
    .toBuffer();
  const media = await ctx.c.media.ingest(photo, 'place.jpg', { alt: 'La place du marché' }, officer);
  await ctx.c.media.whenReady(media.id);
  await ctx.c.settings.save({ ...(await ctx.c.settings.get()), name: 'Saint-Crieur', postalCode: '44000', city: 'Saint-Crieur' }, officer);
  work = await publishArticle(ctx.c, {
    title: 'Travaux rue du Moulin',
    summary: 'Circulation alternée.',
    bodyMd: 'Voir le [plan](/plan.pdf).',
    categoryId: await categoryId(ctx.c, 'travaux'),
  });
  ctx.clock.advance(60_000);
  illustrated = await publishArticle(ctx.c, {
    title: 'Marché de printemps',
    summary: 'Producteurs locaux.',
    bodyMd: 'Sur la place.',
    heroMediaId: media.id,
    heroAlt: 'Des étals sur la place',
  });
  party = await publishArticle(ctx.c, {
    title: NASTY,
    summary: 'Bal, buvette ; feu d’artifice',
    bodyMd: 'Venez nombreux.',
    eventStart: new Date('2026-07-13T19:00:00.000Z'),
    eventEnd: new Date('2026-07-13T23:30:00.000Z'),
    eventPlace: 'Place de la Mairie, Saint-Crieur; côté église',
  });
  await ctx.c.articles.create({ title: 'Brouillon invisible', bodyMd: 'Pas publié.' }, officer);
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

const get = (url: string) => request(ctx.app).get(url);

describe('RSS, Atom and JSON Feed', () => {
  it('serves RSS 2.0 as application/rss+xml in UTF-8, well-formed even with a title full of markup and emoji', async () => {
    const res = await get('/rss.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(res.headers['set-cookie']).toBeUndefined();
    expectWellFormedXml(res.text);
    const channel = parser.parse(res.text).rss.channel;
    expect(plainSpaces(channel.title)).toBe('Saint-Crieur : actualités');
    expect(channel['atom:link']['@href']).toBe('http://crieur.test/rss.xml');
    expect(channel['atom:link']['@rel']).toBe('self');
    const items = channel.item as Record<string, any>[];
    expect(items.map((i) => i.title)).toEqual([NASTY, 'Marché de printemps', 'Travaux rue du Moulin']);
    const first = items[0]!;
    expect(first.link).toBe(`http://crieur.test/actualites/${party.slug}?ref=rss`);
    expect(first.guid['@isPermaLink']).toBe('true');
    expect(first.guid['#text']).toBe(`http://crieur.test/actualites/${party.slug}`);
    expect(first.pubDate).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(plainSpaces(first.description)).toBe('Bal, buvette ; feu d’artifice');
  });

  it('gives the 1200×630 social card as an enclosure, and absolute links in the content', async () => {
    const res = await get('/rss.xml');
    const items = parser.parse(res.text).rss.channel.item as Record<string, any>[];
    const market = items.find((i) => i.title === 'Marché de printemps')!;
    expect(market.enclosure['@url']).toMatch(/^http:\/\/crieur\.test\/.+\.jpg$/);
    expect(market.enclosure['@type']).toBe('image/jpeg');
    expect(Number(market.enclosure['@length'])).toBeGreaterThan(1000);
    const work = items.find((i) => i.title === 'Travaux rue du Moulin')!;
    expect(work['content:encoded']).toContain('href="http://crieur.test/plan.pdf"');
  });

  it('serves Atom 1.0 with id, updated, self and alternate links and an author', async () => {
    const res = await get('/atom.xml');
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expectWellFormedXml(res.text);
    const feed = parser.parse(res.text).feed;
    expect(feed.id).toBe('http://crieur.test/atom.xml');
    expect(feed.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(feed.author.name).toBe('Saint-Crieur');
    const links = feed.link as Record<string, string>[];
    expect(links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ '@rel': 'self', '@href': 'http://crieur.test/atom.xml' }),
        expect.objectContaining({ '@rel': 'alternate', '@href': 'http://crieur.test/actualites?ref=atom' }),
      ]),
    );
    const entries = feed.entry as Record<string, any>[];
    expect(entries[0]!.title['#text']).toBe(NASTY);
    expect(entries[0]!.id).toBe(`http://crieur.test/actualites/${party.slug}`);
    // Readers who come through Atom are counted as such, not as RSS readers.
    expect(entries[0]!.link['@href']).toBe(`http://crieur.test/actualites/${party.slug}?ref=atom`);
  });

  it('serves JSON Feed 1.1 as application/feed+json', async () => {
    const res = await get('/feed.json');
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = JSON.parse(res.text);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe('http://crieur.test/feed.json');
    expect(feed.home_page_url).toBe('http://crieur.test/actualites?ref=jsonfeed');
    expect(feed.items[0]).toMatchObject({
      id: `http://crieur.test/actualites/${party.slug}`,
      url: `http://crieur.test/actualites/${party.slug}?ref=jsonfeed`,
      title: NASTY,
    });
    expect(feed.items.find((i: { title: string }) => i.title === 'Marché de printemps').image).toMatch(/^http:\/\/crieur\.test\//);
  });

  it('leaves drafts out of every feed', async () => {
    for (const url of ['/rss.xml', '/atom.xml', '/feed.json', '/sitemap.xml']) expect((await get(url)).text).not.toContain('Brouillon invisible');
  });

  it('has a feed per category, and a 404 for a category that does not exist', async () => {
    const rss = await get('/actualites/categorie/travaux/rss.xml');
    expect(rss.status).toBe(200);
    expectWellFormedXml(rss.text);
    const channel = parser.parse(rss.text).rss.channel;
    expect(plainSpaces(channel.title)).toBe('Saint-Crieur : Travaux');
    expect(channel.item.title).toBe('Travaux rue du Moulin');
    const atom = await get('/actualites/categorie/travaux/atom.xml');
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(parser.parse(atom.text).feed.entry.title['#text']).toBe('Travaux rue du Moulin');
    expect((await get('/actualites/categorie/inconnue/rss.xml')).status).toBe(404);
    expect((await get('/actualites/categorie/Bad%20Slug/atom.xml')).status).toBe(404);
  });

  it('answers 304 to a reader that already has the current version', async () => {
    const first = await get('/rss.xml');
    expect(first.headers.etag).toBeTruthy();
    const again = await get('/rss.xml').set('If-None-Match', first.headers.etag as string);
    expect(again.status).toBe(304);
  });
});

describe('sitemap and robots.txt', () => {
  it('lists every visible article, the categories with news and the fixed pages, with ISO 8601 dates', async () => {
    const res = await get('/sitemap.xml');
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expectWellFormedXml(res.text);
    const urls = parser.parse(res.text).urlset.url as { loc: string; lastmod?: string }[];
    const locs = urls.map((u) => u.loc);
    for (const a of [work, illustrated, party]) expect(locs).toContain(`http://crieur.test/actualites/${a.slug}`);
    expect(locs).toEqual(
      expect.arrayContaining([
        'http://crieur.test/',
        'http://crieur.test/actualites',
        'http://crieur.test/agenda',
        'http://crieur.test/actualites/categorie/travaux',
        'http://crieur.test/mentions-legales',
      ]),
    );
    expect(locs).not.toContain('http://crieur.test/actualites/categorie/culture'); // no news in it
    expect(urls.find((u) => u.loc.endsWith(work.slug))!.lastmod).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('allows everything but the admin and names the sitemap by its absolute address', async () => {
    const res = await get('/robots.txt');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toContain('User-agent: *');
    expect(res.text).toContain('Disallow: /admin');
    expect(res.text).toContain('Sitemap: http://crieur.test/sitemap.xml');
  });
});

describe('the agenda as iCalendar', () => {
  it('serves the events as text/calendar with a name, UTC times, escaped text and folded lines', async () => {
    const res = await get('/agenda.ics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const text = res.text;
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text).toContain('X-WR-CALNAME:Agenda de Saint-Crieur');
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text).not.toMatch(/[^\r]\n/);
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain('DTSTART:20260713T190000Z');
    expect(unfolded).toContain('DTEND:20260713T233000Z');
    expect(unfolded).toContain('LOCATION:Place de la Mairie\\, Saint-Crieur\\; côté église');
    expect(unfolded).toContain(`UID:article-${party.id}@crieur.test`);
    expect(unfolded).toContain(`URL:http://crieur.test/actualites/${party.slug}?ref=ical`);
    expect(unfolded).not.toContain('Travaux rue du Moulin'); // no event
  });

  it('never cuts a line inside a character', () => {
    const folded = foldLine(`SUMMARY:${'é'.repeat(60)}🎉${'à'.repeat(30)}`);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`SUMMARY:${'é'.repeat(60)}🎉${'à'.repeat(30)}`);
  });
});

describe('page metadata', () => {
  const render = async (meta: unknown) => ejs.renderFile(path.join(VIEWS_DIR, 'site/partials/meta.ejs'), { meta, commune: await ctx.c.settings.get() });
  const visible = async (slug: string) => (await ctx.c.publicArticles.bySlug(slug)) as PublicArticle;

  it('describes an article with Open Graph, a large Twitter card and its 1200×630 image', async () => {
    const meta = await articleMeta(await visible(illustrated.slug), ctx.c);
    expect(meta.canonical).toBe(`http://crieur.test/actualites/${illustrated.slug}`);
    expect(meta.image).toMatchObject({ width: 1200, height: 630, alt: 'Des étals sur la place' });
    const html = await render(meta);
    expect(html).toContain('<meta property="og:type" content="article">');
    expect(html).toContain('<meta property="og:locale" content="fr_FR">');
    expect(html).toContain('<meta property="og:site_name" content="Saint-Crieur">');
    expect(html).toContain(`<meta property="og:image" content="${meta.image!.url}">`);
    expect(html).toContain('<meta property="og:image:width" content="1200">');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).toContain(`<link rel="canonical" href="http://crieur.test/actualites/${illustrated.slug}">`);
    expect(html).toContain('type="application/rss+xml"');
  });

  it('gives a NewsArticle and, for an event, an Event with its place, in JSON-LD that a title cannot break out of', async () => {
    const meta = await articleMeta(await visible(party.slug), ctx.c);
    const [news, event] = meta.jsonLd as Record<string, any>[];
    expect(news).toMatchObject({
      '@type': 'NewsArticle',
      headline: NASTY,
      publisher: { '@type': 'Organization', name: 'Saint-Crieur' },
      mainEntityOfPage: { '@id': meta.canonical },
    });
    expect(news!.datePublished).toMatch(/Z$/);
    expect(event).toMatchObject({
      '@type': 'Event',
      startDate: '2026-07-13T19:00:00.000Z',
      endDate: '2026-07-13T23:30:00.000Z',
      eventStatus: 'https://schema.org/EventScheduled',
      eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
      location: { '@type': 'Place', name: 'Place de la Mairie, Saint-Crieur; côté église', address: { addressLocality: 'Saint-Crieur', postalCode: '44000' } },
      organizer: { name: 'Saint-Crieur' },
    });
    const html = await render({ ...meta, jsonLd: [{ headline: '</script><script>alert(1)</script>' }] });
    expect(html).not.toContain('</script><script>');
    const json = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json).headline).toBe('</script><script>alert(1)</script>');
    expect(await render(meta)).toContain('&lt;masqué&gt;'); // og:title escaped
  });

  it('presents the home page as a WebSite with a search action', async () => {
    const meta = await homeMeta(ctx.c);
    expect(meta.jsonLd[0]).toMatchObject({
      '@type': 'WebSite',
      name: 'Saint-Crieur',
      potentialAction: { target: 'http://crieur.test/recherche?q={search_term_string}' },
    });
  });
});
