import pino from 'pino';
import request from 'supertest';
import { ALL_JOBS } from '../jobs';
import { createKnex } from '../server/db/knex';
import { EngagementRepository } from '../server/engagement/engagement.repository';
import { EngagementStore } from '../server/engagement/engagement.store';
import type { EngagementEvent } from '../server/engagement/engagement.types';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { publishArticle } from './helpers/site-data';

// The writing side of the reach statistics: the buffered store, Europe/Paris days (the nights the
// clocks change included), the nightly rollup and the purge, and the site's page views as they
// arrive through HTTP.

const FIREFOX = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SILENT = pino({ level: 'silent' });

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.c.engagement.flush();
  await ctx.c.audience.flush();
  await ctx.c.engagement.flush();
  for (const table of [
    'engagement_events',
    'engagement_daily',
    'engagement_monthly',
    'engagement_rollup_days',
    'audience_views',
    'audience_visitors',
    'audience_salts',
  ])
    await ctx.c.db(table).del();
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
});

interface Row {
  day: string;
  occurred_at: string;
  article_id: number | null;
  channel: string;
  kind: string;
  source: string;
  value: number;
}

async function events(where: Record<string, unknown> = {}): Promise<Row[]> {
  const rows = await ctx.c.db('engagement_events').where(where).orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({
    day: r.day as string,
    occurred_at: r.occurred_at as string,
    article_id: (r.article_id as number | null) ?? null,
    channel: r.channel as string,
    kind: r.kind as string,
    source: r.source as string,
    value: Number(r.value),
  }));
}

async function daily(day: string): Promise<Record<string, number>> {
  const rows: { article_id: number; channel: string; kind: string; source: string; total: unknown }[] = await ctx.c.db('engagement_daily').where({ day });
  return Object.fromEntries(rows.map((r) => [`${r.article_id}|${r.channel}|${r.kind}|${r.source}`, Number(r.total)]));
}

const job = (name: string) => ALL_JOBS.find((j) => j.name === name)!;

describe('the buffered store', () => {
  it('writes nothing until a flush, then one row per minute and kind whose value is the sum', async () => {
    const e = ctx.c.engagement;
    e.record({ channel: 'newsletter', kind: 'click', campaignId: 3, articleId: 7 });
    e.record({ channel: 'newsletter', kind: 'click', campaignId: 3, articleId: 7 });
    e.record({ channel: 'newsletter', kind: 'open', campaignId: 3 });
    e.record({ channel: 'newsletter', kind: 'open', campaignId: 3, value: 0 }); // nothing happened
    expect(await events()).toEqual([]);
    expect(await e.flush()).toBe(true);
    const rows = await events();
    expect(rows.map((r) => [r.kind, r.article_id, r.value])).toEqual([
      ['click', 7, 2],
      ['open', null, 1],
    ]);
    expect(rows[0]?.occurred_at).toBe('2026-03-15T09:00:00.000Z');
    expect(rows[0]?.day).toBe('2026-03-15');
  });

  it('writes as soon as the buffer is full, after a short delay otherwise, and what is left when it closes', async () => {
    const store = new EngagementStore(new EngagementRepository(ctx.c.db), ctx.clock, SILENT, { timeZone: 'Europe/Paris', maxBuffered: 3, flushEveryMs: 20 });
    const click = (articleId: number): EngagementEvent => ({ channel: 'newsletter', kind: 'click', articleId, campaignId: 1 });
    store.record(click(1), click(2), click(3)); // full: written without waiting for the timer
    for (let i = 0; i < 100 && (await events()).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await events()).toHaveLength(3);
    store.record(click(4)); // the timer writes it
    for (let i = 0; i < 100 && (await events()).length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await events()).toHaveLength(4);
    const slow = new EngagementStore(new EngagementRepository(ctx.c.db), ctx.clock, SILENT, { timeZone: 'Europe/Paris', flushEveryMs: 3_600_000 });
    slow.record(click(5));
    await slow.close();
    expect((await events()).map((r) => r.article_id)).toEqual([1, 2, 3, 4, 5]);
    slow.record(click(6)); // closed: ignored, never thrown
    await slow.flush();
    expect(await events()).toHaveLength(5);
  });

  it('is written by the program’s close(), before the database is closed', async () => {
    const other = await createTestContext();
    other.c.engagement.record({ channel: 'newsletter', kind: 'open', campaignId: 12 });
    await other.c.close();
    const db = createKnex(other.config);
    try {
      const rows = await db('engagement_events').select('kind', 'campaign_id', 'value');
      expect(rows.map((r: { kind: string; campaign_id: number; value: unknown }) => [r.kind, r.campaign_id, Number(r.value)])).toEqual([['open', 12, 1]]);
    } finally {
      await db.destroy();
      await other.close(); // drops the test database (closing twice is harmless)
    }
  });

  it('keeps the counts when the database refuses, and writes them once it answers again', async () => {
    const repo = new EngagementRepository(ctx.c.db);
    const real = repo.insert.bind(repo);
    let down = true;
    repo.insert = async (rows) => {
      if (down) throw new Error('database unavailable');
      return real(rows);
    };
    const store = new EngagementStore(repo, ctx.clock, SILENT, { timeZone: 'Europe/Paris', flushEveryMs: 3_600_000 });
    store.record({ channel: 'site', kind: 'view', source: 'direct' });
    expect(await store.flush()).toBe(false);
    store.record({ channel: 'site', kind: 'view', source: 'direct' });
    down = false;
    expect(await store.flush()).toBe(true);
    expect((await events()).map((r) => r.value)).toEqual([2]);
    await store.close();
  });
});

describe('Europe/Paris days', () => {
  async function dayOf(iso: string): Promise<string> {
    await ctx.c.engagement.ingest([{ channel: 'site', kind: 'view', source: 'direct', at: new Date(iso) }]);
    const rows = await events();
    await ctx.c.db('engagement_events').del();
    return rows[0]!.day;
  }

  it('puts an event on the calendar day of the town hall, in winter, in summer and on both nights the clocks change', async () => {
    // Winter (UTC+1): midnight in Paris is 23:00 UTC.
    expect(await dayOf('2026-01-15T22:59:59.000Z')).toBe('2026-01-15');
    expect(await dayOf('2026-01-15T23:00:00.000Z')).toBe('2026-01-16');
    // Summer (UTC+2): midnight in Paris is 22:00 UTC.
    expect(await dayOf('2026-07-14T21:59:59.000Z')).toBe('2026-07-14');
    expect(await dayOf('2026-07-14T22:00:00.000Z')).toBe('2026-07-15');
    // Sunday 29 March 2026, 02:00 → 03:00: a day of 23 hours, from 23:00 UTC to 22:00 UTC.
    expect(await dayOf('2026-03-28T23:00:00.000Z')).toBe('2026-03-29');
    expect(await dayOf('2026-03-29T00:59:59.000Z')).toBe('2026-03-29'); // 01:59:59 in Paris
    expect(await dayOf('2026-03-29T01:00:00.000Z')).toBe('2026-03-29'); // 03:00 in Paris
    expect(await dayOf('2026-03-29T21:59:59.000Z')).toBe('2026-03-29');
    expect(await dayOf('2026-03-29T22:00:00.000Z')).toBe('2026-03-30');
    // Sunday 25 October 2026, 03:00 → 02:00: a day of 25 hours, from 22:00 UTC to 23:00 UTC.
    expect(await dayOf('2026-10-24T21:59:59.000Z')).toBe('2026-10-24');
    expect(await dayOf('2026-10-24T22:00:00.000Z')).toBe('2026-10-25');
    expect(await dayOf('2026-10-25T00:30:00.000Z')).toBe('2026-10-25'); // 02:30, the first time
    expect(await dayOf('2026-10-25T01:30:00.000Z')).toBe('2026-10-25'); // 02:30, the second time
    expect(await dayOf('2026-10-25T22:59:59.000Z')).toBe('2026-10-25');
    expect(await dayOf('2026-10-25T23:00:00.000Z')).toBe('2026-10-26');
  });

  it('rolls up the 25 hours of the October night and the 23 hours of the March night into their own day', async () => {
    const hourly = (fromIso: string, hours: number) =>
      Array.from({ length: hours }, (_, h): EngagementEvent => ({
        channel: 'site',
        kind: 'view',
        source: 'direct',
        at: new Date(Date.parse(fromIso) + h * 3600_000),
      }));
    // Every hour from 20:00 UTC the day before to 02:00 UTC the day after.
    await ctx.c.engagement.ingest([...hourly('2026-10-24T20:00:00.000Z', 31), ...hourly('2026-03-28T20:00:00.000Z', 31)]);
    ctx.clock.set(new Date('2026-10-27T09:00:00.000Z'));
    await ctx.c.jobRunner.run(job('engagement-rollup'), 'manual');
    expect(await daily('2026-10-24')).toEqual({ '0|site|view|direct': 2 }); // 22:00 and 23:00 in Paris
    expect(await daily('2026-10-25')).toEqual({ '0|site|view|direct': 25 });
    expect(await daily('2026-10-26')).toEqual({ '0|site|view|direct': 4 }); // 00:00 to 03:00 in Paris
    expect(await daily('2026-03-28')).toEqual({ '0|site|view|direct': 3 }); // 21:00, 22:00, 23:00
    expect(await daily('2026-03-29')).toEqual({ '0|site|view|direct': 23 });
    expect(await daily('2026-03-30')).toEqual({ '0|site|view|direct': 5 });
  });
});

describe('the nightly rollup', () => {
  it('totals finished days only, per article, channel, kind and source, and running it again changes nothing', async () => {
    ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
    const at = (iso: string) => new Date(iso);
    await ctx.c.engagement.ingest([
      { channel: 'site', kind: 'view', articleId: 4, source: 'search', at: at('2026-03-13T10:00:00.000Z') },
      { channel: 'site', kind: 'view', articleId: 4, source: 'search', value: 2, at: at('2026-03-13T11:00:00.000Z') },
      { channel: 'site', kind: 'view', articleId: null, source: 'direct', at: at('2026-03-13T12:00:00.000Z') },
      { channel: 'mastodon', kind: 'reaction', articleId: 4, publicationId: 9, value: 5, at: at('2026-03-14T12:00:00.000Z') },
      { channel: 'mastodon', kind: 'reaction', articleId: 4, publicationId: 9, value: -1, at: at('2026-03-14T13:00:00.000Z') },
      { channel: 'site', kind: 'view', articleId: 4, source: 'direct', at: at('2026-03-15T08:00:00.000Z') }, // today
    ]);
    const first = await ctx.c.jobRunner.run(job('engagement-rollup'), 'manual');
    expect(first).toMatchObject({ ran: true, ok: true });
    expect(await daily('2026-03-13')).toEqual({ '4|site|view|search': 3, '0|site|view|direct': 1 });
    expect(await daily('2026-03-14')).toEqual({ '4|mastodon|reaction|': 4 });
    expect(await daily('2026-03-15')).toEqual({});
    const listed = (await ctx.c.db('engagement_rollup_days').orderBy('day')).map((r: { day: string }) => r.day);
    expect(listed).toEqual(['2026-03-13', '2026-03-14']);

    await ctx.c.engagementRollup.rollUp();
    await ctx.c.engagementRollup.rollUpDay('2026-03-13');
    expect(await daily('2026-03-13')).toEqual({ '4|site|view|search': 3, '0|site|view|direct': 1 });
    expect(await daily('2026-03-14')).toEqual({ '4|mastodon|reaction|': 4 });

    // Just after midnight the 15th is finished; a count of 23:59 written after that run is in
    // the next run's total, which replaces the first.
    ctx.clock.set(new Date('2026-03-15T23:05:00.000Z'));
    await ctx.c.engagementRollup.rollUp();
    expect(await daily('2026-03-15')).toEqual({ '4|site|view|direct': 1 });
    await ctx.c.engagement.ingest([{ channel: 'mastodon', kind: 'reaction', articleId: 4, publicationId: 9, value: 2, at: at('2026-03-15T22:59:00.000Z') }]);
    ctx.clock.set(new Date('2026-03-16T02:30:00.000Z'));
    await ctx.c.engagementRollup.rollUp();
    expect(await daily('2026-03-15')).toEqual({ '4|site|view|direct': 1, '4|mastodon|reaction|': 2 });
    expect(await daily('2026-03-14')).toEqual({ '4|mastodon|reaction|': 4 });
  });

  it('keeps real figures and demo history apart, and removing the demo leaves the real ones', async () => {
    await ctx.c.engagement.ingest([
      { channel: 'site', kind: 'view', source: 'direct', at: new Date('2026-03-10T10:00:00.000Z') },
      { channel: 'site', kind: 'view', source: 'direct', value: 40, demo: true, at: new Date('2026-03-10T10:00:00.000Z') },
    ]);
    await ctx.c.engagementRollup.rollUp();
    const rows = await ctx.c.db('engagement_daily').where({ day: '2026-03-10' }).orderBy('total');
    expect(rows.map((r: { demo: unknown; total: unknown }) => [Boolean(r.demo), Number(r.total)])).toEqual([
      [false, 1],
      [true, 40],
    ]);
    expect(await ctx.c.engagement.removeDemo()).toBe(1);
    expect(await daily('2026-03-10')).toEqual({ '0|site|view|direct': 1 });
    expect(await events()).toHaveLength(1);
  });
});

describe('the purge', () => {
  it('deletes raw events older than the retention of the settings, after totalling their days; totals stay', async () => {
    ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
    await ctx.c.engagement.ingest([
      { channel: 'site', kind: 'view', source: 'direct', value: 3, at: new Date('2024-02-14T12:00:00.000Z') }, // 25 months and a day
      { channel: 'site', kind: 'view', source: 'direct', value: 5, at: new Date('2024-02-15T12:00:00.000Z') }, // 25 months exactly
      { channel: 'site', kind: 'view', source: 'direct', value: 7, at: new Date('2025-06-01T12:00:00.000Z') },
    ]);
    // The default: 25 months. The oldest day was never rolled up: it is totalled, then deleted.
    const run = await ctx.c.jobRunner.run(job('engagement-purge'), 'manual');
    expect(run).toMatchObject({ ran: true, ok: true });
    expect((await events()).map((r) => r.day)).toEqual(['2024-02-15', '2025-06-01']);
    expect(await daily('2024-02-14')).toEqual({ '0|site|view|direct': 3 });

    // An administrator keeps 6 months only.
    const admin = await loginAs(ctx, 'admin');
    const form = await admin.agent.get('/admin/settings');
    expect(form.text).toContain('name="statsRetentionMonths"');
    expect(form.text).toContain('value="25"');
    expect(form.text).toContain('La CNIL limite cette durée à 25 mois.');
    const values = Object.fromEntries([...form.text.matchAll(/<input id="(\w+)" name="\w+" type="[\w-]+" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    for (const bad of ['0', '26', 'douze', '']) {
      const res = await admin.agent
        .post('/admin/settings')
        .type('form')
        .send({ ...values, a11yStatus: 'non', _csrf: csrfFrom(form.text), statsRetentionMonths: bad });
      if (bad === '') {
        expect(res.status).toBe(302); // empty: the default, 25
        continue;
      }
      expect(res.status).toBe(400);
      expect(res.text).toContain('Indiquez un nombre de mois entre 1 et 25.');
    }
    expect((await ctx.c.settings.get()).statsRetentionMonths).toBe(25);
    const saved = await admin.agent
      .post('/admin/settings')
      .type('form')
      .send({ ...values, a11yStatus: 'non', _csrf: csrfFrom(form.text), statsRetentionMonths: '6' });
    expect(saved.status).toBe(302);
    expect((await ctx.c.settings.get()).statsRetentionMonths).toBe(6);
    expect(await ctx.c.engagementRollup.purge()).toEqual({ rolledUp: 2, events: 2 });
    expect(await events()).toEqual([]);
    expect(await daily('2024-02-15')).toEqual({ '0|site|view|direct': 5 });
    expect(await daily('2025-06-01')).toEqual({ '0|site|view|direct': 7 });
    await ctx.c.settings.initialize({ ...(await ctx.c.settings.get()), statsRetentionMonths: 25 });
  });
});

describe('the site’s page views', () => {
  it('records each counted view with its article and source, and each new visitor of the day as a count, through HTTP', async () => {
    const article = await publishArticle(ctx.c, { title: 'Fête de la musique', summary: 'Sur la place.', bodyMd: 'Scène ouverte.' });
    const url = `/actualites/${article.slug}`;
    const get = (path: string, ua: string, ip: string) => request(ctx.handler).get(path).set('User-Agent', ua).set('X-Forwarded-For', ip);
    expect((await get(`${url}?ref=newsletter`, FIREFOX, '198.51.100.7')).status).toBe(200);
    expect((await get(url, FIREFOX, '198.51.100.7').set('Referer', 'https://www.google.fr/')).status).toBe(200); // same reader
    expect((await get(url, SAFARI, '203.0.113.9').set('Referer', 'https://www.google.fr/')).status).toBe(200);
    expect((await get('/', SAFARI, '203.0.113.9')).status).toBe(200);
    // Not counted: a robot, a reader who asks not to be measured.
    await get(url, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', '66.249.66.1');
    await request(ctx.handler).get(url).set('User-Agent', FIREFOX).set('Sec-GPC', '1');
    await ctx.c.audience.flush(); // hands the visitors over
    await ctx.c.engagement.flush();
    const rows = await events({ channel: 'site' });
    const views = rows.filter((r) => r.kind === 'view').map((r) => [r.article_id, r.source, r.value]);
    expect(views).toEqual(
      expect.arrayContaining([
        [article.id, 'newsletter', 1],
        [article.id, 'search', 2],
        [null, 'direct', 1],
      ]),
    );
    expect(views).toHaveLength(3);
    expect(rows.filter((r) => r.kind === 'visitor').map((r) => [r.article_id, r.value, r.day])).toEqual([[null, 2, '2026-03-15']]);

    // The same two readers later that day are not new visitors; a third one is.
    ctx.clock.advance(3600_000);
    await get(url, FIREFOX, '198.51.100.7');
    await get(url, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', '192.0.2.44');
    await ctx.c.audience.flush();
    await ctx.c.engagement.flush();
    const visitors = (await events({ channel: 'site', kind: 'visitor' })).reduce((n, r) => n + r.value, 0);
    expect(visitors).toBe(3);
    // The existing audience page still reads its own tables.
    const report = await ctx.c.audience.report({ days: 7, limit: 10, offset: 0 });
    expect(report.articles.map((r) => r.articleId)).toContain(article.id);
    expect(report.visitorDays).toBe(3);
  });

  it('stores nothing personal: no address, no browser, no hash, no subscriber, only these columns', async () => {
    const article = await publishArticle(ctx.c, { title: 'Collecte des encombrants', summary: 'Le 3 avril.', bodyMd: 'Inscription en mairie.' });
    await request(ctx.handler).get(`/actualites/${article.slug}`).set('User-Agent', FIREFOX).set('X-Forwarded-For', '198.51.100.250');
    await ctx.c.audience.flush();
    await ctx.c.engagement.flush();
    const raw = await ctx.c.db('engagement_events').select('*');
    expect(raw.length).toBeGreaterThan(0);
    for (const row of raw) {
      expect(Object.keys(row).sort()).toEqual(
        ['article_id', 'campaign_id', 'channel', 'day', 'demo', 'id', 'kind', 'occurred_at', 'publication_id', 'source', 'value'].sort(),
      );
      const text = JSON.stringify(row);
      expect(text).not.toMatch(/198\.51|Firefox|Mozilla|@/);
    }
  });
});
