import type { Browser, Page } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { axeViolations, browserAvailable, describeViolations, horizontalOverflow, isolatedContext, launchBrowser, serve, VIEWPORTS } from './helpers/browser';
import { adminPage } from './helpers/admin-browser';

/**
 * What an officer meets in the article editor, in Chromium under the page's strict CSP: a draft
 * kept by the browser comes back without a console warning; a draft has one publish button on its
 * form; on a phone the action bar stays short and the formatting toolbar stays at hand down a long
 * text; a table too wide for a phone scrolls in its own frame, its words whole, on the site too.
 */
const officer = { id: null, label: 'test' };
const describeInBrowser = browserAvailable() ? describe : describe.skip;
const PHONE = VIEWPORTS.phone;
const TABLE = [
  '| Établissement | Horaires d’ouverture | Téléphone |',
  '|---|---|---|',
  '| Médiathèque intercommunale | Mercredi et samedi de 9 h à 12 h | 01 23 45 67 89 |',
  '| Conservatoire départemental | Du lundi au vendredi | 01 98 76 54 32 |',
].join('\n');
const LONG = Array.from({ length: 40 }, (_, i) => `Paragraphe ${i + 1} du compte rendu du conseil municipal.`).join('\n\n');

let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let login: { email: string; password: string };

beforeAll(async () => {
  ctx = await createTestContext();
  login = await makeUser(ctx.c, 'editor');
  site = await serve(ctx.handler);
  if (browserAvailable()) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
});

async function draft(title: string, bodyMd: string): Promise<number> {
  return (await ctx.c.articles.create({ title, summary: 'Pour le conseil.', bodyMd }, officer)).id;
}

/** Waits for an expression to hold in the page, at most about five seconds (waitForFunction's eval is refused by the CSP). */
async function until(page: Page, expression: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await page.evaluate(expression)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still false after 5 s: ${expression}`);
}

/** The words of the table's cells that the browser cut across two lines. */
async function brokenWords(page: Page, table: string): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const broken = [];
    for (const cell of document.querySelectorAll(${JSON.stringify(`${table} th, ${table} td`)})) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.data.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  })()`)) as string[];
}

describeInBrowser('the article editor in a browser', () => {
  it('brings back a draft kept by the browser into the visual editor, with no console warning', async () => {
    // Two paragraphs: Tiptap's autolink reads (with linkify) a change spanning several of them.
    const id = await draft('Fête de la musique', 'Le programme sur https://www.mairie.example/fete.\n\nInscriptions en mairie.');
    const { context, page, problems, outbound } = await adminPage(browser, site.origin, login);
    try {
      await page.goto(`${site.origin}/admin/articles/${id}/edit`);
      const text = page.getByRole('textbox', { name: 'Texte', exact: true });
      await text.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' Scène ouverte place de la Mairie, inscriptions sur www.mairie.example.');
      await until(page, `(localStorage.getItem('crieur:article:${id}:v1') ?? '').includes('Scène ouverte')`);

      // The officer's tab is closed before saving; the same page, opened again, offers the text back.
      await page.goto(`${site.origin}/admin/articles/${id}/edit`);
      await page.getByText('Brouillon local restauré').waitFor();
      await text.getByText('Scène ouverte place de la Mairie').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.locator('textarea#body').inputValue()).toContain('Scène ouverte place de la Mairie');
      // An address typed in the text still becomes a link once the draft is back.
      await text.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' Programme : https://www.mairie.example/scene ');
      await text.getByRole('link', { name: 'https://www.mairie.example/scene' }).waitFor();
      expect(problems).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('gives a draft one publish button on its form, "Publier maintenant", which publishes the text typed', async () => {
    const id = await draft('Collecte des encombrants', 'Le 3 juin.');
    const { context, page, problems } = await adminPage(browser, site.origin, login);
    try {
      await page.goto(`${site.origin}/admin/articles/${id}/edit`);
      const publish = page.getByRole('button', { name: /^Publier/ });
      expect(await publish.allTextContents()).toEqual(['Publier maintenant']);
      // The status card keeps what only it does.
      const card = page.getByRole('region', { name: /Statut/ });
      expect(await card.getByRole('button').allTextContents()).toEqual(['Soumettre à la relecture', 'Archiver']);
      // One strong button in the form's action bar: "Enregistrer", the one Enter presses.
      expect(await page.locator('.article-actions .button.primary').allTextContents()).toEqual(['Enregistrer']);
      // The article's own page, with no form, has its single "Publier".
      await page.goto(`${site.origin}/admin/articles/${id}`);
      expect(await page.getByRole('button', { name: /^Publier/ }).allTextContents()).toEqual(['Publier']);

      await page.goto(`${site.origin}/admin/articles/${id}/edit`);
      await page.locator('#title').fill('Collecte des encombrants le 3 juin');
      await Promise.all([page.waitForURL(`${site.origin}/admin/articles/${id}/edit`), publish.click()]);
      await page.getByText('Article publié.').first().waitFor();
      const article = await ctx.c.articles.get(id);
      expect([article?.status, article?.title]).toEqual(['published', 'Collecte des encombrants le 3 juin']);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('keeps the action bar short on a phone, and the toolbar in reach down a long text, by mouse and keyboard', async () => {
    const id = await draft('Compte rendu du conseil', LONG);
    const { context, page, problems } = await adminPage(browser, site.origin, login, { viewport: 'phone' });
    try {
      expect(page.viewportSize()).toEqual({ width: 390, height: 844 });
      await page.goto(`${site.origin}/admin/articles/${id}/edit`);
      await page.waitForLoadState('networkidle');
      const bar = page.locator('.article-actions');
      const barBox = (await bar.boundingBox())!;
      // Two rows: "Enregistrer" and "Publier maintenant"; the date with "Programmer" beside it.
      expect(barBox.height).toBeLessThanOrEqual(120);
      expect(barBox.y + barBox.height).toBeLessThanOrEqual(PHONE.height + 1);
      for (const name of ['Enregistrer', 'Publier maintenant', 'Programmer']) {
        const box = (await bar.getByRole('button', { name, exact: true }).boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(barBox.y);
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      }
      await expect(bar.getByLabel('Date de publication').isVisible()).resolves.toBe(true);

      // Writing at the end of the long text: the toolbar is one row at the top of the window, the
      // line typed is above the action bar.
      const text = page.getByRole('textbox', { name: 'Texte', exact: true });
      await text.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Prochain conseil le 12 juin.');
      const toolbar = page.getByRole('toolbar', { name: 'Mise en forme du texte' });
      const toolBox = (await toolbar.boundingBox())!;
      expect(toolBox.y).toBeGreaterThanOrEqual(-1);
      expect(toolBox.y).toBeLessThanOrEqual(1);
      expect(toolBox.height).toBeLessThanOrEqual(60);
      const typed = (await text.getByText('Prochain conseil le 12 juin.').boundingBox())!;
      expect(typed.y).toBeGreaterThanOrEqual(toolBox.y + toolBox.height);
      expect(typed.y + typed.height).toBeLessThanOrEqual((await bar.boundingBox())!.y);

      // Its buttons work from down there, and the last one scrolls into view for the keyboard.
      await page.keyboard.press('Shift+Home');
      await toolbar.getByRole('button', { name: 'Gras', exact: true }).click();
      await text.locator('strong', { hasText: 'Prochain conseil le 12 juin.' }).waitFor();
      await toolbar.getByRole('button', { name: 'Intertitre', exact: true }).focus();
      await page.keyboard.press('End');
      const markdown = toolbar.getByRole('button', { name: 'Markdown', exact: true });
      expect(await page.evaluate(`document.activeElement.textContent`)).toBe('Markdown');
      const mdBox = (await markdown.boundingBox())!;
      expect(mdBox.x).toBeGreaterThanOrEqual(0);
      expect(mdBox.x + mdBox.width).toBeLessThanOrEqual(PHONE.width);
      expect((await toolbar.boundingBox())!.y).toBeLessThanOrEqual(1);
      expect((await horizontalOverflow(page)).overflow).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows a wide table on a phone in a frame that scrolls, cells wrapping between words, in the editor’s rendering and on the site', async () => {
    const id = await draft('Horaires des équipements', `Les horaires d’été.\n\n${TABLE}`);
    const { context, page, problems } = await adminPage(browser, site.origin, login, { viewport: 'phone' });
    try {
      await page.goto(`${site.origin}/admin/articles/${id}/edit`);
      await page.locator('#saved-rendering table').scrollIntoViewIfNeeded();
      expect(await brokenWords(page, '#saved-rendering table')).toEqual([]);
      expect((await horizontalOverflow(page)).overflow).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }

    await ctx.c.articles.transition(id, 'published', officer);
    await ctx.c.dispatcher.dispatchDue();
    const slug = (await ctx.c.articles.get(id))!.slug;
    const { context: visitor } = await isolatedContext(browser, site.origin, { viewport: 'phone', bypassCSP: true });
    try {
      const tab = await visitor.newPage();
      expect((await tab.goto(`${site.origin}/actualites/${slug}`))?.status()).toBe(200);
      const frame = tab.getByRole('region', { name: 'Tableau 1' });
      expect(await frame.locator('table').count()).toBe(1);
      expect(await brokenWords(tab, '.article-body table')).toEqual([]);
      // The table is wider than the phone: it scrolls in its frame, the page does not.
      expect(await tab.evaluate(`(() => { const f = document.querySelector('.table-scroll'); return f.scrollWidth > f.clientWidth; })()`)).toBe(true);
      expect((await horizontalOverflow(tab)).overflow).toBe(0);
      // A keyboard reaches the frame and scrolls it.
      await frame.focus();
      await tab.keyboard.press('ArrowRight');
      await until(tab, `document.activeElement.scrollLeft > 0`);
      expect(describeViolations(await axeViolations(tab))).toEqual([]);
    } finally {
      await visitor.close();
    }
  }, 90_000);
});
