import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { browserAvailable, launchBrowser, serve } from './helpers/browser';
import { adminPage, editorFocused } from './helpers/admin-browser';

/**
 * Where the visual editor puts what the officer adds, in Chromium: a link typed through the
 * dialog ends with its words, and an image inserted after a sentence sits on a line of its own
 * with the cursor waiting below it, as in WordPress (images are inline nodes, as in Markdown).
 */
const officer = { id: null, label: 'test' };
const describeInBrowser = browserAvailable() ? describe : describe.skip;

let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let login: { email: string; password: string };

beforeAll(async () => {
  ctx = await createTestContext();
  login = await makeUser(ctx.c, 'editor');
  const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#5a7a3a' } })
    .jpeg()
    .toBuffer();
  const item = await ctx.c.media.ingest(jpeg, 'place.jpg', { alt: 'La place de la Mairie', credit: '' }, officer);
  await ctx.c.media.whenReady(item.id);
  site = await serve(ctx.handler);
  if (browserAvailable()) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.c.media.idle();
  await ctx.close();
});

const tool = (page: Page, name: string) => page.getByRole('toolbar', { name: 'Mise en forme du texte' }).getByRole('button', { name, exact: true });

/** The Markdown the form will send, once the editor has written back the text ending with `last`. */
async function markdown(page: Page, last: string): Promise<string> {
  let md = '';
  for (let i = 0; i < 50 && !md.includes(last); i++) {
    md = (await page.locator('textarea#body').inputValue()).replace(/\r\n/g, '\n');
    if (!md.includes(last)) await new Promise((r) => setTimeout(r, 100));
  }
  return md.replace(/\]\(\/media\/[^)]+\)/g, '](IMG)');
}

async function insertImage(page: Page): Promise<void> {
  await tool(page, 'Image').click();
  const dialog = page.getByRole('dialog', { name: 'Insérer une image' });
  await dialog.getByLabel('place.jpg').check();
  await dialog.getByRole('button', { name: 'Insérer l’image' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await editorFocused(page);
}

describeInBrowser('where the visual editor puts links and images', () => {
  it('ends a link made in the dialog with its words, and puts an image after a sentence on its own line', async () => {
    const { context, page, problems } = await adminPage(browser, site.origin, login);
    try {
      await page.goto(`${site.origin}/admin/articles/new`);
      await page.getByRole('textbox', { name: 'Texte', exact: true }).click();
      await page.keyboard.type('Plus d’informations sur ');
      await page.keyboard.press('Control+K');
      const linkDialog = page.getByRole('dialog', { name: 'Lien' });
      await linkDialog.getByLabel('Adresse du lien').fill('www.service-public.fr');
      await linkDialog.getByLabel('Texte du lien').fill('le site du service public');
      await linkDialog.getByRole('button', { name: 'Appliquer' }).click();
      await linkDialog.waitFor({ state: 'hidden' });
      await editorFocused(page);
      await page.keyboard.type('. Merci.');
      await page.keyboard.press('Enter');
      await page.keyboard.type('La place sera refaite.');
      await insertImage(page);
      await page.keyboard.type('Le marché est déplacé.');
      // Inside a sentence, the image cuts it in two; the cursor stays before the second half.
      await page.keyboard.press('Home');
      for (let i = 0; i < 'Le marché'.length; i++) await page.keyboard.press('ArrowRight');
      await insertImage(page);
      await page.keyboard.type('Dès lundi,');
      expect(await markdown(page, 'Dès lundi')).toBe(
        [
          'Plus d’informations sur [le site du service public](https://www.service-public.fr). Merci.',
          'La place sera refaite.',
          '![La place de la Mairie](IMG)',
          'Le marché',
          '![La place de la Mairie](IMG)',
          'Dès lundi, est déplacé.',
        ].join('\n\n'),
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
