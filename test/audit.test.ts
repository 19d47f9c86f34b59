import request from 'supertest';
import { DEFAULT_SETTINGS } from '../server/settings/settings.defaults';
import { formValues } from '../server/settings/settings.schemas';
import { createTestContext, loginAs, makeUser, type TestContext } from './helpers/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr>\s*<td><time[\s\S]*?<\/tr>/g)].map((m) => m[0]);
}

describe('the audit log page', () => {
  it('shows logins, settings changes and account changes, newest first, with French labels', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    ctx.clock.advance(60_000);
    const settingsForm = Object.fromEntries(Object.entries(formValues({ ...DEFAULT_SETTINGS, name: 'Journalville' })).map(([k, v]) => [k, String(v)]));
    delete settingsForm.requireApproval;
    expect((await agent.post('/admin/settings').type('form').send({ _csrf: csrf, ...settingsForm })).status).toBe(302);
    ctx.clock.advance(60_000);
    const other = await makeUser(ctx.c, 'editor', { displayName: 'Camille Trace' });
    expect((await agent.post(`/admin/users/${other.id}/role`).type('form').send({ _csrf: csrf, role: 'elected' })).status).toBe(302);

    const page = await agent.get('/admin/audit');
    expect(page.status).toBe(200);
    const rows = rowsOf(page.text);
    expect(rows[0]).toContain('Rôle changé');
    expect(rows[0]).toMatch(/from<\/span> : editor/);
    expect(rows[0]).toContain(`Compte n° ${other.id}`);
    expect(rows[1]).toContain('Paramètres modifiés');
    expect(rows[1]).toContain('name');
    expect(rows[2]).toContain('Connexion');
    expect(rows[2]).toContain('15 mars 2026');
  });

  it('shows unknown actions as recorded and the command line as an actor', async () => {
    await ctx.c.audit.append({ actor: { id: null, label: 'ligne de commande' }, action: 'newsletter.sent', targetType: 'campaign', targetId: 7 }, ctx.clock.now());
    const { agent } = await loginAs(ctx, 'admin');
    const page = await agent.get('/admin/audit?action=newsletter.sent');
    const rows = rowsOf(page.text);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('newsletter.sent');
    expect(rows[0]).toContain('ligne de commande');
  });

  it('filters by action and by person', async () => {
    const { agent, user } = await loginAs(ctx, 'admin');
    const byAction = await agent.get('/admin/audit?action=auth.login');
    const actionRows = rowsOf(byAction.text);
    expect(actionRows.length).toBeGreaterThan(1);
    for (const r of actionRows) expect(r).toContain('Connexion');
    expect(byAction.text).toMatch(/<option value="auth.login" selected>/);

    const byPerson = await agent.get(`/admin/audit?actor=${user.id}`);
    const personRows = rowsOf(byPerson.text);
    expect(personRows).toHaveLength(1);
    expect(personRows[0]).toContain('Connexion');

    const nothing = await agent.get('/admin/audit?action=article.deleted');
    expect(nothing.text).toContain('Aucune action ne correspond à ces filtres.');
  });

  it('paginates', async () => {
    for (let i = 0; i < 60; i++) await ctx.c.audit.append({ actor: { id: null, label: 'système' }, action: 'test.filler' }, ctx.clock.now());
    const { agent } = await loginAs(ctx, 'admin');
    const first = await agent.get('/admin/audit');
    expect(rowsOf(first.text)).toHaveLength(50);
    expect(first.text).toContain('Page 1 sur 2');
    const second = await agent.get('/admin/audit?page=2');
    expect(second.text).toContain('Page 2 sur 2');
  });

  it('is read-only: no method changes or deletes an entry', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const before = (await ctx.c.audit.list({ limit: 1, offset: 0 })).total;
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      for (const url of ['/admin/audit', '/admin/audit/1']) {
        const res = await agent[method](url).set('X-CSRF-Token', csrf).type('form').send({ _csrf: csrf });
        expect([404, 405]).toContain(res.status);
      }
    }
    expect((await ctx.c.audit.list({ limit: 1, offset: 0 })).total).toBe(before);
  });

  it('is for administrators only', async () => {
    for (const role of ['editor', 'elected'] as const) {
      const { agent } = await loginAs(ctx, role);
      expect((await agent.get('/admin/audit')).status).toBe(403);
    }
    const anon = await request(ctx.app).get('/admin/audit');
    expect(anon.status).toBe(302);
  });
});
