import type { Browser, BrowserContext, Page as Tab } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { adminPage } from './helpers/admin-browser';
import { axeViolations, describeViolations, launchBrowser, serve } from './helpers/browser';

/**
 * The categories' order in a real browser (Debian's Chromium) under the site's strict CSP: by
 * drag on a row's handle, by the arrow keys on the handle and by the "Descendre" button from the
 * keyboard, each move announced in the live region, then saved and shown on the public site in
 * that order; and axe-core finds no WCAG 2.1 AA violation on the page.
 */

let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let user: { email: string; password: string };

beforeAll(async () => {
  ctx = await createTestContext();
  // Three categories only, so that the whole table fits the window and the moves are easy to read.
  const keep = ['vie-municipale', 'travaux', 'culture'];
  await ctx.c.db('categories').whereNotIn('slug', keep).del();
  // The site lists a category once it has news: one online article in each.
  const actor = { id: null, label: 'test' };
  for (const c of await ctx.c.categories.list()) {
    const a = await ctx.c.articles.create({ title: `Nouvelles : ${c.name}`, bodyMd: 'Texte', categoryId: c.id }, actor);
    await ctx.c.articles.transition(a.id, 'published', actor);
  }
  await ctx.c.dispatcher.dispatchDue();
  user = await makeUser(ctx.c, 'editor');
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

async function open(opts: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; tab: Tab; problems: string[]; outbound: string[] }> {
  const { context, page, problems, outbound } = await adminPage(browser, site.origin, user, { bypassCSP: opts.bypassCSP ?? false });
  await page.goto(`${site.origin}/admin/categories`);
  return { context, tab: page, problems, outbound };
}

/** The categories as the admin table shows them, in order. */
const shownOrder = (tab: Tab) => tab.locator('tbody.category-order tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-label') ?? ''));
const savedOrder = async () => (await ctx.c.categories.list()).map((c) => c.name);

/** The categories as a resident finds them on the site, in order: the news page's filter and the site map. */
async function publicOrder(tab: Tab): Promise<string[]> {
  await tab.goto(`${site.origin}/actualites`);
  const filter = await tab.locator('nav.filter a[href^="/actualites/categorie/"]').allTextContents();
  await tab.goto(`${site.origin}/plan-du-site`);
  const plan = await tab.locator('.sitemap a[href^="/actualites/categorie/"]').allTextContents();
  expect(filter.map((x) => x.replace(/\s*\(\d+\)$/, ''))).toEqual(plan);
  return plan;
}

/** Waits until the live region says `text` (what a screen reader announces). */
async function announced(tab: Tab, text: string): Promise<void> {
  const region = tab.locator('.order-live');
  await region.filter({ hasText: text }).waitFor({ state: 'attached' });
  expect(await region.textContent()).toBe(text);
}

async function save(tab: Tab): Promise<void> {
  await Promise.all([tab.waitForURL(/\/admin\/categories$/), tab.getByRole('button', { name: 'Enregistrer l’ordre' }).click()]);
  await tab.waitForLoadState('load');
  expect(await tab.locator('.flash-success').textContent()).toContain('Ordre des catégories enregistré.');
}

describe('ordering the categories in a browser', () => {
  it('moves a category with the arrow keys and the "Descendre" button, announces each move, saves, and the site follows', async () => {
    const { context, tab, problems, outbound } = await open();
    try {
      expect(await shownOrder(tab)).toEqual(['Vie municipale', 'Travaux', 'Culture']);
      const handle = tab.getByRole('button', { name: 'Déplacer « Culture »' });
      await handle.waitFor({ state: 'visible' });

      await handle.focus();
      await tab.keyboard.press('ArrowUp');
      expect(await shownOrder(tab)).toEqual(['Vie municipale', 'Culture', 'Travaux']);
      await announced(tab, '« Culture » : position 2 sur 3.');
      // The focus stays on the handle, so that the arrows can go on.
      expect(await tab.evaluate('document.activeElement.textContent')).toContain('Déplacer « Culture »');
      await tab.keyboard.press('ArrowUp');
      await announced(tab, '« Culture » : position 1 sur 3.');
      await tab.keyboard.press('ArrowUp');
      await announced(tab, '« Culture » est déjà en première position.');

      // The "Descendre" button, reached and pressed from the keyboard, moves without leaving the page.
      await tab.getByRole('button', { name: 'Descendre « Vie municipale »' }).focus();
      await tab.keyboard.press('Enter');
      expect(await shownOrder(tab)).toEqual(['Culture', 'Travaux', 'Vie municipale']);
      await announced(tab, '« Vie municipale » : position 3 sur 3.');
      expect(await tab.locator('.order-unsaved').isVisible()).toBe(true);
      // Nothing is saved until asked.
      expect(await savedOrder()).toEqual(['Vie municipale', 'Travaux', 'Culture']);

      await save(tab);
      expect(await savedOrder()).toEqual(['Culture', 'Travaux', 'Vie municipale']);
      expect(await shownOrder(tab)).toEqual(['Culture', 'Travaux', 'Vie municipale']);
      expect(await publicOrder(tab)).toEqual(['Culture', 'Travaux', 'Vie municipale']);
      expect(problems).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('moves a category by dragging its handle, announces where it landed, saves, and the site follows', async () => {
    const { context, tab, problems } = await open();
    try {
      const before = await shownOrder(tab);
      const first = before[0]!;
      const handle = tab.getByRole('button', { name: `Déplacer « ${first} »` });
      await handle.waitFor({ state: 'visible' });
      const from = (await handle.boundingBox())!;
      const last = (await tab.locator('tbody.category-order tr').last().boundingBox())!;
      await tab.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await tab.mouse.down();
      // In small steps, as a hand would: the row follows the pointer down the table.
      await tab.mouse.move(from.x + from.width / 2, last.y + last.height * 0.8, { steps: 25 });
      await tab.mouse.up();
      const after = [...before.slice(1), first];
      expect(await shownOrder(tab)).toEqual(after);
      await announced(tab, `« ${first} » : position 3 sur 3.`);
      await save(tab);
      expect(await savedOrder()).toEqual(after);
      expect(await publicOrder(tab)).toEqual(after);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('has no WCAG 2.1 AA violation on the categories page, with its script running', async () => {
    const { context, tab, outbound } = await open({ bypassCSP: true });
    try {
      await tab.locator('.drag-handle').first().waitFor({ state: 'visible' });
      expect(describeViolations(await axeViolations(tab))).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
