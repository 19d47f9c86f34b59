import type TestAgent from 'supertest/lib/agent';
import { findJob } from '../jobs';
import type { EngagementEvent } from '../server/engagement/engagement.types';
import { createTestContext, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { clearEngagement, figureText, tableRows, visibleText } from './helpers/engagement-events';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';
import { plainSpaces } from './helpers/typography';

// Every figure the élus read (the dashboard, its CSV, the printable report and its e-mail) checked
// against events this test writes through the engagement store, on periods that cross the night
// the clocks go forward, read from the raw events and then from the totals of the nightly job.

let ctx: TestContext;
let smtp: SmtpPeer;
let elected: TestAgent;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' });
  elected = (await loginAs(ctx, 'elected')).agent;
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});
beforeEach(async () => clearEngagement(ctx.c));

/** Writes events as the sources do (the buffered store, which computes each one's Paris day). */
async function record(events: (Omit<EngagementEvent, 'at'> & { at: string })[]): Promise<void> {
  ctx.c.engagement.record(...events.map((e) => ({ ...e, at: new Date(e.at) }) as EngagementEvent));
  await ctx.c.engagement.flush();
}

/** The CSV's totals as label → [period, previous period]. */
async function csvTotals(query: string): Promise<Map<string, [string, string]>> {
  const res = await elected.get(`/admin/stats/export.csv?${query}`);
  expect(res.status).toBe(200);
  const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
  return new Map(
    lines
      .slice(1, 12)
      .map((l) => l.split(';') as [string, string, string])
      .map(([k, a, b]) => [k.replace(/^"|"$/g, ''), [a, b]]), // the label is quoted text
  );
}

describe('"this month" across the night the clocks go forward', () => {
  it('counts each figure and its previous period (22–31 March, with its 23-hour Sunday) from raw events, then from the nightly totals, and the CSV says the same', async () => {
    // Friday 10 April 2026, 10:00 in Paris: "this month" is 1–10 April, compared with the 10 days before.
    ctx.clock.set(new Date('2026-04-10T08:00:00Z'));
    const art = await makeArticle(ctx.c, { title: 'Travaux de la mairie' });
    await record([
      { at: '2026-03-21T22:59:00Z', channel: 'site', kind: 'visitor', value: 1 }, // 21 March 23:59 CET: in neither
      { at: '2026-03-21T23:00:00Z', channel: 'site', kind: 'visitor', value: 10 }, // 22 March 00:00 CET: previous
      { at: '2026-03-29T00:30:00Z', channel: 'site', kind: 'visitor', value: 100 }, // 29 March 01:30 CET: previous
      { at: '2026-03-29T01:30:00Z', channel: 'newsletter', kind: 'unsubscribe', value: 3 }, // 29 March 03:30 CEST: previous
      { at: '2026-03-25T10:00:00Z', channel: 'facebook', kind: 'share', articleId: art, value: 1 }, // previous
      { at: '2026-03-31T21:59:00Z', channel: 'site', kind: 'visitor', value: 1000 }, // 31 March 23:59 CEST: previous
      { at: '2026-03-31T22:00:00Z', channel: 'site', kind: 'visitor', value: 2 }, // 1 April 00:00 CEST: this month
      { at: '2026-04-03T08:00:00Z', channel: 'newsletter', kind: 'delivery', value: 50 },
      { at: '2026-04-03T08:00:00Z', channel: 'newsletter', kind: 'article_delivery', articleId: art, value: 40 },
      { at: '2026-04-03T09:00:00Z', channel: 'newsletter', kind: 'open', value: 21 },
      { at: '2026-04-03T10:00:00Z', channel: 'facebook', kind: 'impression', articleId: art, value: 30 },
      { at: '2026-04-03T10:00:00Z', channel: 'facebook', kind: 'reaction', articleId: art, value: 5 },
      { at: '2026-04-05T10:00:00Z', channel: 'newsletter', kind: 'subscribe', value: 6 },
      { at: '2026-04-05T11:00:00Z', channel: 'newsletter', kind: 'unsubscribe', value: 2 },
      { at: '2026-04-10T07:00:00Z', channel: 'site', kind: 'visitor', value: 20 }, // today
    ]);
    const expectFigures = async () => {
      const html = (await elected.get('/admin?periode=mois')).text;
      expect(visibleText(html)).toContain('Du 1 avril 2026 au 10 avril 2026, comparé au 22 mars 2026 – 31 mars 2026');
      expect(figureText(html, 'reached')).toMatch(
        /^Personnes atteintes 102 ▼ en baisse de 91 % \(1 110 sur la période précédente\) 22 visiteurs du site, 50 lettres remises, 30 affichages sur les réseaux$/,
      );
      expect(figureText(html, 'interactions')).toContain('5 ▲ en hausse de 400 % (1 sur la période précédente)');
      expect(figureText(html, 'growth')).toMatch(/^Évolution nette : \+4 — ▲ .*\(-3 sur la période précédente\)$/);
      expect(figureText(html, 'unsubscribes')).toBe('Désabonnements : 2 — ▼ en baisse de 33 % (3 sur la période précédente)');
      const csv = await csvTotals('periode=mois');
      expect(Object.fromEntries(csv)).toMatchObject({
        'Personnes atteintes': ['102', '1110'],
        'dont visiteurs du site': ['22', '1110'],
        'dont destinataires de la lettre': ['50', '0'],
        'dont affichages sur les réseaux': ['30', '0'],
        Interactions: ['5', '1'],
        'Ouvertures de la lettre (estimation)': ['21', '0'],
        'Inscriptions à la lettre': ['6', '0'],
        Désabonnements: ['2', '3'],
        'Évolution nette des abonnés': ['4', '-3'],
      });
    };
    await expectFigures();
    // The nightly job totals every finished day (the 23-hour 29 March included); once their raw
    // events are gone, the totals alone give the same figures.
    await ctx.c.jobRunner.run(findJob('engagement-rollup')!, 'manual');
    expect(await ctx.c.db('engagement_rollup_days').pluck('day')).toEqual(expect.arrayContaining(['2026-03-22', '2026-03-29', '2026-03-31', '2026-04-05']));
    await ctx.c.db('engagement_events').where('day', '<', '2026-04-10').del();
    await expectFigures();
  });
});

describe('the monthly report of March 2026 (its last Sunday has 23 hours)', () => {
  it('gives the same figures on the printable page, in the e-mail and in the CSV of "last month"', async () => {
    const art = await makeArticle(ctx.c, { title: 'Carnaval des écoles' });
    await record([
      { at: '2026-02-28T22:59:00Z', channel: 'site', kind: 'visitor', value: 7 }, // 28 Feb 23:59 CET: February
      { at: '2026-02-28T23:00:00Z', channel: 'site', kind: 'visitor', value: 40 }, // 1 March 00:00 CET
      { at: '2026-03-29T00:59:00Z', channel: 'site', kind: 'visitor', value: 300 }, // 29 March 01:59 CET
      { at: '2026-03-29T01:00:00Z', channel: 'newsletter', kind: 'delivery', value: 90 }, // 29 March 03:00 CEST
      { at: '2026-03-29T01:00:00Z', channel: 'site', kind: 'view', articleId: art, source: 'newsletter', value: 33 },
      { at: '2026-03-29T02:00:00Z', channel: 'bluesky', kind: 'reaction', articleId: art, value: 4 },
      { at: '2026-03-30T10:00:00Z', channel: 'newsletter', kind: 'subscribe', value: 3 },
      { at: '2026-03-31T21:59:00Z', channel: 'newsletter', kind: 'unsubscribe', value: 1 }, // 31 March 23:59 CEST
      { at: '2026-03-31T22:00:00Z', channel: 'site', kind: 'visitor', value: 5000 }, // 1 April 00:00 CEST: not March
    ]);
    // 1 April 2026, 00:15 in Paris: the job sends March's report.
    ctx.clock.set(new Date('2026-03-31T22:15:00Z'));
    await ctx.c.jobRunner.run(findJob('engagement-rollup')!, 'manual');
    const mayor = await makeUser(ctx.c, 'elected', { email: 'maire@commune.test' });
    await ctx.c.jobRunner.run(findJob('stats-monthly-report')!, 'manual');
    await ctx.c.outbox.idle();
    await ctx.c.outbox.deliverDue();
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(mayor.email));

    const page = (await elected.get('/admin/stats/rapport?mois=2026-03')).text;
    const rows = tableRows(page, 'Les chiffres du mois');
    expect(rows).toEqual([
      ['Personnes atteintes', '430', '▲ en hausse de 6 043 % (7 sur la période précédente)'],
      ['dont visiteurs du site', '340', '▲ en hausse de 4 757 % (7 sur la période précédente)'],
      ['dont destinataires de la lettre', '90', '▲ en hausse (0 sur la période précédente)'],
      ['dont affichages sur les réseaux', '0', '= stable (0 sur la période précédente)'],
      ['Interactions', '4', '▲ en hausse (0 sur la période précédente)'],
      ['Inscriptions à la lettre', '3', '▲ en hausse (0 sur la période précédente)'],
      ['Désabonnements', '1', '▲ en hausse (0 sur la période précédente)'],
    ]);
    expect(visibleText(page)).toContain('Carnaval des écoles — 33 personnes atteintes');
    // The e-mail says the same, line by line (without the arrows, which are decoration).
    const text = plainSpaces(mail.text);
    for (const [label, value, comparison] of rows.filter((r) => !r[0]!.startsWith('dont ')))
      expect(text).toContain(`${label} : ${value} (${comparison!.replace(/^[▲▼=] /, '')})`);
    expect(text).toContain('1. Carnaval des écoles — 33 personnes atteintes');
    // And the CSV of "last month", seen from the same day.
    const csv = await csvTotals('periode=mois-precedent');
    for (const [label, value] of rows) expect(csv.get(label!)?.[0]).toBe(value!.replace(/\s/g, ''));
  });
});
