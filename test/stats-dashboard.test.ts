import { plainSpaces } from './helpers/typography';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { addEvents, clearEngagement, figureText, rollUpDay, tableRows, visibleText } from './helpers/engagement-events';
import type TestAgent from 'supertest/lib/agent';

let ctx: TestContext;
let elected: TestAgent;
let admin: TestAgent;
let editor: TestAgent;

beforeAll(async () => {
  ctx = await createTestContext();
  elected = (await loginAs(ctx, 'elected')).agent;
  admin = (await loginAs(ctx, 'admin')).agent;
  editor = (await loginAs(ctx, 'editor')).agent;
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await clearEngagement(ctx.c);
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
});

async function page(url: string, agent: TestAgent = elected): Promise<string> {
  const res = await agent.get(url);
  expect(res.status).toBe(200);
  return res.text;
}

describe('the totals of the dashboard, against the previous period', () => {
  it('adds site visitors, newsletter deliveries and social impressions, and compares them with the 7 days before', async () => {
    const art = await makeArticle(ctx.c, { title: 'Fermeture de la piscine' });
    // Sunday 15 March 2026, 10:00 in Paris: "7 days" is 9-15 March, the previous period 2-8 March.
    await addEvents(ctx.c, [
      { at: '2026-03-08T23:00:00Z', channel: 'site', kind: 'visitor', value: 10 }, // 9 March 00:00 Paris: in
      { at: '2026-03-08T22:59:00Z', channel: 'site', kind: 'visitor', value: 4 }, // 8 March 23:59 Paris: before
      { at: '2026-03-15T08:00:00Z', channel: 'site', kind: 'visitor', value: 5 }, // today, raw events
      { at: '2026-03-15T08:00:00Z', channel: 'site', kind: 'view', articleId: art, source: 'search', value: 9 },
      { at: '2026-03-12T07:00:00Z', channel: 'newsletter', kind: 'delivery', value: 100 },
      { at: '2026-03-12T07:00:00Z', channel: 'newsletter', kind: 'article_delivery', articleId: art, value: 100 },
      { at: '2026-03-12T09:00:00Z', channel: 'newsletter', kind: 'open', value: 40 },
      { at: '2026-03-12T09:00:00Z', channel: 'newsletter', kind: 'click', articleId: art, value: 7 },
      { at: '2026-03-13T10:00:00Z', channel: 'facebook', kind: 'impression', articleId: art, publicationId: 1, value: 50 },
      { at: '2026-03-13T10:00:00Z', channel: 'facebook', kind: 'share', articleId: art, publicationId: 1, value: 2 },
      { at: '2026-03-13T10:00:00Z', channel: 'mastodon', kind: 'reaction', articleId: art, publicationId: 2, value: 3 },
      { at: '2026-03-05T10:00:00Z', channel: 'mastodon', kind: 'reaction', articleId: art, publicationId: 2, value: 6 },
      { at: '2026-03-10T10:00:00Z', channel: 'newsletter', kind: 'subscribe', value: 4 },
      { at: '2026-03-10T11:00:00Z', channel: 'newsletter', kind: 'unsubscribe', value: 1 },
      { at: '2026-03-03T11:00:00Z', channel: 'newsletter', kind: 'unsubscribe', value: 2 },
    ]);
    const expectTotals = (html: string) => {
      // 10 + 5 visitors, 100 deliveries, 50 impressions; before: 4 visitors.
      expect(figureText(html, 'reached')).toBe(
        'Personnes atteintes 165 ▲ en hausse de 4 025 % (4 sur la période précédente) 15 visiteurs du site, 100 lettres remises, 50 affichages sur les réseaux',
      );
      // 7 clicks + 2 shares + 3 reactions, against 6 reactions.
      expect(figureText(html, 'interactions')).toContain('12 ▲ en hausse de 100 % (6 sur la période précédente)');
      expect(figureText(html, 'growth')).toBe('Évolution nette : +3 — ▲ en hausse de 250 % (-2 sur la période précédente)');
      expect(figureText(html, 'unsubscribes')).toBe('Désabonnements : 1 — ▼ en baisse de 50 % (2 sur la période précédente)');
    };
    const raw = await page('/admin?periode=7j');
    expect(visibleText(raw)).toContain('Du 9 mars 2026 au 15 mars 2026, comparé au 2 mars 2026 – 8 mars 2026');
    expectTotals(raw);
    // Once the past nights are rolled up (except the 11th, a night the job missed), the same figures.
    for (const day of ['2026-03-02', '2026-03-03', '2026-03-05', '2026-03-08', '2026-03-09', '2026-03-10', '2026-03-12', '2026-03-13', '2026-03-14'])
      await rollUpDay(ctx.c, day);
    expect(await ctx.c.db('engagement_daily').count({ n: '*' }).first()).not.toEqual({ n: 0 });
    expectTotals(await page('/admin?periode=7j'));
    // The rollup is what is read for a rolled-up day: its raw events are not counted a second time.
    await ctx.c.db('engagement_events').where('day', '2026-03-12').del();
    expectTotals(await page('/admin?periode=7j'));
  });

  it('sees a day rolled up again (the remembered totals of rolled-up days follow the rollups)', async () => {
    await addEvents(ctx.c, [{ at: '2026-03-10T10:00:00Z', channel: 'site', kind: 'visitor', value: 8 }]);
    await rollUpDay(ctx.c, '2026-03-10');
    expect(figureText(await page('/admin?periode=7j'), 'reached')).toMatch(/^Personnes atteintes 8 /);
    await addEvents(ctx.c, [{ at: '2026-03-10T11:00:00Z', channel: 'site', kind: 'visitor', value: 5 }]);
    // Not rolled again yet: the rolled-up totals are what counts for that day.
    expect(figureText(await page('/admin?periode=7j'), 'reached')).toMatch(/^Personnes atteintes 8 /);
    await rollUpDay(ctx.c, '2026-03-10');
    expect(figureText(await page('/admin?periode=7j'), 'reached')).toMatch(/^Personnes atteintes 13 /);
    // Today's events show at once, whatever was remembered.
    await addEvents(ctx.c, [{ at: '2026-03-15T08:59:00Z', channel: 'site', kind: 'visitor', value: 100 }]);
    expect(figureText(await page('/admin?periode=7j'), 'reached')).toMatch(/^Personnes atteintes 113 /);
  });

  it('counts the subscribers of the list as they are now', async () => {
    const now = ctx.clock.now().toISOString();
    await ctx.c.db('subscribers').insert(
      ['a', 'b', 'c'].map((x, i) => ({
        email: `${x}@habitant.test`,
        status: i < 2 ? 'confirmed' : 'pending',
        source: 'form',
        created_at: now,
        alerts_only: false,
        tracking: false,
      })),
    );
    expect(figureText(await page('/admin'), 'subscribers')).toMatch(/^Abonnés à la lettre 2 /);
    await ctx.c.db('subscribers').del();
  });

  it('says so when there is nothing to compare, and shows empty states', async () => {
    const html = await page('/admin?periode=30j');
    expect(figureText(html, 'reached')).toContain('0 = stable (0 sur la période précédente)');
    expect(visibleText(html)).toContain('Aucun article n’a encore de chiffres sur cette période.');
  });
});

describe('periods in Europe/Paris, on the nights the clocks change', () => {
  it('starts "7 days" at midnight Paris time on the night clocks go forward (last Sunday of March)', async () => {
    // 29 March 2026 is the last Sunday of March: 02:00 CET became 03:00 CEST. 22:30 UTC is already 30 March 00:30 in Paris.
    ctx.clock.set(new Date('2026-03-29T22:30:00Z'));
    await addEvents(ctx.c, [
      { at: '2026-03-23T22:59:00Z', channel: 'site', kind: 'visitor', value: 1 }, // 23 March 23:59 CET: previous period
      { at: '2026-03-23T23:00:00Z', channel: 'site', kind: 'visitor', value: 20 }, // 24 March 00:00 CET: first day
      { at: '2026-03-29T00:30:00Z', channel: 'site', kind: 'visitor', value: 300 }, // 29 March 01:30 CET
      { at: '2026-03-29T01:30:00Z', channel: 'site', kind: 'visitor', value: 4000 }, // 29 March 03:30 CEST (02:xx never existed)
      { at: '2026-03-29T21:59:00Z', channel: 'site', kind: 'visitor', value: 50000 }, // 29 March 23:59 CEST
      { at: '2026-03-29T22:00:00Z', channel: 'site', kind: 'visitor', value: 600000 }, // 30 March 00:00 CEST: today
    ]);
    const html = await page('/admin?periode=7j');
    expect(visibleText(html)).toContain('Du 24 mars 2026 au 30 mars 2026');
    expect(figureText(html, 'reached')).toMatch(/^Personnes atteintes 654 320 ▲ en hausse de .* \(1 sur la période précédente\)/);
    const rows = tableRows(html, 'Site internet : chiffres par période');
    expect(rows.map((r) => [r[0], r[2]])).toEqual([
      ['24 mars', '20'],
      ['25 mars', '0'],
      ['26 mars', '0'],
      ['27 mars', '0'],
      ['28 mars', '0'],
      ['29 mars', '54 300'],
      ['30 mars', '600 000'],
    ]);
  });

  it('keeps the 25-hour night of October in its one day, and "last month" ends at midnight Paris time', async () => {
    // 1 November 2026, 01:30 in Paris (00:30 UTC): last month is October, 1-31, against September.
    ctx.clock.set(new Date('2026-11-01T00:30:00Z'));
    await addEvents(ctx.c, [
      { at: '2026-09-30T21:59:00Z', channel: 'newsletter', kind: 'delivery', value: 1 }, // 30 Sept 23:59 CEST: previous
      { at: '2026-09-30T22:00:00Z', channel: 'newsletter', kind: 'delivery', value: 10 }, // 1 Oct 00:00 CEST
      { at: '2026-10-25T00:30:00Z', channel: 'newsletter', kind: 'delivery', value: 100 }, // 25 Oct 02:30 CEST
      { at: '2026-10-25T01:30:00Z', channel: 'newsletter', kind: 'delivery', value: 1000 }, // 25 Oct 02:30 CET, the hour lived twice
      { at: '2026-10-25T22:59:00Z', channel: 'newsletter', kind: 'delivery', value: 10000 }, // 25 Oct 23:59 CET
      { at: '2026-10-31T22:59:00Z', channel: 'newsletter', kind: 'delivery', value: 100000 }, // 31 Oct 23:59 CET
      { at: '2026-10-31T23:00:00Z', channel: 'newsletter', kind: 'delivery', value: 1000000 }, // 1 Nov 00:00 CET: not October
    ]);
    const html = await page('/admin?periode=mois-precedent');
    expect(visibleText(html)).toContain('Du 1 octobre 2026 au 31 octobre 2026, comparé au 31 août 2026 – 30 septembre 2026');
    expect(figureText(html, 'reached')).toMatch(/^Personnes atteintes 111 110 ▲ en hausse de .* \(1 sur la période précédente\)/);
    const rows = tableRows(html, 'Lettre d’information : chiffres par période');
    expect(rows).toHaveLength(31);
    expect(rows.find((r) => r[0] === '25 oct.')?.[1]).toBe('11 100');
    expect(rows.find((r) => r[0] === '1 oct.')?.[1]).toBe('10');
    expect(rows.find((r) => r[0] === '31 oct.')?.[1]).toBe('100 000');
  });

  it('reads chosen dates and a year by month, and refuses dates in the wrong order with a clear message', async () => {
    await addEvents(ctx.c, [
      { at: '2026-01-10T10:00:00Z', channel: 'site', kind: 'visitor', value: 3 },
      { at: '2025-03-16T10:00:00Z', channel: 'site', kind: 'visitor', value: 7 }, // first day of "12 months"
      { at: '2025-03-15T10:00:00Z', channel: 'site', kind: 'visitor', value: 1000 }, // a year ago today: previous period
    ]);
    const dates = await page('/admin?periode=dates&du=2026-01-01&au=2026-01-31');
    expect(figureText(dates, 'reached')).toMatch(/^Personnes atteintes 3 /);
    expect(visibleText(dates)).toContain('comparé au 1 décembre 2025 – 31 décembre 2025');
    const year = await page('/admin?periode=annee');
    expect(figureText(year, 'reached')).toMatch(/^Personnes atteintes 10 ▼ en baisse de 99 % \(1 000 sur la période précédente\)/);
    const months = tableRows(year, 'Site internet : chiffres par période');
    expect(months.map((r) => r[0])).toEqual([
      'mars 2025',
      'avril 2025',
      'mai 2025',
      'juin 2025',
      'juillet 2025',
      'août 2025',
      'septembre 2025',
      'octobre 2025',
      'novembre 2025',
      'décembre 2025',
      'janvier 2026',
      'février 2026',
      'mars 2026',
    ]);
    expect(months[0]?.[2]).toBe('7');
    const res = await elected.get('/admin?tri=titre%3Bdrop');
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('Ce tri n’existe pas.');
  });

  it('shows the dashboard again when the chosen dates cannot be, with the message beside the fields and the dates kept', async () => {
    await addEvents(ctx.c, [{ at: '2026-03-10T10:00:00Z', channel: 'site', kind: 'visitor', value: 3 }]);
    for (const [query, message, du, au, invalid] of [
      ['periode=dates&du=2026-02-20&au=2026-02-10', 'La date de début doit précéder la date de fin.', '2026-02-20', '2026-02-10', ['du', 'au']],
      ['periode=dates&du=2026-02-30&au=2026-03-01', 'Indiquez les deux dates de la période (jour, mois et année).', '2026-02-30', '2026-03-01', ['du', 'au']],
      ['periode=dates&du=&au=2026-03-01', 'Indiquez les deux dates de la période (jour, mois et année).', '', '2026-03-01', ['du', 'au']],
      ['periode=dates&du=2020-01-01&au=2026-01-01', 'Choisissez une période de trois ans au plus.', '2020-01-01', '2026-01-01', ['du', 'au']],
      ['periode=hier', 'Choisissez une période dans la liste, ou deux dates.', '', '', ['periode']],
    ] as const) {
      for (const path of ['/admin', '/admin/stats/articles/' + (await makeArticle(ctx.c, { title: 'Marché de Noël' }))]) {
        const res = await elected.get(`${path}?${query}`);
        expect(res.status).toBe(400);
        const html = res.text;
        // The page is still the figures page: the period chooser, then the last 30 days' figures.
        expect(html).toContain('class="filters stats-period"');
        if (path === '/admin') expect(figureText(html, 'reached')).toMatch(/^Personnes atteintes 3 /);
        expect(visibleText(html)).toContain('Du 14 février 2026 au 15 mars 2026');
        const error = /<p class="field-error stats-period-error" id="stats-period-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
        expect(plainSpaces(error)).toBe(`${message} Voici les 30 derniers jours en attendant.`);
        const fields = Object.fromEntries([...html.matchAll(/<(?:input|select)[^>]*? id="([^"]+)"[^>]*>/g)].map((m) => [m[1], m[0]]));
        expect(fields.du).toContain(`value="${du}"`);
        expect(fields.au).toContain(`value="${au}"`);
        for (const id of ['periode', 'du', 'au']) {
          const marked = (invalid as readonly string[]).includes(id);
          expect(fields[id]?.includes('aria-invalid="true" aria-describedby="stats-period-error"')).toBe(marked);
        }
      }
    }
  });
});

describe('the charts', () => {
  it('are SVG drawn by Crieur, with a title, a description, line patterns and markers, and their data table', async () => {
    await addEvents(ctx.c, [
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', value: 12, articleId: 1 },
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'visitor', value: 5 },
    ]);
    const html = await page('/admin?periode=7j');
    const svg = /<svg class="chart" id="canal-site-chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="canal-site-chart-title">Site internet : évolution sur la période</title>');
    expect(svg).toContain('<desc id="canal-site-chart-desc">Du 9 mars au 15 mars : Vues 12, Visiteurs 5.</desc>');
    expect(svg).toContain('stroke-dasharray="7 4"'); // the second series is dashed…
    expect(svg).toMatch(/<rect [^>]*width="6"/); // …with square markers
    expect(tableRows(html, 'Site internet : chiffres par période').find((r) => r[0] === '14 mars')).toEqual(['14 mars', '12', '5']);
    expect(html).not.toMatch(/<script(?![^>]*src=)/);
  });
});

describe('the articles', () => {
  it('lists every article with its reach per channel, sorted and paginated, and the five that did best', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 27; i++) ids.push(await makeArticle(ctx.c, { title: `Article numéro ${i}` }));
    await addEvents(
      ctx.c,
      ids.map((id, i) => ({ at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: id, value: i + 1 })),
    );
    await addEvents(ctx.c, [
      { at: '2026-03-14T10:00:00Z', channel: 'newsletter', kind: 'article_delivery', articleId: ids[0]!, value: 500 },
      { at: '2026-03-14T10:00:00Z', channel: 'x', kind: 'impression', articleId: ids[1]!, value: 80 },
      { at: '2026-03-14T10:00:00Z', channel: 'mastodon', kind: 'reaction', articleId: ids[1]!, value: 4 },
      { at: '2026-03-14T10:00:00Z', channel: 'mastodon', kind: 'share', articleId: ids[1]!, value: 1 },
    ]);
    const html = await page('/admin?periode=7j');
    const top = visibleText(/<ol class="stats-top"[\s\S]*?<\/ol>/.exec(html)![0]);
    expect(top).toBe(
      'Article numéro 1 — 501 personnes atteintes, 0 interactions Article numéro 2 — 82 personnes atteintes, 5 interactions Article numéro 27 — 27 personnes atteintes, 0 interactions Article numéro 26 — 26 personnes atteintes, 0 interactions Article numéro 25 — 25 personnes atteintes, 0 interactions',
    );
    const rows = tableRows(html, 'Portée des articles par canal');
    expect(rows).toHaveLength(25);
    // Columns: article, site, newsletter, Mastodon, X, interactions, total.
    expect(rows[0]).toEqual(['Article numéro 1', '1', '500', '0', '0', '0', '501']);
    expect(rows[1]).toEqual(['Article numéro 2', '2', '0', 'non communiqué', '80', '5', '82']);
    expect(visibleText(html)).toContain('Page 1 sur 2');
    const second = tableRows(await page('/admin?periode=7j&page=2'), 'Portée des articles par canal');
    expect(second.map((r) => r[0])).toEqual(['Article numéro 4', 'Article numéro 3']);
    const bySiteAsc = tableRows(await page('/admin?periode=7j&tri=site&ordre=asc'), 'Portée des articles par canal');
    expect(bySiteAsc.slice(0, 3).map((r) => r[1])).toEqual(['1', '2', '3']);
    const byX = await page('/admin?periode=7j&tri=x&ordre=desc');
    expect(tableRows(byX, 'Portée des articles par canal')[0]?.[0]).toBe('Article numéro 2');
    expect(byX).toMatch(/aria-sort="descending"><a href="\?periode=7j&amp;tri=x&amp;ordre=asc#stats-articles">X \(Twitter\) \(affichages\)/);
  });

  it('has a page per article: its publications and their figures over time, and where its readers came from', async () => {
    const art = await makeArticle(ctx.c, { title: 'Marché de Noël' });
    const account = await makeTestAccount(ctx.c);
    const pub = await makePublication(ctx.c, art, account, ctx.clock.now());
    const site = (await ctx.c.accounts.list()).find((a) => a.channel === 'site')!;
    const sitePub = await makePublication(ctx.c, art, site.id, ctx.clock.now());
    await addEvents(ctx.c, [
      { at: '2026-03-13T10:00:00Z', channel: 'site', kind: 'view', articleId: art, source: 'search', value: 30 },
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: art, source: 'newsletter', value: 10 },
      { at: '2026-03-13T10:00:00Z', channel: 'test', kind: 'reaction', articleId: art, publicationId: pub, value: 6 },
      { at: '2026-03-14T10:00:00Z', channel: 'test', kind: 'reaction', articleId: art, publicationId: pub, value: 2 },
    ]);
    const html = await page(`/admin/stats/articles/${art}?periode=7j`);
    const text = visibleText(html);
    expect(text).toContain('Chiffres de « Marché de Noël »');
    expect(figureText(html, 'reach')).toBe('Personnes atteintes 40 40 vues sur le site, 0 destinataires de la lettre');
    expect(text).toContain('Réactions : 8');
    expect(tableRows(html, 'chiffres par période').filter((r) => r[0] === '13 mars' || r[0] === '14 mars')).toEqual([
      ['13 mars', '30', '0'],
      ['14 mars', '10', '0'],
    ]);
    const pubRows = tableRows(html.slice(html.indexOf('stats-publications')), 'chiffres par période');
    expect(pubRows.filter((r) => r[1] !== '0')).toEqual([
      ['13 mars', '6'],
      ['14 mars', '2'],
    ]);
    // The site's publication shows the article's site views (counted per article, not per publication).
    const siteSection = html.slice(html.indexOf(`id="pub-${sitePub}"`));
    expect(visibleText(siteSection.slice(0, siteSection.indexOf('</section>')))).toContain('Vues : 40');
    expect(tableRows(siteSection, 'chiffres par période').filter((r) => r[1] !== '0')).toEqual([
      ['13 mars', '30'],
      ['14 mars', '10'],
    ]);
    expect(tableRows(html, 'par provenance')).toEqual([
      ['Moteurs de recherche', '30', '75 %'],
      ['Lettre d’information', '10', '25 %'],
    ]);
    expect((await elected.get('/admin/stats/articles/999999')).status).toBe(404);
    expect((await elected.get('/admin/stats/articles/abc')).status).toBe(404);
  });
});

describe('who sees the figures', () => {
  it('shows the dashboard to élus and administrators, not to editors, who keep their home page', async () => {
    expect(await page('/admin', admin)).toContain('data-figure="reached"');
    const home = await editor.get('/admin');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('data-figure="reached"');
    expect(home.text).toContain('Prochaines publications');
    for (const url of ['/admin/stats/articles/1', '/admin/stats/export.csv', '/admin/stats/rapport', '/admin/stats/rapport-par-email']) {
      expect((await editor.get(url)).status).toBe(403);
    }
  });
});
