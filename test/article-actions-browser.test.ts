import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { axeViolations, describeViolations, horizontalOverflow, isolatedContext, launchBrowser, serve } from './helpers/browser';
import { logIn } from './helpers/admin-browser';
import { DEFAULT_SETTINGS, type CommuneSettings } from '../server/settings/settings.defaults';
import { mergeSettings } from '../server/settings/settings.service';

/**
 * The article form on a phone (375 px wide, Debian's Chromium under the strict CSP): the save,
 * schedule and publish actions stay on screen while the officer is anywhere in the form, and
 * scheduling works from there; axe-core finds no WCAG 2.1 AA violation on the new admin pages.
 */
const PHONE = { width: 375, height: 667 };
const officer = { id: null, label: 'test' };
let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let editor: { email: string; password: string };
let elected: { email: string; password: string };
let draftId: number;
let onlineId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await makeUser(ctx.c, 'editor');
  elected = await makeUser(ctx.c, 'elected');
  const long = Array.from({ length: 40 }, (_, i) => `Paragraphe ${i + 1} du compte rendu du conseil municipal.`).join('\n\n');
  draftId = (await ctx.c.articles.create({ title: 'Compte rendu du conseil', summary: 'Les décisions du 12 mars.', bodyMd: long }, officer)).id;
  onlineId = (await ctx.c.articles.create({ title: 'Horaires de la piscine', bodyMd: 'Ouverte le mercredi.' }, officer)).id;
  await ctx.c.articles.transition(onlineId, 'published', officer);
  await ctx.c.dispatcher.dispatchDue();
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

async function loggedIn(who: { email: string; password: string }, bypassCSP: boolean): Promise<{ context: BrowserContext; tab: Page; outbound: string[] }> {
  const { context, outbound } = await isolatedContext(browser, site.origin, { viewport: 'phone', bypassCSP });
  const tab = await context.newPage();
  await tab.setViewportSize(PHONE);
  await logIn(tab, site.origin, who);
  return { context, tab, outbound };
}

/** Whether the element is entirely inside the window as it is now (no scrolling). */
async function onScreen(tab: Page, selector: string): Promise<boolean> {
  const box = await tab.locator(selector).first().boundingBox();
  return !!box && box.y >= 0 && box.y + box.height <= PHONE.height && box.x >= 0 && box.x + box.width <= PHONE.width;
}

describe('the article form on a phone', () => {
  it('keeps "Enregistrer", the date, "Programmer" and "Publier maintenant" on screen from the top of the form to its end', async () => {
    const { context, tab, outbound } = await loggedIn(editor, false);
    try {
      await tab.goto(`${site.origin}/admin/articles/new`);
      for (const sel of ['button[value=save]', '#publishAt', 'button[value=schedule]', 'button[value=publish]']) expect(await onScreen(tab, sel)).toBe(true);

      await tab.goto(`${site.origin}/admin/articles/${draftId}/edit`);
      await tab.locator('#title').scrollIntoViewIfNeeded();
      expect(await onScreen(tab, 'button[value=schedule]')).toBe(true);
      // In the middle of a long text, far from the end of the form.
      await tab.locator('#summary').evaluate('(el) => el.scrollIntoView({ block: "start" })');
      await tab.mouse.wheel(0, 600);
      expect(await onScreen(tab, 'button[value=save]')).toBe(true);
      expect(await onScreen(tab, 'button[value=schedule]')).toBe(true);
      expect(await onScreen(tab, 'button[value=publish]')).toBe(true);
      // Wide tables (the channels) scroll inside their own frame; the page itself never scrolls sideways.
      expect((await horizontalOverflow(tab)).overflow).toBe(0);

      // Scheduling from there: the date, then "Programmer" activated with the keyboard.
      await tab.fill('#publishAt', '2026-04-02T18:30');
      await tab.focus('button[value=schedule]');
      await tab.keyboard.press('Enter');
      // The same address after the redirect: wait for what the officer reads.
      await tab.getByText('Publication programmée le 2 avr. 2026, 18:30.').first().waitFor();
      expect(tab.url()).toBe(`${site.origin}/admin/articles/${draftId}/edit`);
      // Scheduled: "Déplacer" and "Déprogrammer" take the bar's place, beside the form's first fields.
      // Past the messages and the status card, the form fills the screen and the bar holds them.
      // Once the page's own scripts are done (the flash message, the editor), as an officer scrolls.
      await tab.waitForLoadState('networkidle');
      await tab.evaluate('window.scrollTo(0, 300)');
      expect(await onScreen(tab, 'button[value=schedule]')).toBe(true);
      expect(await tab.locator('button[value=schedule]').first().textContent()).toContain('Déplacer');
      expect(await onScreen(tab, '.sticky-actions button[formaction$="/unschedule"]')).toBe(true);
      await tab.evaluate('window.scrollTo(0, 1200)');
      expect(await onScreen(tab, '.sticky-actions button[formaction$="/unschedule"]')).toBe(true);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('a private preview link for the mayor', () => {
  it('is copied with one button, and the officer is told so', async () => {
    const { context, tab, outbound } = await loggedIn(editor, false);
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
      await tab.goto(`${site.origin}/admin/articles/${draftId}/edit`);
      await Promise.all([tab.waitForURL(/\/previews$/), tab.getByRole('button', { name: 'Créer un lien d’aperçu' }).click()]);
      const url = await tab.getByLabel(/Lien d’aperçu de/).inputValue();
      expect(url).toMatch(/\/admin\/preview\/[A-Za-z0-9_-]{43}$/);
      await tab.getByRole('button', { name: 'Copier le lien' }).click();
      await tab.getByRole('status').filter({ hasText: 'Lien copié' }).waitFor();
      await expect(tab.evaluate('navigator.clipboard.readText()')).resolves.toBe(url);
      expect((await horizontalOverflow(tab)).overflow).toBe(0);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('the new admin pages under axe-core (WCAG 2.1 AA), on a phone', () => {
  it('finds no violation on the article list, the form with its action bar and preview links, the categories, the proposal', async () => {
    await ctx.c.settings.initialize(mergeSettings(DEFAULT_SETTINGS, { requireApproval: true } as Partial<CommuneSettings>));
    const article = (await ctx.c.articles.get(onlineId))!;
    await ctx.c.articles.update(onlineId, { title: article.title, bodyMd: 'Ouverte le mercredi et le samedi.' }, article.version, {
      id: null,
      label: 'test',
      role: 'editor',
    });
    const travaux = (await ctx.c.categories.list()).find((k) => k.slug === 'travaux')!;
    const culture = (await ctx.c.categories.list()).find((k) => k.slug === 'culture')!;
    const pages: [{ email: string; password: string }, string][] = [
      [editor, '/admin/articles'],
      [editor, `/admin/articles/${draftId}/edit`],
      [editor, '/admin/articles/new'],
      [editor, '/admin/categories'],
      [editor, `/admin/categories/${travaux.id}/edit`],
      [editor, `/admin/categories/${travaux.id}/delete`],
      [editor, `/admin/categories/${travaux.id}/delete?target=${culture.id}`],
      [elected, `/admin/articles/${onlineId}/proposal`],
      [elected, `/admin/articles/${onlineId}`],
    ];
    const problems: string[] = [];
    for (const who of [editor, elected]) {
      const { context, tab } = await loggedIn(who, true);
      try {
        for (const [owner, path] of pages) {
          if (owner !== who) continue;
          const res = await tab.goto(`${site.origin}${path}`);
          if (res?.status() !== 200) problems.push(`${path} answered ${res?.status()}`);
          problems.push(...describeViolations(await axeViolations(tab)).map((v) => `${path}: ${v}`));
        }
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
