import type { Browser, Page as Tab } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { axeViolations, describeViolations, launchBrowser, serve } from './helpers/browser';
import { loggedInContext } from './helpers/admin-browser';

/**
 * The menu's ordering in a real browser (Debian's Chromium) under the site's strict CSP: by
 * keyboard (the arrow keys on an entry's handle, the "Monter" buttons) and by drag, each move
 * announced, then saved and shown on the public site; and axe-core finds no WCAG 2.1 AA
 * violation on the pages' admin screens nor on a sub-page of the site.
 */

const officer = { id: null, label: 'test' };
let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let user: { email: string; password: string };
const ids: Record<string, number> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  const page = (title: string, parentId: number | null = null, bodyMd = 'Texte de la page.') =>
    ctx.c.pages.create({ title, slug: '', parentId, summary: '', bodyMd, status: 'published' }, officer);
  ids.mairie = (await page('La mairie', null, '## Accueil\n\nLa mairie vous accueille du lundi au samedi.')).id;
  ids.horaires = (await page('Horaires', ids.mairie, 'Du lundi au vendredi.\n\n- matin : 8 h 30\n- après-midi : 14 h')).id;
  ids.ecoles = (await page('Les écoles')).id;
  await ctx.c.menus.save('main', ['link:actualites', 'link:agenda', 'link:recherche', `page:${ids.mairie}`, `page:${ids.ecoles}`], officer);
  user = await makeUser(ctx.c, 'editor');
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

/** The main menu's entries as the admin page shows them, in order. */
async function shownOrder(tab: Tab): Promise<string[]> {
  return tab.locator('#menu-main .menu-entry').evaluateAll((els) => els.map((el) => el.getAttribute('data-label') ?? ''));
}

async function savedOrder(): Promise<string[]> {
  return (await ctx.c.menus.edit('main')).entries.map((e) => e.label);
}

/** The public header's menu, as a resident sees it (sub-menus closed). */
async function publicMenu(tab: Tab): Promise<string[]> {
  await tab.goto(`${site.origin}/`);
  return tab.locator('.site-nav > ul > li > a').allTextContents();
}

/** Waits until the main menu's live region says `text` (what a screen reader announces). */
async function announced(tab: Tab, text: string): Promise<void> {
  const region = tab.locator('#menu-main .menu-live');
  await region.filter({ hasText: text }).waitFor({ state: 'attached' });
  expect(await region.textContent()).toBe(text);
}

describe('ordering the main menu in a browser', () => {
  it('moves entries with the arrow keys and the "Monter" button, announces each move, and saves', async () => {
    const { context, outbound } = await loggedInContext(browser, site.origin, user, { viewport: 'desktop', bypassCSP: false });
    const errors: string[] = [];
    try {
      const tab = await context.newPage();
      tab.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await tab.goto(`${site.origin}/admin/pages/menu`);
      expect(await shownOrder(tab)).toEqual(['Actualités', 'Agenda', 'Recherche', 'La mairie', 'Les écoles']);
      // The script is there: handles are shown, the no-script hint is not.
      await tab.locator('#menu-main .drag-handle').first().waitFor({ state: 'visible' });

      // Arrow keys on the handle of "Les écoles": two places up, the focus stays on it.
      const handle = tab.getByRole('button', { name: 'Déplacer « Les écoles »' });
      await handle.focus();
      await tab.keyboard.press('ArrowUp');
      await tab.keyboard.press('ArrowUp');
      expect(await shownOrder(tab)).toEqual(['Actualités', 'Agenda', 'Les écoles', 'Recherche', 'La mairie']);
      await announced(tab, '« Les écoles » : position 3 sur 5.');
      expect(await tab.evaluate(`document.activeElement.textContent`)).toContain('Déplacer « Les écoles »');
      // The first entry cannot go higher: it says so.
      await tab.getByRole('button', { name: 'Déplacer « Actualités »' }).focus();
      await tab.keyboard.press('ArrowUp');
      await announced(tab, '« Actualités » est déjà en première position.');

      // The "Monter" button, reached and pressed from the keyboard.
      await tab.getByRole('button', { name: 'Monter « La mairie »' }).focus();
      await tab.keyboard.press('Enter');
      expect(await shownOrder(tab)).toEqual(['Actualités', 'Agenda', 'Les écoles', 'La mairie', 'Recherche']);
      await announced(tab, '« La mairie » : position 4 sur 5.');
      expect(await tab.locator('#menu-main .menu-unsaved').isVisible()).toBe(true);
      // Nothing saved until asked.
      expect(await savedOrder()).toEqual(['Actualités', 'Agenda', 'Recherche', 'La mairie', 'Les écoles']);

      await tab.locator('#menu-main button[value=save]').focus();
      await Promise.all([tab.waitForURL(/\/admin\/pages\/menu/), tab.keyboard.press('Enter')]);
      await tab.waitForLoadState('load');
      expect(await tab.locator('.flash-success').textContent()).toContain('Menu principal enregistré.');
      expect(await savedOrder()).toEqual(['Actualités', 'Agenda', 'Les écoles', 'La mairie', 'Recherche']);
      expect(await publicMenu(tab)).toEqual(['Actualités', 'Agenda', 'Les écoles', 'La mairie', 'Recherche']);
      expect(errors).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('moves an entry by dragging its handle, announces where it landed, and saves', async () => {
    const { context } = await loggedInContext(browser, site.origin, user, { viewport: 'desktop', bypassCSP: false });
    try {
      const tab = await context.newPage();
      await tab.goto(`${site.origin}/admin/pages/menu`);
      const before = await shownOrder(tab);
      expect(before[0]).toBe('Actualités');
      const handle = tab.getByRole('button', { name: 'Déplacer « Actualités »' });
      await handle.waitFor({ state: 'visible' });
      const from = (await handle.boundingBox())!;
      const last = (await tab.locator('#menu-main .menu-entry').last().boundingBox())!;
      await tab.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await tab.mouse.down();
      // In small steps, as a hand would: the entry follows the pointer down the list.
      await tab.mouse.move(from.x + from.width / 2, last.y + last.height * 0.8, { steps: 25 });
      await tab.mouse.up();
      const after = await shownOrder(tab);
      expect(after).toEqual([...before.slice(1), 'Actualités']);
      await announced(tab, '« Actualités » : position 5 sur 5.');
      await Promise.all([tab.waitForURL(/\/admin\/pages\/menu/), tab.locator('#menu-main button[value=save]').click()]);
      await tab.waitForLoadState('load');
      expect(await savedOrder()).toEqual(after);
      expect(await publicMenu(tab)).toEqual(after);
    } finally {
      await context.close();
    }
  }, 90_000);
});

describe('the pages’ admin screens and a sub-page of the site', () => {
  const screens = [
    ['the list of pages', '/admin/pages'],
    ['a new page', '/admin/pages/new'],
    ['a page’s form', '/admin/pages/{mairie}/edit'],
    ['the form with errors', '{errors}'],
    ['the menus', '/admin/pages/menu'],
    ['a deletion to confirm', '/admin/pages/{mairie}/delete'],
    ['a sub-page on the site', '/la-mairie/horaires'],
  ];
  it.each(screens)(
    'has no WCAG 2.1 AA violation on %s',
    async (_name, path) => {
      const { context, outbound } = await loggedInContext(browser, site.origin, user, { viewport: 'desktop', bypassCSP: true });
      try {
        const tab = await context.newPage();
        if (path === '{errors}') {
          await tab.goto(`${site.origin}/admin/pages/new`);
          await tab.fill('#slug', 'agenda');
          await tab.click('button.primary[type=submit]');
          await tab.waitForLoadState('load');
          expect(await tab.locator('.field-error').count()).toBeGreaterThan(0);
        } else {
          const res = await tab.goto(site.origin + path.replace('{mairie}', String(ids.mairie)), { waitUntil: 'load' });
          expect(res?.status()).toBe(200);
        }
        await tab.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
        expect(describeViolations(await axeViolations(tab))).toEqual([]);
        expect(outbound).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});
