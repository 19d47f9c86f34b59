import request from 'supertest';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { plainSpaces } from './helpers/typography';
import { up as addAccessibilityPage } from '../server/db/migrations/20261203051700_accessibility_page';

/**
 * The déclaration d'accessibilité is a page like the other legal pages: prefilled at
 * /accessibilite on first start, still filled from the accessibility settings, first in the
 * footer with the compliance status, rewritable by the officer but never offline nor deleted; a
 * database that had its legal pages before gets it once.
 */

let ctx: TestContext;
let editor: Awaited<ReturnType<typeof loginAs>>;
beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
});
afterAll(async () => ctx.close());

const officer = { id: null, label: 'test' };
const site = async (path: string) => {
  const res = await request(ctx.handler).get(path).redirects(0);
  return Object.assign(res, { text: plainSpaces(res.text) });
};
const readable = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
const footerOf = (html: string) => html.slice(html.indexOf('<footer class="site-footer">'));
const statement = async () => (await ctx.c.pages.all()).find((p) => p.legalKey === 'accessibilite')!;

async function editPage(id: number, changes: Record<string, string>) {
  const page = (await ctx.c.pages.get(id))!;
  return editor.agent
    .post(`/admin/pages/${id}`)
    .type('form')
    .send({
      _csrf: editor.csrf,
      title: page.title,
      slug: page.slug,
      parentId: page.parentId === null ? '' : String(page.parentId),
      summary: page.summary,
      body: page.bodyMd,
      status: page.status,
      version: String(page.version),
      ...changes,
    })
    .redirects(0);
}

async function setAccessibility(a: Partial<Awaited<ReturnType<typeof ctx.c.settings.get>>['accessibility']>) {
  const s = await ctx.c.settings.get();
  await ctx.c.settings.save({ ...s, name: 'Villeneuve', accessibility: { ...s.accessibility, ...a } }, officer);
}

describe('the accessibility statement, a page like the legal ones', () => {
  it('is a page at /accessibilite, online, required, first in the footer with the status', async () => {
    const page = await statement();
    expect([page.path, page.status, page.title]).toEqual(['/accessibilite', 'published', 'Déclaration d’accessibilité']);
    expect((await ctx.c.menus.edit('footer')).entries[0]).toMatchObject({ token: `page:${page.id}`, required: true });
    await setAccessibility({ status: 'non', auditDate: '', nonCompliant: '' });
    const home = await site('/');
    expect(footerOf(home.text)).toContain('<a href="/accessibilite">Accessibilité : non conforme</a>');
    const list = await editor.agent.get('/admin/pages');
    expect(readable(list.text)).toContain('Déclaration d’accessibilité');
    expect(list.text).not.toContain(`href="/admin/pages/${page.id}/delete"`);
  });

  it('says what the settings say, and follows them when they change', async () => {
    const before = mainOf((await site('/accessibilite')).text);
    let text = readable(before);
    expect(text).toContain('Le site http://crieur.test n’est pas conforme au référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1.2.');
    expect(text).toContain('Aucun audit de conformité n’a encore été réalisé.');
    expect(text).toContain('Aucun contenu non accessible n’a été signalé.');
    // No date: the gap shows instead of a blank.
    expect(before).toContain('Cette déclaration a été établie le <em>à compléter dans les paramètres de la commune</em>.');

    await setAccessibility({
      status: 'totalement',
      auditDate: '2026-03-01',
      rgaaVersion: '4.1.2',
      nonCompliant: '- La carte des déchetteries.',
      contact: 'accessibilite@villeneuve.example',
    });
    const res = await site('/accessibilite');
    text = readable(mainOf(res.text));
    expect(text).toContain('est totalement conforme au référentiel général');
    expect(text).toContain('L’audit de conformité a été réalisé le 1 mars 2026.');
    expect(mainOf(res.text)).toContain('<li>La carte des déchetteries.</li>');
    expect(mainOf(res.text)).toContain('href="mailto:accessibilite@villeneuve.example"');
    expect(footerOf(res.text)).toContain('Accessibilité : totalement conforme');
  });

  it('lets the officer rewrite it, keeps it online and refuses to delete it', async () => {
    const page = await statement();
    const body = `${page.bodyMd}\n\n## Schéma pluriannuel\n\nLe schéma de {{name}} est en préparation.`;
    expect((await editPage(page.id, { body })).status).toBe(302);
    expect(readable((await site('/accessibilite')).text)).toContain('Le schéma de Villeneuve est en préparation.');
    const offline = await editPage(page.id, { status: 'draft' });
    expect(offline.status).toBe(400);
    expect(plainSpaces(offline.text)).toContain('Cette page est obligatoire pour un site de commune : elle reste en ligne.');
    const del = await editor.agent.post(`/admin/pages/${page.id}/delete`).type('form').send({ _csrf: editor.csrf, confirm: 'oui' }).redirects(0);
    expect(del.status).toBe(409);
    expect((await site('/accessibilite')).status).toBe(200);
  });

  it('keeps its old address working when the officer moves it', async () => {
    const page = await statement();
    expect((await editPage(page.id, { slug: 'declaration-accessibilite' })).status).toBe(302);
    const old = await site('/accessibilite');
    expect([old.status, old.headers.location]).toEqual([301, '/declaration-accessibilite']);
    expect(footerOf((await site('/')).text)).toContain('<a href="/declaration-accessibilite">Accessibilité : totalement conforme</a>');
    expect((await editPage(page.id, { slug: 'accessibilite' })).status).toBe(302);
    expect((await site('/accessibilite')).status).toBe(200);
  });

  it('comes once to a database whose legal pages were written before it', async () => {
    const page = await statement();
    // As such a database was: no statement page, the footer starting with the legal notice.
    await ctx.c.db('menu_items').where({ page_id: page.id }).del();
    await ctx.c.db('pages').where({ id: page.id }).del();
    await addAccessibilityPage(ctx.c.db);
    await addAccessibilityPage(ctx.c.db);
    const added = (await ctx.c.pages.all()).filter((p) => p.legalKey === 'accessibilite');
    expect(added.map((p) => p.path)).toEqual(['/accessibilite']);
    const footer = (await ctx.c.menus.edit('footer')).entries.map((e) => e.token);
    expect(footer[0]).toBe(`page:${added[0]!.id}`);
    expect(new Set(footer).size).toBe(footer.length);
    ctx.c.pages.events.emit('changed');
    expect((await site('/accessibilite')).status).toBe(200);
  });
});
