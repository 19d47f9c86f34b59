import type { Browser } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { axeViolations, describeViolations, isolatedContext, launchBrowser, serve } from './helpers/browser';
import { loggedInContext } from './helpers/admin-browser';
import { addEvents, type TestEvent } from './helpers/engagement-events';
import { StatsReportLinks } from '../server/stats/stats-report-links';

/**
 * The figures pages in a real browser (Debian's Chromium): no WCAG 2.1 AA violation found by
 * axe-core on the dashboard (with charts, table and top five), an article's page, the monthly
 * report and its e-mail choice; the report prints to an A4 PDF without the admin's menus.
 */
let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let articleId = 0;
const user = { email: 'maire@commune.test', password: '' };

beforeAll(async () => {
  ctx = await createTestContext();
  const u = await makeUser(ctx.c, 'elected', { email: user.email, displayName: 'Madame la maire' });
  user.password = u.password;
  const account = await makeTestAccount(ctx.c);
  const events: TestEvent[] = [];
  for (let i = 0; i < 8; i++) {
    const id = await makeArticle(ctx.c, { title: `Information n° ${i + 1} : travaux, fêtes et conseils` });
    if (i === 0) articleId = id;
    const pub = await makePublication(ctx.c, id, account, ctx.clock.now());
    for (let d = 1; d <= 40; d++) {
      const at = new Date(Date.parse('2026-03-15T08:00:00Z') - d * 86_400_000).toISOString();
      events.push({ at, channel: 'site', kind: 'view', articleId: id, source: d % 2 ? 'search' : 'newsletter', value: (i + 1) * d });
      events.push({ at, channel: 'mastodon', kind: 'reaction', articleId: id, publicationId: pub, value: i + 1 });
      events.push({ at, channel: 'facebook', kind: 'impression', articleId: id, publicationId: pub, value: 10 * d });
      events.push({ at, channel: 'bluesky', kind: 'reaction', articleId: id, publicationId: pub, value: 1 + (d % 3) });
      events.push({ at, channel: 'x', kind: 'impression', articleId: id, publicationId: pub, value: 5 * d });
    }
  }
  for (let d = 0; d <= 40; d++) {
    const at = new Date(Date.parse('2026-03-15T08:00:00Z') - d * 86_400_000).toISOString();
    events.push({ at, channel: 'site', kind: 'visitor', value: 30 + d }, { at, channel: 'newsletter', kind: 'delivery', value: d % 7 ? 0 : 400 });
    events.push({ at, channel: 'newsletter', kind: 'open', value: d % 7 ? 0 : 180 }, { at, channel: 'newsletter', kind: 'click', value: d % 7 ? 0 : 25 });
  }
  await addEvents(ctx.c, events);
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

describe('the figures pages in a browser', () => {
  it.each([['/admin?periode=30j'], ['/admin?periode=annee'], ['{article}'], ['/admin/stats/rapport?mois=2026-02'], ['/admin/stats/rapport-par-email']])(
    'has no WCAG 2.1 AA violation on %s',
    async (path) => {
      const { context, outbound } = await loggedInContext(browser, site.origin, user, { viewport: 'desktop', bypassCSP: true });
      try {
        const tab = await context.newPage();
        const url = path === '{article}' ? `/admin/stats/articles/${articleId}?periode=30j` : path;
        expect((await tab.goto(site.origin + url, { waitUntil: 'load' }))?.status()).toBe(200);
        // The data tables too: they are what a screen reader reads instead of the chart.
        await tab.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
        expect(describeViolations(await axeViolations(tab))).toEqual([]);
        expect(outbound).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it('has no WCAG 2.1 AA violation on the e-mail’s opt-out pages (the button, its confirmation, a link that is not valid), without logging in', async () => {
    const { context, outbound } = await isolatedContext(browser, site.origin, { viewport: 'desktop', bypassCSP: true });
    try {
      const tab = await context.newPage();
      const elu = await ctx.c.usersRepo.findByEmail(user.email);
      const url = new StatsReportLinks(ctx.c.secretKey, site.origin, ctx.clock).optOutUrl(elu!.id);
      expect((await tab.goto(url, { waitUntil: 'load' }))?.status()).toBe(200);
      expect(describeViolations(await axeViolations(tab))).toEqual([]);
      await Promise.all([tab.waitForLoadState('load'), tab.click('button[type=submit]')]);
      expect(await tab.textContent('h1')).toBe('Vous ne recevrez plus le rapport mensuel');
      expect(describeViolations(await axeViolations(tab))).toEqual([]);
      expect((await tab.goto(`${url.slice(0, -3)}xyz`, { waitUntil: 'load' }))?.status()).toBe(404);
      expect(describeViolations(await axeViolations(tab))).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('prints the monthly report on one or two A4 sheets without the menus, the print button shown by the script Crieur serves', async () => {
    const { context } = await loggedInContext(browser, site.origin, user, { viewport: 'desktop', bypassCSP: false });
    try {
      const tab = await context.newPage();
      const cspErrors: string[] = [];
      tab.on('console', (m) => {
        if (m.type() === 'error') cspErrors.push(m.text());
      });
      await tab.goto(`${site.origin}/admin/stats/rapport?mois=2026-02`, { waitUntil: 'load' });
      expect(await tab.isVisible('button[data-print]')).toBe(true);
      expect(await tab.textContent('button[data-print]')).toBe('Imprimer / enregistrer en PDF');
      // On screen every chart's daily figures are there, open, for a screen reader (a month × 6 channels).
      const charts = await tab.locator('.stats-chart svg.chart').count();
      expect(charts).toBeGreaterThanOrEqual(5);
      expect(await tab.locator('.stats-data table').count()).toBe(charts);
      expect(await tab.isVisible('.stats-data table')).toBe(true);
      await tab.emulateMedia({ media: 'print' });
      expect(await tab.isVisible('.topbar')).toBe(false);
      expect(await tab.isVisible('button[data-print]')).toBe(false);
      // On paper: the totals, the top five and the charts, not 150 rows of tables.
      expect(await tab.isVisible('.stats-data table')).toBe(false);
      expect(await tab.isVisible('.stats-report-figures')).toBe(true);
      expect(await tab.isVisible('.stats-chart svg.chart')).toBe(true);
      const pdf = await tab.pdf({ format: 'A4', preferCSSPageSize: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      // Every page is A4: 210 × 297 mm, 595 × 842 points (the page's own @page rule, not Letter).
      const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [
        Math.round(Number(m[1])),
        Math.round(Number(m[2])),
      ]);
      expect(boxes.length).toBeGreaterThan(0);
      expect(new Set(boxes.map((b) => b.join('x')))).toEqual(new Set(['595x842']));
      // One /Type /Page per sheet: the report fits on two sheets at most (it took 11 with the tables printed).
      const sheets = pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? [];
      expect(sheets.length).toBe(boxes.length);
      expect(sheets.length).toBeLessThanOrEqual(2);
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
