import type { Browser, Page as Tab } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { adminPage } from './helpers/admin-browser';
import { plainSpaces } from './helpers/typography';
import { axeViolations, describeViolations, horizontalOverflow, isolatedContext, launchBrowser, serve, VIEWPORTS } from './helpers/browser';

/**
 * The site's main menu with a sub-menu, in Debian's Chromium under the site's strict CSP: a page
 * with sub-pages opens them behind a disclosure button (aria-expanded), by mouse and by keyboard
 * (Enter, Space, Escape, a sane Tab order), on a phone, and without JavaScript (the page lists
 * its sub-pages); axe-core finds no WCAG 2.1 AA violation with the sub-menu open. And the page
 * form's "Aperçu" opens what is typed in another tab, nothing saved.
 */

const officer = { id: null, label: 'test' };
let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let draft = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  const page = (title: string, parentId: number | null = null, status: 'published' | 'draft' = 'published') =>
    ctx.c.pages.create({ title, slug: '', parentId, summary: '', bodyMd: `Texte de la page « ${title} ».`, status }, officer);
  const mairie = (await page('La mairie')).id;
  await page('Horaires', mairie);
  await page('Le conseil municipal', mairie);
  draft = (await page('Projet d’école', mairie, 'draft')).id; // not online: not in the sub-menu
  const ecoles = (await page('Les écoles')).id;
  await ctx.c.menus.save('main', ['link:actualites', `page:${mairie}`, `page:${ecoles}`, 'link:recherche'], officer);
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

const toggle = (tab: Tab) => tab.getByRole('button', { name: 'Sous-pages de « La mairie »' });
const subMenu = (tab: Tab) => tab.locator('#sous-menu-1');
/** What has the focus, as a person would name it. */
const focused = async (tab: Tab) =>
  plainSpaces((await tab.evaluate(`(document.activeElement.getAttribute('aria-label') || document.activeElement.textContent || '').trim()`)) as string);

async function openTab(viewport: keyof typeof VIEWPORTS, bypassCSP = false) {
  const { context, outbound } = await isolatedContext(browser, site.origin, { viewport, bypassCSP });
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  tab.on('pageerror', (e) => problems.push(e.message));
  await tab.goto(`${site.origin}/`);
  return { context, tab, problems, outbound };
}

describe('the main menu’s sub-menu in a browser', () => {
  it('opens and closes by keyboard, in a sane Tab order, with Escape giving the focus back', async () => {
    const { context, tab, problems, outbound } = await openTab('desktop');
    try {
      await toggle(tab).waitFor({ state: 'visible' });
      expect(await toggle(tab).getAttribute('aria-expanded')).toBe('false');
      expect(await subMenu(tab).isVisible()).toBe(false);

      // From the brand, Tab goes link, button, next link: closed sub-pages are not in the way.
      await tab.locator('.site-brand').focus();
      const order: string[] = [];
      for (let i = 0; i < 5; i++) {
        await tab.keyboard.press('Tab');
        order.push(await focused(tab));
      }
      expect(order).toEqual(['Actualités', 'La mairie', 'Sous-pages de « La mairie »', 'Les écoles', 'Recherche']);

      // Enter opens; Tab walks the sub-pages (online ones, by title); Escape closes and gives the focus back.
      await toggle(tab).focus();
      await tab.keyboard.press('Enter');
      expect(await toggle(tab).getAttribute('aria-expanded')).toBe('true');
      expect(await subMenu(tab).isVisible()).toBe(true);
      expect(await subMenu(tab).locator('a').allTextContents()).toEqual(['Horaires', 'Le conseil municipal']);
      await tab.keyboard.press('Tab');
      expect(await focused(tab)).toBe('Horaires');
      await tab.keyboard.press('Escape');
      expect(await toggle(tab).getAttribute('aria-expanded')).toBe('false');
      expect(await subMenu(tab).isVisible()).toBe(false);
      expect(await focused(tab)).toBe('Sous-pages de « La mairie »');

      // Space opens too; tabbing past the last sub-page closes it behind.
      await tab.keyboard.press('Space');
      expect(await subMenu(tab).isVisible()).toBe(true);
      await tab.keyboard.press('Tab');
      await tab.keyboard.press('Tab');
      expect(await focused(tab)).toBe('Le conseil municipal');
      await tab.keyboard.press('Tab');
      expect(await focused(tab)).toBe('Les écoles');
      expect(await toggle(tab).getAttribute('aria-expanded')).toBe('false');

      // Enter on a sub-page follows it; there the sub-page is marked as the current one.
      await toggle(tab).focus();
      await tab.keyboard.press('Enter');
      await tab.keyboard.press('Tab');
      await Promise.all([tab.waitForURL(`${site.origin}/la-mairie/horaires`), tab.keyboard.press('Enter')]);
      await toggle(tab).click();
      expect(await subMenu(tab).locator('a[aria-current="page"]').textContent()).toBe('Horaires');
      // A click elsewhere closes it.
      await tab.locator('main h1').click();
      expect(await subMenu(tab).isVisible()).toBe(false);
      expect(problems).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('opens under its entry on a phone, within the screen', async () => {
    const { context, tab, problems } = await openTab('phone');
    try {
      await toggle(tab).click();
      expect(await subMenu(tab).isVisible()).toBe(true);
      const box = (await subMenu(tab).boundingBox())!;
      const entry = (await tab.locator('.site-nav a', { hasText: 'La mairie' }).boundingBox())!;
      expect(box.y).toBeGreaterThan(entry.y);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(VIEWPORTS.phone.width);
      expect((await horizontalOverflow(tab)).culprits).toEqual([]);
      await Promise.all([tab.waitForURL(`${site.origin}/la-mairie/le-conseil-municipal`), subMenu(tab).getByText('Le conseil municipal').click()]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('leads to the page, which lists its sub-pages, without JavaScript', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, javaScriptEnabled: false, locale: 'fr-FR' });
    try {
      const tab = await context.newPage();
      await tab.goto(`${site.origin}/`);
      expect(await tab.locator('.sub-toggle').isVisible()).toBe(false);
      expect(await subMenu(tab).isVisible()).toBe(false);
      await Promise.all([tab.waitForURL(`${site.origin}/la-mairie`), tab.locator('.site-nav a', { hasText: 'La mairie' }).click()]);
      expect(await tab.locator('.subpages a').allTextContents()).toEqual(['Horaires', 'Le conseil municipal']);
    } finally {
      await context.close();
    }
  }, 60_000);

  it.each(['desktop', 'phone'] as const)(
    'has no WCAG 2.1 AA violation with the sub-menu open (%s)',
    async (viewport) => {
      const { context, tab } = await openTab(viewport, true);
      try {
        await toggle(tab).click();
        expect(await subMenu(tab).isVisible()).toBe(true);
        expect(describeViolations(await axeViolations(tab))).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});

describe('previewing a draft page from its form', () => {
  it('opens what is typed in another tab, as the site will show it, and saves nothing', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const { context, page: tab, problems } = await adminPage(browser, site.origin, user);
    try {
      await tab.goto(`${site.origin}/admin/pages/${draft}/edit`);
      await tab.locator('#title').fill('Projet d’école : la nouvelle cantine');
      const [preview] = await Promise.all([context.waitForEvent('page'), tab.getByRole('button', { name: 'Aperçu (nouvel onglet)' }).click()]);
      await preview.waitForLoadState('load');
      expect(await preview.locator('main h1').textContent()).toContain('la nouvelle cantine');
      expect(await preview.locator('.preview-banner').textContent()).toContain('ni enregistré ni publié');
      expect(await preview.locator('.breadcrumb a').allTextContents()).toEqual(['Accueil', 'La mairie', expect.stringContaining('la nouvelle cantine')]);
      // The form is still there, as typed, and the page is still a draft, unchanged.
      expect(await tab.locator('#title').inputValue()).toBe('Projet d’école : la nouvelle cantine');
      const saved = (await ctx.c.pages.get(draft))!;
      expect([saved.title, saved.status]).toEqual(['Projet d’école', 'draft']);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
