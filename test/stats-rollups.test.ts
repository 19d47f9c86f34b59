import { splitByMonth } from '../server/engagement/engagement.queries';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { addEvents, clearEngagement, figureText, tableRows } from './helpers/engagement-events';
import type TestAgent from 'supertest/lib/agent';

// The dashboard reads whole months from the monthly totals, the days at a period's ends from the
// daily ones and today from the raw events, and remembers what it computed from the totals
// (the article table among it) until they change: every figure must stay the one the raw events
// give, whichever of these it came from.

let ctx: TestContext;
let elected: TestAgent;

beforeAll(async () => {
  ctx = await createTestContext();
  elected = (await loginAs(ctx, 'elected')).agent;
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await clearEngagement(ctx.c);
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
});

async function page(url: string): Promise<string> {
  const res = await elected.get(url);
  expect(res.status).toBe(200);
  return res.text;
}

const articleTable = async (url: string) => tableRows(await page(url), 'Portée des articles par canal').map((r) => [r[0], r[1]]);

describe('a period cut into months', () => {
  it('reads whole Paris months from the monthly totals and the days at both ends from the daily ones', () => {
    expect(splitByMonth({ from: '2025-03-16', to: '2026-03-15' })).toEqual({
      months: ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02'],
      days: [
        { from: '2025-03-16', to: '2025-03-31' },
        { from: '2026-03-01', to: '2026-03-15' },
      ],
    });
    expect(splitByMonth({ from: '2024-02-01', to: '2024-02-29' })).toEqual({ months: ['2024-02'], days: [] });
    expect(splitByMonth({ from: '2024-02-10', to: '2024-02-20' })).toEqual({ months: [], days: [{ from: '2024-02-10', to: '2024-02-20' }] });
    expect(splitByMonth({ from: '2025-12-01', to: '2026-01-31' })).toEqual({ months: ['2025-12', '2026-01'], days: [] });
  });
});

describe('twelve months from the rollups', () => {
  it('gives the figures of the raw events, events at midnight Paris time in the right month', async () => {
    const a = await makeArticle(ctx.c, { title: 'Travaux de la mairie' });
    const b = await makeArticle(ctx.c, { title: 'Fête du village' });
    await addEvents(ctx.c, [
      { at: '2025-03-15T22:59:00Z', channel: 'site', kind: 'visitor', value: 100000 }, // 15 March 2025 23:59 CET: previous period
      { at: '2025-03-16T10:00:00Z', channel: 'site', kind: 'visitor', value: 10000 }, // the period's first day
      { at: '2025-08-31T21:59:00Z', channel: 'site', kind: 'visitor', value: 2 }, // 31 August 23:59 CEST
      { at: '2025-08-31T22:00:00Z', channel: 'site', kind: 'visitor', value: 30 }, // 1 September 00:00 CEST
      { at: '2025-09-10T10:00:00Z', channel: 'site', kind: 'view', articleId: b, source: 'search', value: 7 },
      { at: '2026-01-31T22:59:00Z', channel: 'site', kind: 'visitor', value: 1 }, // 31 January 23:59 CET
      { at: '2026-01-31T23:00:00Z', channel: 'site', kind: 'visitor', value: 10 }, // 1 February 00:00 CET
      { at: '2026-01-31T23:00:00Z', channel: 'site', kind: 'view', articleId: a, source: 'direct', value: 5 },
      { at: '2026-02-28T22:59:00Z', channel: 'site', kind: 'visitor', value: 100 }, // 28 February 23:59 CET
      { at: '2026-02-28T23:00:00Z', channel: 'site', kind: 'visitor', value: 1000 }, // 1 March 00:00 CET
    ]);
    // The nightly job's own work: every finished day totalled, and its month.
    await ctx.c.engagementRollup.rollUp();
    const monthly = await ctx.c.db('engagement_monthly').where({ channel: 'site', kind: 'visitor' }).orderBy('month').select('month', 'total');
    expect(monthly.map((r: { month: string; total: unknown }) => [r.month, Number(r.total)])).toEqual([
      ['2025-03', 110000],
      ['2025-08', 2],
      ['2025-09', 30],
      ['2026-01', 1],
      ['2026-02', 110],
      ['2026-03', 1000],
    ]);
    // Today's figures come from the raw events.
    await addEvents(ctx.c, [
      { at: '2026-03-15T08:00:00Z', channel: 'site', kind: 'visitor', value: 20000 },
      { at: '2026-03-15T08:00:00Z', channel: 'site', kind: 'view', articleId: a, source: 'direct', value: 3 },
    ]);
    const year = await page('/admin?periode=annee');
    expect(figureText(year, 'reached')).toMatch(/^Personnes atteintes 31 143 ▼ en baisse de 69 % \(100 000 sur la période précédente\)/);
    const months = tableRows(year, 'Site internet : chiffres par période');
    expect(months.filter((r) => r[2] !== '0').map((r) => [r[0], r[2]])).toEqual([
      ['mars 2025', '10 000'],
      ['août 2025', '2'],
      ['septembre 2025', '30'],
      ['janvier 2026', '1'],
      ['février 2026', '110'],
      ['mars 2026', '21 000'],
    ]);
    // 5 rolled-up views and 3 of today put the first article above the second (7).
    expect(await articleTable('/admin?periode=annee')).toEqual([
      ['Travaux de la mairie', '8'],
      ['Fête du village', '7'],
    ]);
    expect(await articleTable('/admin?periode=annee&tri=site&ordre=asc')).toEqual([
      ['Fête du village', '7'],
      ['Travaux de la mairie', '8'],
    ]);
    // February as a whole month (from its monthly totals), against January.
    const february = await page('/admin?periode=mois-precedent');
    expect(figureText(february, 'reached')).toMatch(/^Personnes atteintes 110 ▲ .*\(1 sur la période précédente\)/);
    expect(tableRows(february, 'Site internet : chiffres par période').find((r) => r[0] === '1 févr.')?.[2]).toBe('10');
    // The CSV export of the year: the same table.
    const csv = await elected.get('/admin/stats/export.csv?periode=annee');
    expect(csv.status).toBe(200);
    expect(csv.text.indexOf('Travaux de la mairie')).toBeGreaterThan(0);
    expect(csv.text.indexOf('Travaux de la mairie')).toBeLessThan(csv.text.indexOf('Fête du village'));
  });
});

describe('what the dashboard remembers of the totals', () => {
  it('follows each rollup, even one at the same clock time, and a new day', async () => {
    const a = await makeArticle(ctx.c, { title: 'Conseil municipal' });
    const b = await makeArticle(ctx.c, { title: 'Marché du dimanche' });
    await addEvents(ctx.c, [
      { at: '2025-03-16T10:00:00Z', channel: 'site', kind: 'visitor', value: 50 }, // the year's first day, today
      { at: '2026-02-10T10:00:00Z', channel: 'site', kind: 'view', articleId: a, value: 4 },
      { at: '2026-02-11T10:00:00Z', channel: 'site', kind: 'view', articleId: b, value: 6 },
    ]);
    await ctx.c.engagementRollup.rollUp();
    expect(await articleTable('/admin?periode=annee')).toEqual([
      ['Marché du dimanche', '6'],
      ['Conseil municipal', '4'],
    ]);
    expect(figureText(await page('/admin?periode=annee'), 'reached')).toMatch(/^Personnes atteintes 50 /);
    // Counted late for a day already totalled: the totals stand until that day is rolled up again…
    await addEvents(ctx.c, [{ at: '2026-02-10T12:00:00Z', channel: 'site', kind: 'view', articleId: a, value: 5 }]);
    expect((await articleTable('/admin?periode=annee'))[0]).toEqual(['Marché du dimanche', '6']);
    // …which here happens at the very same clock time as the first rollup: the table follows all the same.
    await ctx.c.engagementRollup.rollUpDay('2026-02-10');
    expect(await articleTable('/admin?periode=annee')).toEqual([
      ['Conseil municipal', '9'],
      ['Marché du dimanche', '6'],
    ]);
    // Today's views count at once.
    await addEvents(ctx.c, [{ at: '2026-03-15T20:00:00Z', channel: 'site', kind: 'view', articleId: b, value: 4 }]);
    expect(await articleTable('/admin?periode=annee')).toEqual([
      ['Marché du dimanche', '10'],
      ['Conseil municipal', '9'],
    ]);
    // 00:30 in Paris on 16 March: yesterday, not rolled up yet, comes from its raw events; the year
    // starts a day later, so the visitors of 16 March 2025 move to the previous period.
    ctx.clock.set(new Date('2026-03-15T23:30:00Z'));
    await addEvents(ctx.c, [{ at: '2026-03-15T23:10:00Z', channel: 'site', kind: 'view', articleId: a, value: 2 }]);
    const nextDay = await page('/admin?periode=annee');
    expect(figureText(nextDay, 'reached')).toMatch(/^Personnes atteintes 0 .*\(50 sur la période précédente\)/);
    expect(tableRows(nextDay, 'Portée des articles par canal').map((r) => [r[0], r[1]])).toEqual([
      ['Conseil municipal', '11'],
      ['Marché du dimanche', '10'],
    ]);
    // The night's rollup changes where the figures come from, not what they are.
    await ctx.c.engagementRollup.rollUp();
    expect(await articleTable('/admin?periode=annee')).toEqual([
      ['Conseil municipal', '11'],
      ['Marché du dimanche', '10'],
    ]);
  });

  it('forgets the demo history when it is removed, in whole months too', async () => {
    const a = await makeArticle(ctx.c, { title: 'Bibliothèque' });
    await addEvents(ctx.c, [
      { at: '2026-01-10T10:00:00Z', channel: 'site', kind: 'view', articleId: a, value: 3 },
      { at: '2026-01-12T10:00:00Z', channel: 'site', kind: 'view', articleId: a, value: 40, demo: true },
      { at: '2026-01-12T10:00:00Z', channel: 'site', kind: 'visitor', value: 40, demo: true },
    ]);
    await ctx.c.engagementRollup.rollUp();
    expect(await articleTable('/admin?periode=annee')).toEqual([['Bibliothèque', '43']]);
    expect(figureText(await page('/admin?periode=annee'), 'reached')).toMatch(/^Personnes atteintes 40 /);
    await ctx.c.engagement.removeDemo();
    expect(await articleTable('/admin?periode=annee')).toEqual([['Bibliothèque', '3']]);
    expect(figureText(await page('/admin?periode=annee'), 'reached')).toMatch(/^Personnes atteintes 0 /);
    expect(await ctx.c.db('engagement_monthly').where('demo', true).first()).toBeUndefined();
  });
});
