import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { axeViolations, browserAvailable, describeViolations, launchBrowser, serve } from './helpers/browser';
import { adminPage, editorFocused } from './helpers/admin-browser';

/**
 * The visual editor in Chromium, as an officer uses it: the toolbar, a table, an image from the
 * media library with its description, a paste from Word and from a web page, the keyboard alone,
 * and the Markdown that reaches the server and the page the site then publishes. The page keeps
 * its strict CSP (no bypass) except where axe-core has to be injected.
 */
const officer = { id: null, label: 'test' };
const describeInBrowser = browserAvailable() ? describe : describe.skip;

let ctx: TestContext;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let login: { email: string; password: string };

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
  login = await makeUser(ctx.c, 'editor');
  const jpeg = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#3a7a5a' } })
    .jpeg()
    .toBuffer();
  const item = await ctx.c.media.ingest(jpeg, 'lavoir.jpg', { alt: 'Le lavoir', credit: '' }, officer);
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

async function newArticlePage(opts: { bypassCSP?: boolean } = {}) {
  const session = await adminPage(browser, site.origin, login, opts);
  await session.page.goto(`${site.origin}/admin/articles/new`);
  await session.page.getByRole('toolbar', { name: 'Mise en forme du texte' }).waitFor();
  return session;
}

const text = (page: Page) => page.getByRole('textbox', { name: 'Texte', exact: true });
const tool = (page: Page, name: string) => page.getByRole('toolbar', { name: 'Mise en forme du texte' }).getByRole('button', { name, exact: true });

/** Saves the form and returns the article row that was written. */
async function save(page: Page, title: string): Promise<{ id: number; slug: string; body_md: string }> {
  await Promise.all([
    page.waitForURL((u) => /\/admin\/articles\/\d+/.test(u.pathname)),
    page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
  ]);
  const row = (await ctx.c.db('articles').where({ title }).first()) as { id: number; slug: string; body_md: string } | undefined;
  if (!row) throw new Error(`no article "${title}" was saved`);
  // Browsers send a textarea's lines with CRLF, the visual editor's as much as a typed one.
  return { ...row, body_md: row.body_md.replace(/\r\n/g, '\n') };
}

/** Publishes as the workflow would, then returns the public page's main content and status. */
async function publishedPage(page: Page, id: number, slug: string): Promise<string> {
  await ctx.c.articles.transition(id, 'published', officer);
  await ctx.c.dispatcher.dispatchDue();
  const res = await page.goto(`${site.origin}/actualites/${slug}`);
  expect(res?.status()).toBe(200);
  return page.locator('main').innerHTML();
}

/** A clipboard paste, as the browser delivers it when someone presses Ctrl+V. */
async function paste(page: Page, html: string, plain: string) {
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/html', ${JSON.stringify(html)});
    data.setData('text/plain', ${JSON.stringify(plain)});
    const target = document.querySelector('.ProseMirror');
    target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  })()`);
}

/**
 * Waits for an expression to hold in the page, at most about five seconds. Not waitForFunction:
 * its string form runs through eval, which the page's CSP (rightly) refuses.
 */
async function until(page: Page, expression: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await page.evaluate(expression)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still false after 5 s: ${expression}`);
}

describeInBrowser('the visual editor', () => {
  it('writes with the toolbar, inserts a table and an image with its description, saves Markdown, and the site publishes it', async () => {
    const { context, page, problems, outbound } = await newArticlePage();
    try {
      // Without JavaScript the Markdown textarea is the field; with it, the textarea is hidden and kept in the form.
      await expect(page.locator('textarea#body').isHidden()).resolves.toBe(true);
      await page.locator('#title').fill('Fête du village');
      await text(page).click();
      await tool(page, 'Intertitre').click();
      await page.keyboard.type('Programme');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Un après-midi ');
      await page.keyboard.press('Control+B');
      await page.keyboard.type('très festif');
      await page.keyboard.press('Control+B');
      await page.keyboard.type(' pour ');
      await page.keyboard.press('Control+I');
      await page.keyboard.type('tous');
      await page.keyboard.press('Control+I');
      await page.keyboard.type('.');
      await page.keyboard.press('Enter');
      await tool(page, 'Liste à puces').click();
      await expect(tool(page, 'Liste à puces').getAttribute('aria-pressed')).resolves.toBe('true');
      await page.keyboard.type('Jeux');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Musique');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter'); // an empty item ends the list
      await page.keyboard.type('Inscriptions ');
      await page.keyboard.press('Control+K');
      const linkDialog = page.getByRole('dialog', { name: 'Lien' });
      await linkDialog.getByLabel('Adresse du lien').fill('javascript:alert(1)');
      await linkDialog.getByRole('button', { name: 'Appliquer' }).click();
      await expect(linkDialog.getByText('Cette adresse n’est pas valide').isVisible()).resolves.toBe(true);
      await linkDialog.getByLabel('Adresse du lien').fill('www.mairie-exemple.fr/fete');
      await linkDialog.getByLabel('Texte du lien').fill('sur le site');
      await linkDialog.getByLabel('Texte du lien').press('Enter');
      await linkDialog.waitFor({ state: 'hidden' });
      await editorFocused(page);
      await page.keyboard.press('Enter');
      await tool(page, 'Citation').click();
      await page.keyboard.type('Venez nombreux');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter'); // an empty paragraph leaves the quote

      await tool(page, 'Tableau').click();
      for (const cell of ['Heure', 'Animation', 'Lieu', '14 h', 'Jeux', 'Place', '16 h', 'Concert']) {
        await page.keyboard.type(cell);
        await page.keyboard.press('Tab');
      }
      await page.keyboard.type('Église');
      await expect(tool(page, 'Ajouter une ligne').isVisible()).resolves.toBe(true);
      // Tab in the last cell leaves the editor rather than adding rows forever (no keyboard trap).
      await page.keyboard.press('Tab');
      await expect(page.evaluate('!!document.activeElement.closest(".ProseMirror")')).resolves.toBe(false);

      await text(page).focus();
      await page.keyboard.press('Control+End');
      await tool(page, 'Image').click();
      const imageDialog = page.getByRole('dialog', { name: 'Insérer une image' });
      await imageDialog.getByText('1 image trouvée.').waitFor();
      await imageDialog.getByLabel('lavoir.jpg').check();
      // The library's description is offered; the editor refuses to insert the image without one.
      await expect(imageDialog.getByLabel(/Texte alternatif/).inputValue()).resolves.toBe('Le lavoir');
      await imageDialog.getByLabel(/Texte alternatif/).fill('   ');
      await imageDialog.getByRole('button', { name: 'Insérer l’image' }).click();
      await expect(imageDialog.getByText('Décrivez l’image : le texte alternatif est obligatoire.').isVisible()).resolves.toBe(true);
      await expect(imageDialog.getByLabel(/Texte alternatif/).getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(text(page).getByRole('img').count()).resolves.toBe(0);
      await imageDialog.getByLabel(/Texte alternatif/).fill('lavoir.jpg');
      await imageDialog.getByRole('button', { name: 'Insérer l’image' }).click();
      await expect(imageDialog.getByText('pas donner le nom de son fichier').isVisible()).resolves.toBe(true);
      await imageDialog.getByLabel(/Texte alternatif/).fill('Le lavoir restauré, au bord de la rivière');
      await imageDialog.getByRole('button', { name: 'Insérer l’image' }).click();
      await imageDialog.waitFor({ state: 'hidden' });
      await expect(text(page).getByRole('img').getAttribute('alt')).resolves.toBe('Le lavoir restauré, au bord de la rivière');

      const saved = await save(page, 'Fête du village');
      const md = saved.body_md;
      for (const expected of [
        '## Programme',
        'Un après-midi **très festif** pour *tous*.',
        '- Jeux\n- Musique',
        'Inscriptions [sur le site](https://www.mairie-exemple.fr/fete)',
        '> Venez nombreux',
        /\| Heure +\| Animation +\| Lieu +\|/,
        /\| 16 h +\| Concert +\| Église +\|/,
        /!\[Le lavoir restauré, au bord de la rivière\]\(\/media\/\d+\/w960-[a-f0-9]+\.jpg\)/,
      ]) {
        if (typeof expected === 'string') expect(md).toContain(expected);
        else expect(md).toMatch(expected);
      }

      const main = await publishedPage(page, saved.id, saved.slug);
      expect(main).toContain('<h2>Programme</h2>');
      expect(main).toContain('<strong>très festif</strong>');
      expect(main).toContain('<a href="https://www.mairie-exemple.fr/fete" rel="noopener noreferrer external">sur le site</a>');
      expect(main).toContain('<blockquote>');
      expect(main).toMatch(/<th>Heure<\/th>/);
      expect(main).toMatch(/<td>Église<\/td>/);
      const img = page.locator('main img[alt="Le lavoir restauré, au bord de la rivière"]');
      await expect(img.count()).resolves.toBe(1);
      await expect(page.evaluate(`document.querySelector('main img[alt="Le lavoir restauré, au bord de la rivière"]').naturalWidth`)).resolves.toBe(960);
      expect(problems).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('keeps the structure of a Word paste (headings, lists, links, a table) and drops its styling and images', async () => {
    const { context, page, problems } = await newArticlePage();
    try {
      await page.locator('#title').fill('Conseil municipal');
      await text(page).click();
      await paste(page, fs.readFileSync(path.join(__dirname, 'fixtures', 'word-paste.html'), 'utf8'), 'Conseil municipal du 3 mars');
      await expect(page.getByRole('status').filter({ hasText: 'Les images collées ne sont pas reprises' }).waitFor()).resolves.toBeUndefined();
      const saved = await save(page, 'Conseil municipal');
      const md = saved.body_md;
      expect(md).toContain('## Conseil municipal du 3 mars');
      expect(md).toContain('Le conseil a voté **trois délibérations** et *une motion*. Voir [le compte rendu](https://www.mairie.fr/cr).');
      expect(md).toMatch(/- Budget\n {2}- Investissements\n- Écoles/);
      expect(md).toMatch(/1\. Premier point\n2\. Second point/);
      expect(md).toMatch(/\| \*\*Vote\*\* +\| \*\*Voix\*\* +\|\n\| -+ +\| -+ +\|\n\| Pour/);
      expect(md).toMatch(/\| Pour +\| 12 +\|/);
      for (const styling of ['mso', 'Mso', 'font', 'color', 'style', 'class', 'span', '<', 'Calibri', 'clip_image', '·', '&nbsp;']) {
        expect({ styling, found: md.includes(styling) }).toEqual({ styling, found: false });
      }
      const main = await publishedPage(page, saved.id, saved.slug);
      expect(main).toContain('<h2>Conseil municipal du 3 mars</h2>');
      expect(main).toMatch(/<ul>\s*<li>Budget\s*<ul>\s*<li>Investissements<\/li>/);
      expect(main).toMatch(/<ol>\s*<li>Premier point<\/li>/);
      expect(main).toMatch(/<td>Pour<\/td>/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('keeps a web page’s structure and drops its fonts, colours, classes, scripts, unsafe links and outside images', async () => {
    const { context, page, problems, outbound } = await newArticlePage();
    try {
      await page.locator('#title').fill('Travaux');
      await text(page).click();
      await paste(page, fs.readFileSync(path.join(__dirname, 'fixtures', 'web-paste.html'), 'utf8'), 'Travaux rue des Écoles');
      const saved = await save(page, 'Travaux');
      const md = saved.body_md;
      expect(md).toContain('### Travaux rue des Écoles');
      expect(md).toContain('**Du 4 au 8 mars**, la rue est *fermée* à la circulation. Déviation par la [route du Moulin](https://www.exemple.fr/deviation).');
      expect(md).toContain('- Bus : arrêt déplacé\n- Collecte : inchangée');
      expect(md).toMatch(/\| Jour +\| Horaire +\|/);
      for (const bad of ['Comic', 'color', 'class', 'style', 'onclick', 'alert', 'javascript', 'cdn.exemple.fr', 'span', '<']) {
        expect({ bad, found: md.includes(bad) }).toEqual({ bad, found: false });
      }
      expect(md).toContain('piège');
      expect(problems).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('is usable with the keyboard alone: every toolbar button is a named Tab stop, shortcuts work, and axe finds no violation', async () => {
    const { context, page, problems } = await newArticlePage({ bypassCSP: true });
    try {
      const buttons = page.getByRole('toolbar', { name: 'Mise en forme du texte' }).getByRole('button');
      const names = (await buttons.allInnerTexts()).map((n) => n.trim());
      expect(names).toEqual([
        'Intertitre',
        'Sous-intertitre',
        'Gras',
        'Italique',
        'Lien',
        'Liste à puces',
        'Liste numérotée',
        'Citation',
        'Tableau',
        'Image',
        'Défaire',
        'Refaire',
        'Markdown',
      ]);
      for (const [name, keys] of [
        ['Gras', 'Control+B'],
        ['Italique', 'Control+I'],
        ['Lien', 'Control+K'],
        ['Défaire', 'Control+Z'],
      ]) {
        await expect(tool(page, name as string).getAttribute('aria-keyshortcuts')).resolves.toBe(keys);
      }
      // From the summary, Tab walks through every button, then into the text.
      await page.locator('#summary').focus();
      const reached: string[] = [];
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        const focused = (await page.evaluate(
          'document.activeElement.closest(".ProseMirror") ? "(texte)" : document.activeElement.textContent.trim()',
        )) as string;
        reached.push(focused);
        if (focused === '(texte)') break;
      }
      expect(reached).toEqual([...names, '(texte)']);

      await page.keyboard.type('Bonjour ');
      await page.keyboard.press('Control+B');
      await expect(tool(page, 'Gras').getAttribute('aria-pressed')).resolves.toBe('true');
      await page.keyboard.type('à tous');
      // The Markdown field follows the editor (written back a moment after typing stops).
      const markdownIs = (md: string) =>
        page.waitForFunction(`document.querySelector('textarea#body').value === ${JSON.stringify(md)}`, null, { timeout: 5000 }).catch(async () => {
          throw new Error(`the Markdown field holds ${JSON.stringify(await page.locator('textarea#body').inputValue())}, not ${JSON.stringify(md)}`);
        });
      await markdownIs('Bonjour **à tous**');
      await page.keyboard.press('Control+Alt+2');
      await expect(text(page).locator('h2').innerText()).resolves.toBe('Bonjour à tous');
      await markdownIs('## Bonjour **à tous**');
      await page.keyboard.press('Control+Z');
      await expect(text(page).locator('h2').count()).resolves.toBe(0);
      await page.keyboard.press('Control+Shift+Z');
      await markdownIs('## Bonjour **à tous**');

      expect(describeViolations(await axeViolations(page))).toEqual([]);
      await tool(page, 'Image').click();
      await page.getByRole('dialog', { name: 'Insérer une image' }).getByText('1 image trouvée.').waitFor();
      expect(describeViolations(await axeViolations(page))).toEqual([]);
      await page.keyboard.press('Escape');
      await expect(page.evaluate('!!document.activeElement.closest(".ProseMirror")')).resolves.toBe(true);
      await page.keyboard.press('Control+K');
      expect(describeViolations(await axeViolations(page))).toEqual([]);
      await page.keyboard.press('Escape');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('uploads a new image from the dialog into the media library, with the description typed there, and places it in the text', async () => {
    const { context, page, problems } = await newArticlePage();
    try {
      const mediaBefore = (await ctx.c.media.list({ q: '', limit: 100, offset: 0 })).total;
      await page.locator('#title').fill('Nouvelle photo');
      await text(page).click();
      await page.keyboard.type('La mairie repeinte.');
      await page.keyboard.press('Enter');
      await tool(page, 'Image').click();
      const dialog = page.getByRole('dialog', { name: 'Insérer une image' });
      await dialog.getByText('1 image trouvée.').waitFor();
      const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#b04a3a' } })
        .jpeg()
        .toBuffer();
      await dialog.getByLabel('Ou déposez une nouvelle image').setInputFiles({ name: 'mairie.jpg', mimeType: 'image/jpeg', buffer: photo });
      await dialog.getByRole('button', { name: 'Insérer l’image' }).click();
      // Nothing is sent without a description: the library does not get an undescribed image either.
      await expect(dialog.getByText('Décrivez l’image : le texte alternatif est obligatoire.').isVisible()).resolves.toBe(true);
      expect((await ctx.c.media.list({ q: '', limit: 100, offset: 0 })).total).toBe(mediaBefore);
      await dialog.getByLabel(/Texte alternatif/).fill('La façade de la mairie, fraîchement repeinte en ocre');
      await dialog.getByRole('button', { name: 'Insérer l’image' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
      const { rows } = await ctx.c.media.list({ q: 'mairie', limit: 10, offset: 0 });
      expect(rows.map((m) => [m.originalName, m.alt])).toEqual([['mairie.jpg', 'La façade de la mairie, fraîchement repeinte en ocre']]);
      await expect(text(page).getByRole('img').getAttribute('src')).resolves.toMatch(new RegExp(`^/media/${rows[0]!.id}/w960-[a-f0-9]+\\.jpg$`));
      const saved = await save(page, 'Nouvelle photo');
      expect(saved.body_md).toMatch(/^La mairie repeinte\.\n\n!\[La façade de la mairie, fraîchement repeinte en ocre\]\(\/media\/\d+\/w960-[a-f0-9]+\.jpg\)$/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('opens an older text with an undescribed image, outlines it, and lets the officer describe it before saving', async () => {
    const article = await ctx.c.articles.create({ title: 'Ancien article', summary: '', bodyMd: 'Provisoire.' }, officer);
    const [variant] = (await ctx.c.media.list({ q: '', limit: 1, offset: 0 })).rows[0]!.variants.filter((v) => v.kind === 'responsive' && v.format === 'jpeg');
    // Written before the rule existed: straight into the table, as an old database would hold it.
    await ctx.c
      .db('articles')
      .where({ id: article.id })
      .update({ body_md: `Avant l’image.\n\n![](${variant!.url})\n\nAprès l’image.` });
    const { context, page, problems } = await adminPage(browser, site.origin, login);
    try {
      await page.goto(`${site.origin}/admin/articles/${article.id}/edit`);
      const image = text(page).locator(`img[src="${variant!.url}"]`);
      await expect(image.getAttribute('alt')).resolves.toBe('');
      await expect(page.evaluate(`getComputedStyle(document.querySelector('.ProseMirror img[src="${variant!.url}"]')).outlineStyle`)).resolves.toBe('dashed');
      await image.click();
      await tool(page, 'Image').click();
      const dialog = page.getByRole('dialog', { name: 'Modifier l’image' });
      await dialog.getByLabel(/Texte alternatif/).fill('Le lavoir, vu du pont');
      await dialog.getByRole('button', { name: 'Enregistrer l’image' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/admin/articles/${article.id}`),
        page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
      ]);
      const row = await ctx.c.db('articles').where({ id: article.id }).first();
      expect(String(row.body_md).replace(/\r\n/g, '\n')).toBe(`Avant l’image.\n\n![Le lavoir, vu du pont](${variant!.url})\n\nAprès l’image.`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('switches to the Markdown text and back without losing anything, and the Markdown typed there is what is saved', async () => {
    const { context, page, problems } = await newArticlePage();
    try {
      await page.locator('#title').fill('Mode Markdown');
      await text(page).click();
      await page.keyboard.type('Premier paragraphe.');
      await tool(page, 'Markdown').click();
      const source = page.locator('textarea#body');
      await expect(source.isVisible()).resolves.toBe(true);
      await expect(source.inputValue()).resolves.toBe('Premier paragraphe.');
      await expect(page.getByText('Mise en forme Markdown').isVisible()).resolves.toBe(true);
      await source.fill('Premier paragraphe.\n\n## Ajouté en Markdown\n\n- un point');
      await tool(page, 'Markdown').click();
      await expect(text(page).locator('h2').innerText()).resolves.toBe('Ajouté en Markdown');
      await tool(page, 'Markdown').click(); // the choice is kept for the next save
      const saved = await save(page, 'Mode Markdown');
      expect(saved.body_md).toBe('Premier paragraphe.\n\n## Ajouté en Markdown\n\n- un point');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('keeps the unsaved text in the browser’s local draft, and shows it in the editor after a reload', async () => {
    const { context, page, problems } = await newArticlePage();
    try {
      await text(page).click();
      await page.keyboard.type('Texte jamais enregistré');
      // The editor writes the Markdown back, then the page keeps it as a local draft.
      await until(page, `Object.keys(localStorage).some((k) => (localStorage.getItem(k) || '').includes('Texte jamais enregistré'))`);
      page.once('dialog', (d) => void d.accept()); // "leave the page?": the draft is what protects the text
      await page.reload();
      await page.getByRole('toolbar', { name: 'Mise en forme du texte' }).waitFor();
      await expect(page.getByText('Brouillon local restauré').isVisible()).resolves.toBe(true);
      await expect(text(page).innerText()).resolves.toBe('Texte jamais enregistré');
      await page.getByRole('button', { name: 'Abandonner le brouillon local' }).click();
      expect((await text(page).innerText()).trim()).toBe('');
      await expect(page.locator('textarea#body').inputValue()).resolves.toBe('');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('leaves the Markdown textarea working as before when JavaScript is off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR' });
    try {
      const page = await context.newPage();
      await page.goto(`${site.origin}/admin/login`);
      await page.locator('#email').fill(login.email);
      await page.locator('#password').fill(login.password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/admin/login')), page.getByRole('button', { name: 'Se connecter' }).click()]);
      await page.goto(`${site.origin}/admin/articles/new`);
      await expect(page.getByRole('toolbar').count()).resolves.toBe(0);
      await page.locator('#title').fill('Sans JavaScript');
      await page.getByLabel('Texte', { exact: true }).fill('## Écrit à la main\n\nDu **Markdown**.');
      const saved = await save(page, 'Sans JavaScript');
      expect(saved.body_md).toBe('## Écrit à la main\n\nDu **Markdown**.');
    } finally {
      await context.close();
    }
  }, 60_000);
});
