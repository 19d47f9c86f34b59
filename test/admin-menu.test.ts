import type { Browser, Page } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { axeViolations, browserAvailable, describeViolations, horizontalOverflow, launchBrowser, serve } from './helpers/browser';
import { adminPage, logIn } from './helpers/admin-browser';

/**
 * The admin on a phone (375 px wide, an iPhone SE or a small Android): the menu folds behind a
 * "Menu" button that says whether it is open, works with the keyboard, and leaves the menu open
 * when JavaScript does not run. On a wide screen nothing folds.
 */
const PHONE = { width: 375, height: 667 };
const describeInBrowser = browserAvailable() ? describe : describe.skip;

let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let login: { email: string; password: string };

beforeAll(async () => {
  ctx = await createTestContext();
  login = await makeUser(ctx.c, 'admin');
  site = await serve(ctx.handler);
  if (browserAvailable()) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

const menuButton = (page: Page) => page.getByRole('button', { name: 'Menu' });
const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name, exact: true });

describeInBrowser('the admin menu on a phone', () => {
  it('folds behind a Menu button that opens, closes and says so, with the mouse or the keyboard', async () => {
    const { context, page, problems } = await adminPage(browser, site.origin, login, { viewport: 'phone', bypassCSP: true });
    try {
      await page.setViewportSize(PHONE);
      await page.goto(`${site.origin}/admin`);
      await expect(menuButton(page).isVisible()).resolves.toBe(true);
      await expect(menuButton(page).getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(menuButton(page).getAttribute('aria-controls')).resolves.toBe('admin-menu');
      await expect(navLink(page, 'Articles').isVisible()).resolves.toBe(false);
      await expect(page.getByRole('button', { name: 'Se déconnecter' }).isVisible()).resolves.toBe(false);
      // Folded, the page starts with its content, not with a screenful of links.
      const h1Top = (await page.locator('main h1').boundingBox())?.y ?? Infinity;
      expect(h1Top).toBeLessThan(PHONE.height / 3);
      expect((await horizontalOverflow(page)).overflow).toBeLessThanOrEqual(0);
      expect(describeViolations(await axeViolations(page))).toEqual([]);

      // Keyboard: skip link, the brand, then the button; Enter opens, Tab goes into the menu.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement.id')).resolves.toBe('menu-toggle');
      await page.keyboard.press('Enter');
      await expect(menuButton(page).getAttribute('aria-expanded')).resolves.toBe('true');
      await expect(navLink(page, 'Articles').isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Se déconnecter' }).isVisible()).resolves.toBe(true);
      expect((await horizontalOverflow(page)).overflow).toBeLessThanOrEqual(0);
      expect(describeViolations(await axeViolations(page))).toEqual([]);
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement.textContent.trim()')).resolves.toBe('Tableau de bord');
      // Escape closes it from inside and gives the focus back to the button.
      await page.keyboard.press('Escape');
      await expect(menuButton(page).getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(page.evaluate('document.activeElement.id')).resolves.toBe('menu-toggle');
      await expect(navLink(page, 'Articles').isVisible()).resolves.toBe(false);
      // Space toggles it as well, and a tap on a link goes there.
      await page.keyboard.press('Space');
      await expect(menuButton(page).getAttribute('aria-expanded')).resolves.toBe('true');
      await menuButton(page).click();
      await expect(menuButton(page).getAttribute('aria-expanded')).resolves.toBe('false');
      await menuButton(page).click();
      await Promise.all([page.waitForURL(`${site.origin}/admin/articles`), navLink(page, 'Articles').click()]);
      await expect(menuButton(page).getAttribute('aria-expanded')).resolves.toBe('false');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('never lets a page slide sideways: a wide table scrolls inside its own box, hidden labels included', async () => {
    await makeUser(ctx.c, 'editor');
    await makeUser(ctx.c, 'elected');
    const { context, page, problems } = await adminPage(browser, site.origin, login, { viewport: 'phone' });
    try {
      await page.setViewportSize(PHONE);
      for (const path of ['/admin/users', '/admin/categories']) {
        await page.goto(`${site.origin}${path}`);
        // Each row's buttons carry the row's name for screen readers, placed out of sight: without
        // a positioned box around the table they widened the page (by 658 px on the users' page).
        await expect(page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).resolves.toBeLessThanOrEqual(0);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('does not fold on a wide screen: no button, the whole menu in the bar', async () => {
    const { context, page, problems } = await adminPage(browser, site.origin, login, { viewport: 'desktop' });
    try {
      await page.goto(`${site.origin}/admin`);
      await expect(menuButton(page).isVisible()).resolves.toBe(false);
      await expect(navLink(page, 'Articles').isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Se déconnecter' }).isVisible()).resolves.toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('stays open without JavaScript, with no button that would do nothing', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR', viewport: PHONE });
    try {
      const page = await context.newPage();
      await logIn(page, site.origin, login);
      await page.goto(`${site.origin}/admin`);
      await expect(page.locator('#menu-toggle').isVisible()).resolves.toBe(false);
      await expect(navLink(page, 'Articles').isVisible()).resolves.toBe(true);
      await expect(navLink(page, 'Paramètres').isVisible()).resolves.toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
