import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { collectRoutes } from './helpers/routes';
import { RESERVED_SLUGS } from '../server/pages/pages.paths';
import { plainSpaces } from './helpers/typography';

/**
 * The commune's pages as an officer builds them in the admin and a resident reads them: a tree
 * of pages with their addresses, the main menu and the footer, the plan du site, the sitemap and
 * the search, redirects after a rename, deletion with its sub-pages, and every refusal in French.
 * Runs on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL.
 */

let ctx: TestContext;
let editor: { agent: TestAgent; csrf: string };
beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
});
afterAll(async () => ctx.close());

/** A public page, its French no-break spaces read as ordinary ones (test/typography.test.ts checks them). */
const site = async (path: string) => {
  const res = await request(ctx.app).get(path).redirects(0);
  return Object.assign(res, { text: plainSpaces(res.text) });
};

/** What a person reads: the text without tags, spaces collapsed. */
function readable(html: string): string {
  return plainSpaces(html)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&#34;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const between = (html: string, start: string, end: string) => html.slice(html.indexOf(start), html.indexOf(end, html.indexOf(start)));
const headerOf = (html: string) => between(html, '<header class="site-header">', '</header>');
const footerOf = (html: string) => between(html, '<footer class="site-footer">', '</footer>');
const mainOf = (html: string) => between(html, '<main', '</main>');

async function post(path: string, form: Record<string, string | string[]>) {
  return editor.agent
    .post(path)
    .type('form')
    .send({ _csrf: editor.csrf, ...form })
    .redirects(0);
}

/** Creates a page through the admin's form, as an officer does; answers its id. */
async function createPage(form: Record<string, string>): Promise<number> {
  const res = await post('/admin/pages', { summary: '', slug: '', parentId: '', body: '', status: 'published', ...form });
  expect([res.status, res.headers.location]).toEqual([302, expect.stringMatching(/^\/admin\/pages\/\d+\/edit$/)]);
  return Number(/\/admin\/pages\/(\d+)\/edit/.exec(res.headers.location as string)![1]);
}

async function editPage(id: number, changes: Record<string, string>) {
  const page = (await ctx.c.pages.get(id))!;
  return post(`/admin/pages/${id}`, {
    title: page.title,
    slug: page.slug,
    parentId: page.parentId === null ? '' : String(page.parentId),
    summary: page.summary,
    body: page.bodyMd,
    status: page.status,
    version: String(page.version),
    ...changes,
  });
}

async function menuTokens(menu: 'main' | 'footer'): Promise<string[]> {
  return (await ctx.c.menus.edit(menu)).entries.map((e) => e.token);
}

let mairie = 0;
let horaires = 0;
let conseil = 0;
let secret = 0;

describe('building the commune’s pages in the admin', () => {
  it('starts with the legal pages, prefilled from content/pages and online', async () => {
    const res = await editor.agent.get('/admin/pages');
    expect(res.status).toBe(200);
    const text = readable(res.text);
    expect(text).toContain('Mentions légales');
    expect(text).toContain('Données personnelles');
    expect(res.text).toContain('<code>/mentions-legales</code>');
    // Required pages offer no deletion.
    expect(res.text).not.toMatch(/href="\/admin\/pages\/\d+\/delete"/);
  });

  it('creates a tree of pages: a sub-page’s address is its parent’s followed by its own', async () => {
    mairie = await createPage({ title: 'La mairie', summary: 'Les services municipaux.', body: '## Accueil\n\nLa mairie vous accueille.' });
    horaires = await createPage({
      title: 'Horaires d’ouverture',
      slug: 'horaires',
      parentId: String(mairie),
      body: 'Du lundi au vendredi, de 8 h 30 à 12 h. Téléphone : {{phone}}.',
    });
    conseil = await createPage({ title: 'Le conseil municipal', parentId: String(mairie), body: 'Les élus et les séances du conseil.' });
    secret = await createPage({ title: 'Projet de piscine', body: 'Étude confidentielle sur la piscine municipale.', status: 'draft' });
    expect((await ctx.c.pages.get(horaires))!.path).toBe('/la-mairie/horaires');
    expect((await ctx.c.pages.get(conseil))!.path).toBe('/la-mairie/le-conseil-municipal');

    const list = await editor.agent.get('/admin/pages');
    const rows = readable(list.text);
    // Tree order: each page followed by its sub-pages.
    expect(rows.indexOf('La mairie')).toBeLessThan(rows.indexOf('Horaires d’ouverture'));
    expect(rows).toContain('sous-page de « La mairie »');
    expect(rows).toContain('Brouillon');
  });

  it('shows an online page at its address, with its breadcrumb and its sub-pages, settings filled in', async () => {
    await ctx.c.settings.save({ ...(await ctx.c.settings.get()), phone: '01 23 45 67 89' }, { id: null, label: 'test' });
    const top = await site('/la-mairie');
    expect(top.status).toBe(200);
    expect(top.text).toContain('<h1>La mairie</h1>');
    expect(top.text).toContain('<h2>Accueil</h2>');
    expect(mainOf(top.text)).toContain('href="/la-mairie/horaires"');
    expect(mainOf(top.text)).toContain('href="/la-mairie/le-conseil-municipal"');
    expect(top.text).toContain('<meta name="description" content="Les services municipaux.">');
    expect(top.headers['set-cookie']).toBeUndefined();

    const child = await site('/la-mairie/horaires');
    expect(child.status).toBe(200);
    expect(child.text).toContain('Téléphone : 01 23 45 67 89.');
    expect(between(child.text, '<nav class="breadcrumb"', '</nav>')).toContain('<a href="/la-mairie">La mairie</a>');
    expect(readable(mainOf(child.text))).not.toContain('{{phone}}');
  });

  it('keeps drafts off the site, and the sub-pages of a draft too', async () => {
    expect((await site('/projet-de-piscine')).status).toBe(404);
    const child = await createPage({ title: 'Calendrier du chantier', parentId: String(secret), body: 'Le chantier de la piscine.' });
    expect((await site('/projet-de-piscine/calendrier-du-chantier')).status).toBe(404);
    expect((await ctx.c.pages.get(child))!.status).toBe('published');
    const list = readable((await editor.agent.get('/admin/pages')).text);
    expect(list).toContain('Pas visible : une page au-dessus est en brouillon.');
  });

  it('refuses bad input with a French message and a 4xx, writing nothing', async () => {
    const before = (await ctx.c.pages.all()).length;
    const cases: [Record<string, string | string[]>, string][] = [
      [{ title: '' }, 'Indiquez un titre.'],
      [{ title: 'Agenda', slug: 'agenda' }, 'Cette adresse est déjà utilisée par le site'],
      [{ title: 'Autre mairie', slug: 'la-mairie' }, 'La page « La mairie » a déjà cette adresse'],
      [{ title: 'Orpheline', parentId: '999999' }, 'Choisissez une page proposée.'],
      [{ title: 'Orpheline', parentId: 'abc' }, 'Choisissez une page proposée.'],
      [{ title: 'Bizarre', status: 'supprimee' }, 'Choisissez « Brouillon » ou « En ligne ».'],
      [{ title: ['Deux', 'titres'] }, 'Indiquez un titre.'],
      [{ title: 'x'.repeat(201) }, 'Le titre est trop long'],
      [{ title: 'Long', body: 'x'.repeat(100_001) }, 'Le texte est trop long'],
      [{ title: 'Photo', body: 'La mairie :\n\n![](/media/1/960.jpg)' }, 'Une image du texte n’a pas de texte alternatif'],
    ];
    for (const [form, message] of cases) {
      const res = await post('/admin/pages', { slug: '', parentId: '', body: '', status: 'draft', ...form });
      expect([form, res.status]).toEqual([form, 400]);
      expect(readable(res.text)).toContain(message);
    }
    // A page under itself or under its own sub-page.
    const loop = await editPage(mairie, { parentId: String(horaires) });
    expect(loop.status).toBe(400);
    expect(readable(loop.text)).toContain('Une page ne peut pas être rangée sous elle-même ni sous une de ses sous-pages.');
    // A legal page stays online, and cannot be deleted.
    const legal = (await ctx.c.pages.all()).find((p) => p.legalKey === 'mentions-legales')!;
    const offline = await editPage(legal.id, { status: 'draft' });
    expect(offline.status).toBe(400);
    expect(readable(offline.text)).toContain('Cette page est obligatoire pour un site de commune : elle reste en ligne.');
    const del = await post(`/admin/pages/${legal.id}/delete`, { confirm: 'oui' });
    expect(del.status).toBe(409);
    // A save over a newer version.
    const stale = await editPage(mairie, { title: 'La mairie (ancien)', version: '0' });
    expect(stale.status).toBe(409);
    expect(readable(stale.text)).toContain('Quelqu’un a enregistré cette page pendant que vous la modifiiez');
    expect((await ctx.c.pages.all()).length).toBe(before);
    expect((await ctx.c.pages.get(mairie))!.title).toBe('La mairie');
  });

  it('sanitizes hostile HTML in a page’s text like an article’s', async () => {
    const id = await createPage({
      title: 'Démarches',
      body: [
        'Avant <script>alert("x")</script> après.',
        '<img src="x" onerror="alert(1)"> <iframe src="https://evil.example"></iframe>',
        '[piège](javascript:alert(1)) <a href="https://service-public.fr" onclick="alert(1)">Service public</a>',
        '<p style="color:red" onmouseover="alert(1)">Texte</p>',
      ].join('\n\n'),
    });
    const res = await site('/demarches');
    expect(res.status).toBe(200);
    const main = mainOf(res.text);
    for (const bad of ['<script', 'alert(', 'onerror', 'onclick', 'onmouseover', '<iframe', 'javascript:', 'style='])
      expect([bad, main.includes(bad)]).toEqual([bad, false]);
    expect(main).toContain('href="https://service-public.fr" rel="noopener noreferrer external"');
    expect(main).toContain('Avant');
    await post(`/admin/pages/${id}/delete`, { confirm: 'oui' });
  });

  it('answers an elected member’s visit to the pages’ admin with a 403', async () => {
    const elected = await loginAs(ctx, 'elected');
    expect((await elected.agent.get('/admin/pages')).status).toBe(403);
    expect((await elected.agent.get('/admin/pages/menu')).status).toBe(403);
    expect((await editor.agent.get('/admin')).text).toContain('href="/admin/pages"');
    expect((await elected.agent.get('/admin')).text).not.toContain('href="/admin/pages"');
  });
});

describe('the main menu and the footer', () => {
  it('starts with the sections the site had, and the legal pages in the footer', async () => {
    expect(await menuTokens('main')).toEqual(['link:actualites', 'link:agenda', 'link:recherche']);
    const footer = await menuTokens('footer');
    const legal = (await ctx.c.pages.all()).filter((p) => p.legalKey);
    expect(legal.map((p) => p.path).sort()).toEqual(['/accessibilite', '/donnees-personnelles', '/mentions-legales']);
    expect(footer.slice(0, 3).sort()).toEqual(legal.map((p) => `page:${p.id}`).sort());
    // The accessibility statement first, as the generated link was, saying the compliance status.
    expect(footer[0]).toBe(`page:${legal.find((p) => p.legalKey === 'accessibilite')!.id}`);
    const home = await site('/');
    expect(footerOf(home.text)).toContain('<a href="/mentions-legales">Mentions légales</a>');
    expect(footerOf(home.text)).toContain('href="/accessibilite"');
  });

  it('adds pages to the menu and the footer, and shows them on every public page', async () => {
    let res = await post('/admin/pages/menu', { menu: 'main', entries: await menuTokens('main'), action: 'add', add: `page:${mairie}` });
    expect([res.status, res.headers.location]).toEqual([302, '/admin/pages/menu#menu-main']);
    res = await post('/admin/pages/menu', { menu: 'footer', entries: await menuTokens('footer'), action: 'add', add: `page:${horaires}` });
    expect(res.status).toBe(302);
    // A draft can wait in the menu: it shows once online.
    res = await post('/admin/pages/menu', { menu: 'main', entries: await menuTokens('main'), action: 'add', add: `page:${secret}` });
    expect(res.status).toBe(302);
    for (const path of ['/', '/actualites', '/agenda', '/recherche?q=mairie', '/la-mairie/horaires', '/plan-du-site', '/page-inconnue']) {
      const html = (await site(path)).text;
      expect([path, headerOf(html).includes('<a href="/la-mairie"')]).toEqual([path, true]);
      expect([path, footerOf(html).includes('<a href="/la-mairie/horaires">Horaires d’ouverture</a>')]).toEqual([path, true]);
      expect([path, html.includes('Projet de piscine')]).toEqual([path, false]);
    }
    // The current page is marked in the menu.
    expect(headerOf((await site('/la-mairie/horaires')).text)).toContain('<a href="/la-mairie" aria-current="page">La mairie</a>');
  });

  it('moves an entry up or down without JavaScript, saves it at once and says where it went', async () => {
    const before = await menuTokens('main');
    const at = before.indexOf(`page:${mairie}`);
    const res = await post('/admin/pages/menu', { menu: 'main', entries: before, action: `up:${at}` });
    expect(res.status).toBe(302);
    const after = await menuTokens('main');
    expect(after.indexOf(`page:${mairie}`)).toBe(at - 1);
    const page = await editor.agent.get('/admin/pages/menu');
    expect(readable(page.text)).toContain(`« La mairie » est maintenant en position ${at} sur ${after.length} (Menu principal).`);
    const header = headerOf((await site('/')).text);
    expect(header.indexOf('href="/la-mairie"')).toBeLessThan(header.indexOf('href="/recherche"'));
  });

  it('refuses a footer without the legal pages or the site map, and entries that do not exist', async () => {
    const footer = await menuTokens('footer');
    const legal = footer[1]!;
    let res = await post('/admin/pages/menu', { menu: 'footer', entries: footer.filter((t) => t !== legal), action: 'save' });
    expect(res.status).toBe(400);
    expect(readable(res.text)).toContain('Le pied de page doit garder un lien vers : Mentions légales.');
    res = await post('/admin/pages/menu', { menu: 'footer', entries: footer.filter((t) => t !== 'link:plan-du-site'), action: 'save' });
    expect(res.status).toBe(400);
    for (const [form, message] of [
      [{ menu: 'main', entries: ['page:999999'], action: 'save' }, 'Le menu contient une entrée qui n’existe pas ou plus'],
      [{ menu: 'main', entries: ['link:ailleurs'], action: 'save' }, 'Le menu contient une entrée qui n’existe pas ou plus'],
      [{ menu: 'main', entries: ['link:agenda', 'link:agenda'], action: 'save' }, 'Une entrée figure deux fois dans le menu'],
      [{ menu: 'entete', entries: [], action: 'save' }, 'Ce menu n’existe pas.'],
      [{ menu: 'main', entries: [], action: 'effacer:tout' }, 'Cette action n’existe pas.'],
      [{ menu: 'main', entries: await menuTokens('main'), action: 'add', add: '' }, 'Choisissez une entrée à ajouter.'],
    ] as [Record<string, string | string[]>, string][]) {
      const r = await post('/admin/pages/menu', form);
      expect([form, r.status]).toEqual([form, 400]);
      expect(readable(r.text)).toContain(message);
    }
    expect(await menuTokens('footer')).toEqual(footer);
  });
});

describe('the plan du site, the sitemap and the search', () => {
  it('lists every online page in the plan du site, sub-pages under their parent', async () => {
    const plan = mainOf((await site('/plan-du-site')).text);
    expect(plan).toMatch(/<li><a href="\/la-mairie">La mairie<\/a><ul><li><a href="\/la-mairie\/horaires">Horaires d’ouverture<\/a><\/li>/);
    expect(plan).toContain('href="/mentions-legales"');
    expect(plan).toContain('href="/donnees-personnelles"');
    expect(plan).not.toContain('piscine');
  });

  it('lists every online page in the sitemap, drafts left out', async () => {
    const xml = (await site('/sitemap.xml')).text;
    for (const path of ['/la-mairie', '/la-mairie/horaires', '/la-mairie/le-conseil-municipal', '/mentions-legales', '/donnees-personnelles'])
      expect(xml).toContain(`<loc>http://crieur.test${path}</loc>`);
    expect(xml).not.toContain('piscine');
  });

  it('finds a page by its title and by its text, accents aside, and never a draft', async () => {
    const byTitle = await site('/recherche?q=horaires');
    expect(byTitle.status).toBe(200);
    expect(byTitle.text).toContain('<a href="/la-mairie/horaires"><mark>Horaires</mark> d’ouverture</a>');
    expect(plainSpaces(byTitle.text)).toContain('1 résultat pour « horaires ».');
    const byText = await site('/recherche?q=elus%20seances');
    expect(byText.text).toContain('href="/la-mairie/le-conseil-municipal"');
    expect(byText.text).toContain('<mark>élus</mark>');
    const draft = await site('/recherche?q=piscine');
    expect(plainSpaces(draft.text)).toContain('Aucun résultat pour « piscine ».');
  });
});

describe('addresses that change', () => {
  it('answers 301 from a renamed page’s old address, and from its sub-pages’ old addresses', async () => {
    const res = await editPage(mairie, { slug: 'mairie' });
    expect(res.status).toBe(302);
    const flashPage = await editor.agent.get(res.headers.location as string);
    expect(readable(flashPage.text)).toContain('Sa nouvelle adresse est /mairie ; l’ancienne, /la-mairie, y mène toujours.');
    expect((await site('/mairie/horaires')).status).toBe(200);
    const old = await site('/la-mairie');
    expect([old.status, old.headers.location]).toEqual([301, '/mairie']);
    const oldChild = await site('/la-mairie/horaires?ref=bulletin');
    expect([oldChild.status, oldChild.headers.location]).toEqual([301, '/mairie/horaires?ref=bulletin']);
    // The menus follow the page.
    expect(headerOf((await site('/')).text)).toContain('<a href="/mairie"');
    // A page created later at the old address takes it over.
    const other = await createPage({ title: 'La mairie annexe', slug: 'la-mairie' });
    expect((await site('/la-mairie')).status).toBe(200);
    await post(`/admin/pages/${other}/delete`, { confirm: 'oui' });
  });

  it('says what deleting a page does to its sub-pages, asks for confirmation, then moves them up', async () => {
    const confirm = await editor.agent.get(`/admin/pages/${mairie}/delete`);
    expect(confirm.status).toBe(200);
    const text = readable(confirm.text);
    expect(text).toContain('Supprimer la page « La mairie »');
    expect(text).toContain('Ses sous-pages ne sont pas supprimées : elles deviendront des pages de premier niveau.');
    expect(text).toContain('Horaires d’ouverture /mairie/horaires /horaires');
    const unconfirmed = await post(`/admin/pages/${mairie}/delete`, {});
    expect(unconfirmed.status).toBe(400);
    expect(readable(unconfirmed.text)).toContain('Cochez la case pour confirmer la suppression.');
    expect(await ctx.c.pages.get(mairie)).not.toBeNull();

    const done = await post(`/admin/pages/${mairie}/delete`, { confirm: 'oui' });
    expect([done.status, done.headers.location]).toEqual([302, '/admin/pages']);
    expect(readable((await editor.agent.get('/admin/pages')).text)).toContain(
      'La page « La mairie » a été supprimée ; ses 2 sous-pages ont été rattachées plus haut.',
    );
    expect(await ctx.c.pages.get(mairie)).toBeNull();
    expect((await ctx.c.pages.get(horaires))!.path).toBe('/horaires');
    expect((await site('/mairie')).status).toBe(404);
    expect((await site('/horaires')).status).toBe(200);
    const old = await site('/mairie/horaires');
    expect([old.status, old.headers.location]).toEqual([301, '/horaires']);
    const older = await site('/la-mairie/horaires');
    expect([older.status, older.headers.location]).toEqual([301, '/horaires']);
    // The menu entry left with the page; the audit log says who did it.
    expect(await menuTokens('main')).not.toContain(`page:${mairie}`);
    const audit = readable((await (await loginAs(ctx, 'admin')).agent.get('/admin/audit')).text);
    expect(audit).toContain('Page supprimée');
    expect(audit).toContain('Menu du site modifié');
  });

  it('keeps the fixed routes out of reach of a top-level page (every first part of a public route is reserved)', () => {
    const firsts = new Set(
      collectRoutes(ctx.app)
        .filter((r) => r.method === 'GET')
        .map((r) => r.path.split('/')[1] ?? '')
        .filter((s) => s && !s.startsWith(':') && !s.startsWith('*') && !s.includes('.')),
    );
    expect([...firsts].filter((s) => !RESERVED_SLUGS.has(s))).toEqual([]);
  });
});

describe('the legal pages, now pages like the others', () => {
  it('lets the officer rewrite the legal notice, still filled from the settings', async () => {
    const legal = (await ctx.c.pages.all()).find((p) => p.legalKey === 'mentions-legales')!;
    const res = await editPage(legal.id, { body: `${legal.bodyMd}\n\n## Crédits\n\nPhotos : {{name}}, service communication.` });
    expect(res.status).toBe(302);
    await ctx.c.settings.save({ ...(await ctx.c.settings.get()), name: 'Villeneuve' }, { id: null, label: 'test' });
    const page = await site('/mentions-legales');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Mentions légales</h1>');
    expect(page.text).toContain('Photos : Villeneuve, service communication.');
    expect(page.text).toContain('Ce site est édité par la commune de Villeneuve.');
  });
});

describe('a page’s address in a script other than Latin', () => {
  it('is kept transliterated when Cyrillic, and the form says what became of one that cannot be, or refuses when nothing can be', async () => {
    const cyrillic = await createPage({ title: 'Мэрия', slug: '' });
    expect((await ctx.c.pages.get(cyrillic))!.path).toBe('/meriya');
    expect((await site('/meriya')).status).toBe(200);

    const arabic = await post('/admin/pages', { title: 'Fête des voisins', slug: 'مهرجان', summary: '', parentId: '', body: '', status: 'published' });
    expect(arabic.status).toBe(302);
    const form = await editor.agent.get(arabic.headers.location as string);
    expect(form.text).toContain(
      '<p class="alert alert-info" id="slug-note">L’adresse tapée, « مهرجان », ne peut pas s’écrire en lettres latines (seuls les alphabets cyrillique et grec sont transcrits) : elle a été faite à partir du titre.</p>',
    );
    expect(form.text).toMatch(/id="slug"[^>]*value="fete-des-voisins"/);

    const before = (await ctx.c.pages.all()).length;
    for (const slug of ['', 'مهرجان']) {
      const refused = await post('/admin/pages', { title: 'مهرجان الجيران', slug, summary: '', parentId: '', body: '', status: 'published' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain(
        '<p class="field-error" id="slug-error">Cette page a besoin d’une adresse en lettres latines : ni le titre ni l’adresse tapée ne peuvent s’y écrire (seuls les alphabets cyrillique et grec sont transcrits).</p>',
      );
      expect(refused.text).toContain('value="مهرجان الجيران"'); // what was typed stays in the form
    }
    expect((await ctx.c.pages.all()).length).toBe(before);
  });
});
