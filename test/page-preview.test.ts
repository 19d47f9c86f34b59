import request from 'supertest';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { plainSpaces } from './helpers/typography';

/**
 * "Aperçu" on a page's form: an officer sees a draft page exactly as the site will show it (the
 * site's layout, menu, footer, breadcrumb, settings filled in), saved or as typed, without
 * saving nor publishing it; never cached nor indexed; elected members and visitors cannot.
 */

let ctx: TestContext;
let editor: Awaited<ReturnType<typeof loginAs>>;
let mairie = 0;
let draft = 0;
const officer = { id: null, label: 'test' };

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
  const s = await ctx.c.settings.get();
  await ctx.c.settings.save({ ...s, name: 'Villeneuve', phone: '05 53 00 00 00' }, officer);
  mairie = (await ctx.c.pages.create({ title: 'La mairie', slug: '', parentId: null, summary: '', bodyMd: 'Bienvenue.', status: 'published' }, officer)).id;
  draft = (
    await ctx.c.pages.create(
      {
        title: 'Horaires d’été',
        slug: 'horaires-ete',
        parentId: mairie,
        summary: 'Les horaires de juillet et août.',
        bodyMd: '## Juillet\n\nAppelez le {{phone}}.',
        status: 'draft',
      },
      officer,
    )
  ).id;
  await ctx.c.menus.save('main', ['link:actualites', `page:${mairie}`], officer);
});
afterAll(async () => ctx.close());

const text = (html: string) =>
  plainSpaces(html)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ');

describe('previewing a page from its form', () => {
  it('shows a draft as the site will, with its parent, the menu and the footer, and a banner', async () => {
    const res = await editor.agent.get(`/admin/pages/${draft}/preview`);
    expect(res.status).toBe(200);
    const html = plainSpaces(res.text);
    expect(html).toContain('<h1>Horaires d’été</h1>');
    expect(html).toContain('<h2>Juillet</h2>');
    expect(html).toContain('Appelez le 05 53 00 00 00.');
    expect(html).toContain('<nav class="breadcrumb"');
    expect(html).toContain('<a href="/la-mairie">La mairie</a>');
    expect(html).toContain('<a href="/la-mairie/horaires-ete" aria-current="page">Horaires d’été</a>');
    expect(html).toContain('<nav class="site-nav"');
    expect(html).toContain('<footer class="site-footer">');
    expect(text(html)).toContain('Aperçu : cette page est en brouillon, pas encore sur le site. Elle s’affichera ainsi une fois en ligne.');
    expect(html).toContain(`href="/admin/pages/${draft}/edit"`);
    // Never kept nor indexed.
    expect(res.headers['cache-control']).toBe('no-store, private');
    expect(res.headers['x-robots-tag']).toContain('noindex');
    expect(html).toContain('<meta name="robots" content="noindex, follow">');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    // Still not on the site.
    expect((await request(ctx.handler).get('/la-mairie/horaires-ete')).status).toBe(404);
    expect((await ctx.c.pages.get(draft))!.status).toBe('draft');
  });

  it('shows what is typed in the form, saved or not, and changes nothing', async () => {
    const before = (await ctx.c.pages.get(draft))!;
    const res = await editor.agent
      .post(`/admin/pages/${draft}/preview`)
      .type('form')
      .send({
        _csrf: editor.csrf,
        title: 'Horaires d’été 2026',
        slug: 'horaires-ete',
        parentId: String(mairie),
        summary: '',
        body: 'Ouvert **le matin**.',
        status: 'draft',
        version: String(before.version),
      });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<strong>le matin</strong>');
    expect(text(res.text)).toContain('Aperçu : le texte du formulaire, ni enregistré ni publié.');
    expect(res.headers['cache-control']).toBe('no-store, private');
    const after = (await ctx.c.pages.get(draft))!;
    expect([after.title, after.bodyMd, after.version, after.status]).toEqual([before.title, before.bodyMd, before.version, 'draft']);

    // A page not saved yet can be previewed too.
    const fresh = await editor.agent
      .post('/admin/pages/preview')
      .type('form')
      .send({ _csrf: editor.csrf, title: 'Écoles', slug: '', parentId: '', summary: '', body: 'Deux écoles.', status: 'draft' });
    expect(fresh.status).toBe(200);
    expect(fresh.text).toContain('<h1>Écoles</h1>');
    expect((await ctx.c.pages.all()).some((p) => p.title === 'Écoles')).toBe(false);
  });

  it('is offered on the form, and refused without the CSRF token, to elected members and to visitors', async () => {
    const form = await editor.agent.get(`/admin/pages/${draft}/edit`);
    expect(form.text).toContain(`href="/admin/pages/${draft}/preview"`);
    expect(form.text).toContain(`formaction="/admin/pages/${draft}/preview" formtarget="crieur-apercu"`);
    expect((await editor.agent.get('/admin/pages/new')).text).toContain('formaction="/admin/pages/preview"');

    const forged = await editor.agent.post(`/admin/pages/${draft}/preview`).type('form').send({ title: 'x', body: 'x' });
    expect(forged.status).toBe(403);
    const elected = await loginAs(ctx, 'elected');
    expect((await elected.agent.get(`/admin/pages/${draft}/preview`)).status).toBe(403);
    const visitor = await request(ctx.app).get(`/admin/pages/${draft}/preview`).redirects(0);
    expect(visitor.status).toBe(302);
    expect(visitor.headers.location).toMatch(/^\/admin\/login/);
    expect((await editor.agent.get('/admin/pages/999999/preview')).status).toBe(404);
  });
});
