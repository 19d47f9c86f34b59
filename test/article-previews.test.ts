import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { captureLog } from './helpers/log-capture';
import { DEFAULT_SETTINGS, type CommuneSettings } from '../server/settings/settings.defaults';
import { mergeSettings } from '../server/settings/settings.service';

/**
 * A private preview link: made by the officer, shown once, opened by an elected member (or by
 * anyone, if the officer chose) without editing rights, showing the page with the site's own
 * templates, marked as a preview, never indexed or cached; forged, revoked or expired links get
 * a French 4xx.
 */
let ctx: TestContext;
type Who = { agent: TestAgent; csrf: string; user: { id: number } };
let editor: Who;
let elected: Who;
let id: number;

const post = (who: Who, path: string, fields: Record<string, string> = {}) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });

async function makeLink(audience: 'team' | 'anyone'): Promise<string> {
  const res = await post(editor, `/admin/articles/${id}/previews`, { audience });
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store, private');
  const url = /id="preview-url" type="text" value="([^"]+)"/.exec(res.text)?.[1];
  expect(url).toMatch(/^http:\/\/crieur\.test\/admin\/preview\/[A-Za-z0-9_-]{43}$/);
  return new URL(url!).pathname;
}

const captured = captureLog('debug');
beforeAll(async () => {
  ctx = await createTestContext({}, { log: captured.log });
  editor = await loginAs(ctx, 'editor');
  elected = await loginAs(ctx, 'elected');
  const created = await post(editor, '/admin/articles', {
    title: 'Nouveau marché couvert',
    summary: 'Ouverture au printemps.',
    body: '## Le projet\n\nUne halle de 40 étals.',
  });
  id = Number(/\/admin\/articles\/(\d+)\/edit/.exec(String(created.headers.location))?.[1]);
});
afterAll(async () => ctx.close());

describe('a private preview link', () => {
  it('is shown once, stored only as a hash, and listed on the article with a way to revoke it', async () => {
    const path = await makeLink('team');
    const token = path.split('/').pop()!;
    const rows = await ctx.c.db('article_previews').select('token_hash');
    expect(JSON.stringify(rows)).not.toContain(token);
    const form = await editor.agent.get(`/admin/articles/${id}/edit`);
    expect(form.text).toContain('Équipe connectée');
    expect(form.text).not.toContain(token);
    expect(form.text).toContain('>Révoquer</button>');
  });

  it('shows an elected member the draft with the site’s templates, marked as a preview, noindex and never cached', async () => {
    const path = await makeLink('team');
    const res = await elected.agent.get(path);
    expect(res.status).toBe(200);
    expect(res.text).toContain('class="preview-banner"');
    expect(res.text).toContain('cet article n’est pas encore publié sous cette forme'); // typography may tie the colon
    expect(res.text).toContain('<h2>Le projet</h2>');
    expect(res.text).toContain('class="site-header"'); // the public layout, not the admin's
    expect(res.text).toContain('<meta name="robots" content="noindex');
    expect(res.headers['x-robots-tag']).toContain('noindex');
    expect(res.headers['cache-control']).toBe('no-store, private');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // The public site still does not have it, and the page cache never kept the preview.
    expect((await request(ctx.handler).get('/actualites/nouveau-marche-couvert')).status).toBe(404);
    expect(ctx.c.siteCache.size).toBe(0);
  });

  it('shows the site’s own main menu, as built in the admin', async () => {
    const legal = (await ctx.c.pages.all()).find((p) => p.legalKey === 'mentions-legales')!;
    await ctx.c.menus.save('main', [`page:${legal.id}`, 'link:actualites'], { id: null, label: 'test' });
    const res = await elected.agent.get(await makeLink('team'));
    const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(res.text)?.[0] ?? '';
    expect(nav).toContain(`href="${legal.path}"`);
    expect(nav).not.toContain('href="/agenda"');
    await ctx.c.menus.save('main', ['link:actualites', 'link:agenda', 'link:recherche'], { id: null, label: 'test' });
  });

  it('dates a draft whose date is not scheduled as if published now, not with that abandoned date', async () => {
    const created = await post(editor, '/admin/articles', { title: 'Fête de la musique', body: 'Place du marché.', publishAt: '2027-06-21T18:00' });
    const draft = Number(/\/admin\/articles\/(\d+)\/edit/.exec(String(created.headers.location))?.[1]);
    const res = await post(editor, `/admin/articles/${draft}/previews`, { audience: 'team' });
    const path = new URL(/id="preview-url" type="text" value="([^"]+)"/.exec(res.text)![1]!).pathname;
    const page = await elected.agent.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Fête de la musique');
    expect(page.text).not.toMatch(/21 juin 2027/);
  });

  it('asks for a login for a team link, and opens an "anyone" link without an account', async () => {
    const team = await makeLink('team');
    const anonymous = await request(ctx.handler).get(team);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/admin\/login\?next=/);
    const anyone = await makeLink('anyone');
    const open = await request(ctx.handler).get(anyone);
    expect(open.status).toBe(200);
    expect(open.text).toContain('Nouveau marché couvert');
  });

  it('answers a forged, revoked or expired link with a French 4xx, never a 500', async () => {
    expect((await request(ctx.handler).get('/admin/preview/%00')).status).toBe(400);
    for (const bad of ['abc', 'A'.repeat(43), 'x'.repeat(500), '..%2F..%2Fetc']) {
      const res = await request(ctx.handler).get(`/admin/preview/${bad}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Ce lien d’aperçu n’existe pas ou a été révoqué');
    }
    const path = await makeLink('anyone');
    const [latest] = await ctx.c.articles.previews.active(id);
    await post(editor, `/admin/articles/${id}/previews/${latest!.id}/revoke`).expect(302);
    expect((await request(ctx.handler).get(path)).status).toBe(404);
    expect((await post(editor, `/admin/articles/${id}/previews/${latest!.id}/revoke`)).status).toBe(404);

    const soon = await makeLink('anyone');
    ctx.clock.advance(7 * 24 * 3600_000 + 1000);
    const expired = await request(ctx.handler).get(soon);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Ce lien d’aperçu a expiré : il était valable 7 jours.');
    ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
    expect((await post(editor, `/admin/articles/${id}/previews`, { audience: 'everyone' })).status).toBe(400);
    expect((await post(elected, `/admin/articles/${id}/previews`, { audience: 'anyone' })).status).toBe(403);
  });

  it('shows a pending change to an online article, while the site keeps the approved text', async () => {
    await ctx.c.settings.initialize(mergeSettings(DEFAULT_SETTINGS, { requireApproval: true } as Partial<CommuneSettings>));
    await post(editor, `/admin/articles/${id}/status`, { to: 'review' }).expect(302);
    await post(elected, `/admin/articles/${id}/status`, { to: 'approved' }).expect(302);
    await post(editor, `/admin/articles/${id}/status`, { to: 'published' }).expect(302);
    await ctx.c.dispatcher.dispatchDue();
    const version = String((await ctx.c.articles.get(id))!.version);
    await post(editor, `/admin/articles/${id}`, { version, title: 'Nouveau marché couvert', body: '## Le projet\n\nUne halle de 60 étals.' }).expect(302);
    const path = await makeLink('team');
    const preview = await elected.agent.get(path);
    expect(preview.text).toContain('Une halle de 60 étals.');
    expect(preview.text).toContain('modification proposée, pas encore en ligne');
    const live = await request(ctx.handler).get('/actualites/nouveau-marche-couvert');
    expect(live.text).toContain('Une halle de 40 étals.');
    expect(live.text).not.toContain('preview-banner');
  });

  it('never writes the token in a log line, even through the login page’s next', async () => {
    const team = await makeLink('team');
    const anyone = await makeLink('anyone');
    await request(ctx.handler).get(team);
    await request(ctx.handler).get(`${anyone}?ref=x`);
    const all = JSON.stringify(captured.lines);
    expect(all).toContain('/admin/preview/[hidden]');
    for (const path of [team, anyone]) expect(all).not.toContain(path.split('/').pop()!);
  });
});
