import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from './helpers/context';
import { axeViolations, describeViolations, horizontalOverflow, isolatedContext, launchBrowser, serve, VIEWPORTS, type ViewportName } from './helpers/browser';
import { loadDemoIfEmpty } from '../server/demo/demo.service';

/**
 * The public site in a real browser (Debian's Chromium), with the demo commune's content: zero
 * axe-core violations of WCAG 2.1 A and AA at a phone's width and at a desktop's.
 * Add a public page here and it is checked at both widths.
 */
const PAGES = [
  '/',
  '/actualites',
  '/actualites/categorie/culture',
  '{article}', // a news item with a hero image and an event
  '/agenda',
  '/recherche',
  '/recherche?q=marche',
  '/recherche?q=zoulou', // no result: suggestions
  '/donnees-ouvertes',
  '/accessibilite',
  '/mentions-legales',
  '/donnees-personnelles',
  '/plan-du-site',
  '/lettres', // the newsletters' archive
  '/lettre',
  '{subscriber}', // a subscriber's own page, from the signed link of their e-mails
  '/cette-page-nexiste-pas',
];

let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let articlePath = '';
let subscriberPath = '';

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
  await loadDemoIfEmpty(ctx.c);
  await ctx.c.media.idle();
  const { rows } = await ctx.c.publicArticles.list({ eventsFrom: ctx.clock.now(), limit: 20, offset: 0 });
  const article = rows.find((a) => a.heroMediaId && a.eventPlace);
  if (!article) throw new Error('the demo has no upcoming event with an image');
  articlePath = `/actualites/${article.slug}`;
  const [row] = await ctx.c
    .db('subscribers')
    .insert({ email: 'abonne@exemple.fr', status: 'confirmed', source: 'form', created_at: ctx.clock.now().toISOString() })
    .returning('id');
  subscriberPath = new URL(ctx.c.subscriberLinks.manageUrl(Number(typeof row === 'object' ? row.id : row))).pathname;
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

const pathOf = (p: string) => (p === '{article}' ? articlePath : p === '{subscriber}' ? subscriberPath : p);
const cases = (['phone', 'desktop'] as ViewportName[]).flatMap((viewport) => PAGES.map((page) => [page, viewport] as const));

/** The pages a resident reads most, checked at the narrowest width WCAG asks pages to fit (320 px). */
const NARROW_PAGES = ['/', '/actualites', '{article}', '/agenda', '/recherche?q=marche', '/donnees-ouvertes', '/accessibilite'];

describe('the public site in a browser', () => {
  it.each(cases)(
    'has no WCAG 2.1 AA violation on %s at %s width',
    async (page, viewport) => {
      const { context, outbound } = await isolatedContext(browser, site.origin, { viewport, bypassCSP: true });
      try {
        const tab = await context.newPage();
        const res = await tab.goto(site.origin + pathOf(page), { waitUntil: 'load' });
        expect(res?.status()).toBe(page === '/cette-page-nexiste-pas' ? 404 : 200);
        expect(describeViolations(await axeViolations(tab))).toEqual([]);
        if (viewport === 'phone') {
          // Mobile first: nothing wider than the screen, so no sideways scrolling.
          const overflow = (await tab.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
          expect(overflow).toBeLessThanOrEqual(0);
        }
        expect(outbound).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it.each(NARROW_PAGES)(
    'fits %s in a 320 px wide window, with no sideways scrolling',
    async (page) => {
      expect(VIEWPORTS.narrow.width).toBe(320);
      const { context } = await isolatedContext(browser, site.origin, { viewport: 'narrow' });
      try {
        const tab = await context.newPage();
        expect((await tab.goto(site.origin + pathOf(page), { waitUntil: 'load' }))?.status()).toBe(200);
        const { overflow, culprits } = await horizontalOverflow(tab);
        expect({ overflow: Math.max(overflow, 0), culprits: overflow > 0 ? culprits : [] }).toEqual({ overflow: 0, culprits: [] });
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it('lets a keyboard user skip to the content first, with a visible focus', async () => {
    const { context } = await isolatedContext(browser, site.origin, { viewport: 'phone' });
    try {
      const tab = await context.newPage();
      await tab.goto(`${site.origin}/`);
      await tab.keyboard.press('Tab');
      // In-page code as strings: the project compiles without the DOM's type declarations.
      const skip = (await tab.evaluate(`(() => {
        const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return { text: el.textContent, href: el.getAttribute('href'), visible: box.left >= 0 && box.width > 0 };
      })()`)) as { text: string; href: string; visible: boolean };
      expect(skip).toMatchObject({ text: 'Aller au contenu', href: '#contenu', visible: true });
      await tab.keyboard.press('Enter');
      await tab.keyboard.press('Tab');
      const next = (await tab.evaluate(`(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return { inMain: !!el.closest('main'), outline: style.outlineStyle, width: style.outlineWidth };
      })()`)) as { inMain: boolean; outline: string; width: string };
      expect(next.inMain).toBe(true);
      expect(next.outline).toBe('solid');
      expect(parseFloat(next.width)).toBeGreaterThanOrEqual(2);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('obeys its own strict security policy, runs no script but the sub-menus’ own, and reaches no other site', async () => {
    const { context, outbound } = await isolatedContext(browser, site.origin);
    try {
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      tab.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
      for (const page of ['/', articlePath, '/agenda']) {
        await tab.goto(site.origin + page, { waitUntil: 'load' });
        await tab.evaluate('window.scrollTo(0, document.body.scrollHeight)'); // lazy images load too
        await tab.waitForLoadState('networkidle');
        expect(await tab.locator('h1').count()).toBe(1);
        // Usable without JavaScript: the only script is the main menu's sub-menus, from the site
        // itself (test/pages-browser-submenu.test.ts checks the site without it); JSON-LD is data.
        const scripts = await tab.locator('script:not([type="application/ld+json"])').evaluateAll((els) => els.map((el) => el.getAttribute('src') ?? 'inline'));
        expect(scripts.filter((src) => !/^\/static\/js\/site-menu\.js\?v=/.test(src))).toEqual([]);
      }
      expect(problems).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
