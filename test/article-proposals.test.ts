import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { plainSpaces } from './helpers/typography';
import { DEFAULT_SETTINGS, type CommuneSettings } from '../server/settings/settings.defaults';
import { mergeSettings } from '../server/settings/settings.service';

/**
 * When the commune requires approval, an editor's change to an online article is a proposal: the
 * public site and the channels keep the approved text until an elected member, who sees the
 * difference, approves it; a refusal keeps the site as it was and tells the editor why.
 */
let ctx: TestContext;
type Who = { agent: TestAgent; csrf: string; user: { id: number } };
let editor: Who;
let elected: Who;
let id: number;

const site = () => request(ctx.handler).get('/actualites/horaires-d-hiver-de-la-mediatheque');
const post = (who: Who, path: string, fields: Record<string, string> = {}) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });
const save = (body: string, title = 'Horaires d’hiver de la médiathèque') =>
  post(editor, `/admin/articles/${id}`, { version: '1', title, body, intent: 'save' });

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
  elected = await loginAs(ctx, 'elected');
  await ctx.c.settings.initialize(mergeSettings(DEFAULT_SETTINGS, { requireApproval: true } as Partial<CommuneSettings>));
  const created = await post(editor, '/admin/articles', { title: 'Horaires d’hiver de la médiathèque', body: 'Ouverte le mardi.\n\nFermée le lundi.' });
  id = Number(/\/admin\/articles\/(\d+)\/edit/.exec(String(created.headers.location))?.[1]);
  await post(editor, `/admin/articles/${id}/status`, { to: 'review' }).expect(302);
  await post(elected, `/admin/articles/${id}/status`, { to: 'approved' }).expect(302);
  await post(editor, `/admin/articles/${id}/status`, { to: 'published' }).expect(302);
  await ctx.c.dispatcher.dispatchDue();
});
afterAll(async () => ctx.close());

describe('a change to an online article under required approval', () => {
  it('leaves the public page and what channels are given as approved, while the editor sees their proposal', async () => {
    expect((await site()).text).toContain('Ouverte le mardi.');
    const res = await save('Ouverte le mardi et le samedi.\n\nFermée le lundi.');
    expect(res.status).toBe(302);
    const form = await editor.agent.get(`/admin/articles/${id}/edit`);
    expect(form.text).toContain('Ouverte le mardi et le samedi.');
    expect(form.text).toContain('attend l’approbation d’un élu');
    const page = await site();
    expect(page.text).toContain('Ouverte le mardi.');
    expect(page.text).not.toContain('samedi');
    expect((await ctx.c.articles.publishable(id))!.bodyHtml).not.toContain('samedi');
    const list = await editor.agent.get('/admin/articles?status=proposed');
    expect(list.text).toContain('Horaires d’hiver de la médiathèque');
    expect(list.text).toContain('Modification proposée');
  });

  it('shows the elected member the difference, from the dashboard, with the decision buttons', async () => {
    const dashboard = await elected.agent.get('/admin');
    expect(dashboard.text).toContain(`href="/admin/articles/${id}/proposal"`);
    // Said at the top, above the statistics, with a link down to the list.
    const notice = dashboard.text.indexOf('<a href="#to-approve-changes">');
    expect(notice).toBeGreaterThan(-1);
    expect(notice).toBeLessThan(dashboard.text.indexOf('<h2 id="to-approve-changes">'));
    expect(plainSpaces(dashboard.text)).toContain('1 modification(s) d’articles en ligne attendent votre approbation.');
    expect(dashboard.text).not.toContain('<a href="#to-approve">');
    const page = await elected.agent.get(`/admin/articles/${id}/proposal`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      /diff-removed"><span class="diff-sign" aria-hidden="true">−<\/span><span class="visually-hidden">retiré :<\/span>Ouverte le mardi\./,
    );
    expect(page.text).toMatch(
      /diff-added"><span class="diff-sign" aria-hidden="true">\+<\/span><span class="visually-hidden">ajouté :<\/span>Ouverte le mardi et le samedi\./,
    );
    expect(page.text).toContain('>Approuver la modification</button>');
    expect(page.text).toContain('>Refuser la modification</button>');
    // The editor reads the same page, without the buttons, and cannot decide.
    const editorView = await editor.agent.get(`/admin/articles/${id}/proposal`);
    expect(editorView.text).not.toContain('>Approuver la modification</button>');
    expect((await post(editor, `/admin/articles/${id}/proposal/approve`)).status).toBe(403);
  });

  it('refuses a refusal without a reason, in French, and keeps the proposal pending', async () => {
    const res = await post(elected, `/admin/articles/${id}/proposal/refuse`, { reason: '   ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Dites pourquoi la modification est refusée');
    expect((await ctx.c.articles.revisions.pending(id))?.status).toBe('pending');
  });

  it('keeps the site as it was after a refusal and shows the editor the reason', async () => {
    const res = await post(elected, `/admin/articles/${id}/proposal/refuse`, { reason: 'La médiathèque reste fermée le samedi cet hiver.' });
    expect(res.status).toBe(302);
    expect((await site()).text).not.toContain('samedi');
    const form = await editor.agent.get(`/admin/articles/${id}/edit`);
    expect(form.text).toContain('Motif : La médiathèque reste fermée le samedi cet hiver.');
    expect(form.text).not.toContain('Ouverte le mardi et le samedi.'); // back to the approved text
    // Deciding twice is a clear 409, never a 500.
    expect((await post(elected, `/admin/articles/${id}/proposal/approve`)).status).toBe(409);
  });

  it('puts an approved change online at once, as a new version written by the editor', async () => {
    await save('Ouverte le mardi et le mercredi.\n\nFermée le lundi.', 'Horaires d’hiver de la médiathèque').expect(302);
    const res = await post(elected, `/admin/articles/${id}/proposal/approve`);
    expect(res.status).toBe(302);
    expect((await elected.agent.get(String(res.headers.location))).text).toContain('Modification approuvée');
    expect((await site()).text).toContain('Ouverte le mardi et le mercredi.');
    const [latest] = await ctx.c.articles.versions(id);
    expect(latest).toMatchObject({ version: 2, authorId: editor.user.id });
    const { rows } = await ctx.c.audit.list({ limit: 100, offset: 0 });
    const trail = rows.filter((r) => r.targetType === 'article' && r.targetId === String(id)).map((r) => r.action);
    expect(trail).toEqual(expect.arrayContaining(['article.change_proposed', 'article.change_refused', 'article.change_approved']));
    expect(await ctx.c.articles.revisions.pending(id)).toBeNull();
  });
});
