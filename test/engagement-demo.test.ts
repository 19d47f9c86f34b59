import pino from 'pino';
import { createContainer } from '../server/container';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { figureText, tableRows, visibleText } from './helpers/engagement-events';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import { DEMO_HISTORY_DAYS, demoHistory } from '../server/engagement/demo-history';
import { addDays } from '../server/audience/audience.days';

// The demo commune's 90 days of figures: generated at first start, marked demo, totalled, and
// removable without touching real figures.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
});
afterAll(async () => {
  // The demo's pictures are still being resized in the background: waited for before closing.
  await ctx.c.media.idle();
  await ctx.close();
}, 120_000);

async function totals(where: Record<string, unknown>): Promise<Map<string, number>> {
  const rows: { day: string; n: unknown }[] = await ctx.c.db('engagement_daily').where(where).select('day').sum({ n: 'total' }).groupBy('day');
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

describe('the demo commune’s history', () => {
  it('ships 90 days of visits, letters and social figures for its own articles, marked demo and totalled per day', async () => {
    expect(await loadDemoIfEmpty(ctx.c)).toBe(true);
    const today = '2026-11-22';
    const events = await ctx.c.db('engagement_events');
    expect(events.length).toBeGreaterThan(1000);
    expect(events.every((e: { demo: unknown }) => Boolean(e.demo))).toBe(true);
    const days = [...new Set(events.map((e: { day: string }) => e.day))].sort();
    expect(days[0]).toBe(addDays(today, -DEMO_HISTORY_DAYS));
    expect(days.at(-1)).toBe(addDays(today, -1));

    // Every finished day is totalled, and the totals equal the events.
    const rolled = (await ctx.c.db('engagement_rollup_days').pluck('day')) as string[];
    for (const d of days) expect(rolled).toContain(d);
    const rawSum = events.reduce((n: number, e: { value: unknown }) => n + Number(e.value), 0);
    const dailySum = [...(await totals({ demo: true })).values()].reduce((a, b) => a + b, 0);
    expect(dailySum).toBe(rawSum);

    // Figures of articles are the demo's own published articles, after their publication.
    const articles = await ctx.c.db('articles').select('id', 'publish_at');
    const publishedAt = new Map(articles.map((a: { id: number; publish_at: string | null }) => [a.id, a.publish_at]));
    for (const e of events.filter((x: { article_id: number | null }) => x.article_id !== null)) {
      expect(publishedAt.has(e.article_id)).toBe(true);
      expect(String(publishedAt.get(e.article_id)) <= e.occurred_at).toBe(true);
    }

    // Site views name the article's site publication, which the demo records as sent; an
    // article's page shows that publication's figures over time and where its readers came from.
    const tagged = events.filter((e: { publication_id: number | null }) => e.publication_id !== null);
    expect(tagged.length).toBeGreaterThan(100);
    const sitePubs = new Map(
      (await ctx.c.db('publications').where({ channel: 'site', status: 'sent' }).select('id', 'article_id')).map((p: { id: number; article_id: number }) => [
        p.id,
        p.article_id,
      ]),
    );
    for (const e of tagged) {
      expect([e.channel, e.kind]).toEqual(['site', 'view']);
      expect(sitePubs.get(e.publication_id)).toBe(e.article_id);
    }
    const [pubId, articleId] = [...sitePubs][0]!;
    const articlePage = (await (await loginAs(ctx, 'elected')).agent.get(`/admin/stats/articles/${articleId}?periode=annee`)).text;
    const section = articlePage.slice(articlePage.indexOf(`id="pub-${pubId}"`));
    expect(visibleText(section.slice(0, section.indexOf('</section>')))).toMatch(/Vues : [1-9]/);
    expect(tableRows(articlePage, 'par provenance').length).toBeGreaterThanOrEqual(4);

    // The site's weekly rhythm: weekdays busier than weekends.
    const views = await totals({ demo: true, channel: 'site', kind: 'view', article_id: 0 });
    const avg = (pick: (weekday: number) => boolean) => {
      const picked = [...views].filter(([d]) => pick(new Date(`${d}T12:00:00Z`).getUTCDay())).map(([, n]) => n);
      return picked.reduce((a, b) => a + b, 0) / picked.length;
    };
    expect(avg((w) => w >= 1 && w <= 5)).toBeGreaterThan(avg((w) => w === 0 || w === 6) * 1.3);

    // A letter every Friday, with clicks; a list that grows; each network has figures.
    const deliveries = await totals({ demo: true, channel: 'newsletter', kind: 'delivery' });
    expect(deliveries.size).toBeGreaterThanOrEqual(12);
    for (const d of deliveries.keys()) expect(new Date(`${d}T12:00:00Z`).getUTCDay()).toBe(5);
    expect([...(await totals({ demo: true, channel: 'newsletter', kind: 'click' })).values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const joined = [...(await totals({ demo: true, kind: 'subscribe' })).values()].reduce((a, b) => a + b, 0);
    const left = [...(await totals({ demo: true, kind: 'unsubscribe' })).values()].reduce((a, b) => a + b, 0);
    expect(joined).toBeGreaterThan(left);
    for (const network of ['facebook', 'mastodon', 'bluesky'])
      expect((await totals({ demo: true, channel: network, kind: 'reaction' })).size).toBeGreaterThan(0);

    // What an élu sees on first login: the dashboard has figures.
    const elu = await loginAs(ctx, 'elected');
    const home = await elu.agent.get('/admin');
    expect(home.status).toBe(200);

    // The same demo gives the same history.
    const facts = [{ id: 1, publishedAt: new Date('2026-11-01T08:00:00Z'), urgent: false }];
    expect(demoHistory(ctx.clock.now(), 'Europe/Paris', facts)).toEqual(demoHistory(ctx.clock.now(), 'Europe/Paris', facts));
  }, 120_000);

  it('tells the same story on every page: the demo list’s subscribers, interactions before the demo’s articles, a notice where figures are real only', async () => {
    const elu = (await loginAs(ctx, 'elected')).agent;
    const month = (await elu.get('/admin?periode=30j')).text;
    // The list the demo's letters went to: the subscriber card counts it, says it is the demo's,
    // and agrees with the net change over the whole history.
    const joined = [...(await totals({ demo: true, kind: 'subscribe' })).values()].reduce((a, b) => a + b, 0);
    const left = [...(await totals({ demo: true, kind: 'unsubscribe' })).values()].reduce((a, b) => a + b, 0);
    const list = joined - left;
    expect(list).toBeGreaterThan(150);
    expect(figureText(month, 'subscribers')).toMatch(
      new RegExp(`^Abonnés à la lettre ${list} dont ${list} de démonstration \\(absents de la page Abonnés\\) Évolution nette : \\+[1-9]`),
    );
    const year = (await elu.get('/admin?periode=annee')).text;
    expect(figureText(year, 'growth')).toMatch(new RegExp(`^Évolution nette : \\+${list} `));
    // The last letter went to about as many people as the card says.
    const lastLetter = [...(await totals({ demo: true, channel: 'newsletter', kind: 'delivery' }))].sort().at(-1)![1];
    expect(Math.abs(lastLetter - list)).toBeLessThan(10);

    // The 30 days before also had interactions (the commune's earlier posts and letters).
    expect(figureText(month, 'interactions')).not.toContain('(0 sur la période précédente)');
    expect(figureText(month, 'interactions')).toMatch(/\(([1-9]\d*) sur la période précédente\)/);

    // The dashboard says which figures are generated and how to remove them; the audience page,
    // which counts only real visits, says why it shows none.
    const notice = visibleText(month);
    expect(notice).toContain('Chiffres de démonstration. Cette période contient des chiffres générés pour montrer le tableau de bord');
    expect(notice).toContain('avec la commande npm run crieur -- stats:remove-demo');
    const audience = visibleText((await elu.get('/admin/audience?periode=30')).text);
    expect(audience).toContain('Le tableau de bord montre aussi des chiffres de démonstration ; cette page ne compte que les vraies visites du site.');
  });

  it('is removed with the demo by the CLI’s process, leaving real figures and their totals, and the running dashboard follows', async () => {
    ctx.c.engagement.record({ channel: 'site', kind: 'visitor', at: new Date('2026-11-20T10:00:00.000Z'), value: 7 });
    await ctx.c.engagement.flush();
    await ctx.c.engagementRollup.rollUpDay('2026-11-20');
    // The running server has read (and remembers) the demo's totals.
    const elu = (await loginAs(ctx, 'elected')).agent;
    const before = (await elu.get('/admin?periode=30j')).text;
    expect(visibleText(before)).toContain('Chiffres de démonstration.');
    expect(figureText(before, 'reached')).not.toMatch(/^Personnes atteintes 7 /);

    // `npm run crieur -- stats:remove-demo`: another process, the same database, an hour later.
    ctx.clock.set(new Date('2026-11-22T10:00:00.000Z'));
    const cli = createContainer(ctx.config, { clock: ctx.clock, log: pino({ level: 'silent' }) });
    const removed = await cli.engagement.removeDemo();
    await cli.close();
    expect(removed).toBeGreaterThan(1000);
    const left = await ctx.c.db('engagement_events').select('demo', 'value');
    expect(left.map((r: { demo: unknown; value: unknown }) => [Boolean(r.demo), Number(r.value)])).toEqual([[false, 7]]);
    expect(await ctx.c.db('engagement_daily').where('demo', true).first()).toBeUndefined();
    expect([...(await totals({ day: '2026-11-20' })).values()]).toEqual([7]);
    // Only the day with real figures is still listed as totalled; the demo's other days are gone.
    expect(await ctx.c.db('engagement_rollup_days').pluck('day')).toEqual(['2026-11-20']);

    // The dashboard and its CSV show the real figures only, without the demo notice.
    const after = (await elu.get('/admin?periode=30j')).text;
    expect(visibleText(after)).not.toContain('démonstration');
    expect(visibleText((await elu.get('/admin/audience')).text)).not.toContain('démonstration');
    expect(figureText(after, 'reached')).toMatch(/^Personnes atteintes 7 /);
    expect(figureText(after, 'interactions')).toMatch(/^Interactions \(.*\) 0 = /);
    const csv = (await elu.get('/admin/stats/export.csv?periode=30j')).text;
    expect(csv).toContain('"Personnes atteintes";7;0');
  });
});
