import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ACTION_LABELS } from '../server/audit/audit.labels';
import { DEFAULT_SETTINGS } from '../server/settings/settings.defaults';
import { formValues } from '../server/settings/settings.schemas';
import { createTestContext, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeTestAccount } from './helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr>\s*<td><time[\s\S]*?<\/tr>/g)].map((m) => m[0]);
}

/** What a person reads: the text without tags or attributes, spaces collapsed. */
function readable(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&#34;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('the audit log page', () => {
  it('shows logins, settings changes and account changes, newest first, with French labels', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    ctx.clock.advance(60_000);
    const settingsForm = Object.fromEntries(Object.entries(formValues({ ...DEFAULT_SETTINGS, name: 'Journalville' })).map(([k, v]) => [k, String(v)]));
    delete settingsForm.requireApproval;
    expect(
      (
        await agent
          .post('/admin/settings')
          .type('form')
          .send({ _csrf: csrf, ...settingsForm })
      ).status,
    ).toBe(302);
    ctx.clock.advance(60_000);
    const other = await makeUser(ctx.c, 'editor', { displayName: 'Camille Trace' });
    expect((await agent.post(`/admin/users/${other.id}/role`).type('form').send({ _csrf: csrf, role: 'elected' })).status).toBe(302);

    const page = await agent.get('/admin/audit');
    expect(page.status).toBe(200);
    const rows = rowsOf(page.text);
    expect(rows[0]).toContain('Rôle changé');
    expect(rows[0]).toContain('Chargé de communication → Élu');
    expect(rows[0]).toContain(`Compte n° ${other.id}`);
    expect(rows[1]).toContain('Paramètres modifiés');
    expect(rows[1]).toMatch(/Champs modifiés<\/span> : Nom de la commune/);
    expect(rows[2]).toContain('Connexion');
    expect(rows[2]).toContain('15 mars 2026');
  });

  it('shows unknown actions as recorded and the command line as an actor', async () => {
    await ctx.c.audit.append(
      { actor: { id: null, label: 'ligne de commande' }, action: 'newsletter.sent', targetType: 'campaign', targetId: 7 },
      ctx.clock.now(),
    );
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

/** The action names written by the files that append to the audit log (permissions left out). */
function actionsWrittenByTheCode(): string[] {
  const found = new Set<string>();
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(path.join(__dirname, '..', 'server')).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(file, 'utf8');
    if (!source.includes('audit.append(')) continue;
    for (const m of source.matchAll(/'([a-z]+\.[a-z_]+)'/g)) {
      if (!/\.(read|write|publish|approve|delete|manage|access)$/.test(m[1] as string)) found.add(m[1] as string);
    }
  }
  return [...found].sort();
}

describe('what the audit log says, in words', () => {
  it('has a label for every action the code writes, and none for actions it never writes', () => {
    const written = actionsWrittenByTheCode();
    expect(written).toEqual(expect.arrayContaining(['article.status_changed', 'publication.cancelled', 'publications.urgent', 'user.role_changed']));
    expect(Object.keys(ACTION_LABELS).sort()).toEqual(written);
  });

  let words: TestContext;
  beforeAll(async () => {
    words = await createTestContext();
  });
  afterAll(async () => words.close());

  it('tells an article’s life without internal names: created, edited, published, channels, a publication cancelled', async () => {
    const { agent, csrf, user } = await loginAs(words, 'admin');
    const created = await agent.post('/admin/articles').type('form').send({ _csrf: csrf, title: 'Fête du village', body: 'Le programme.' });
    expect(created.status).toBe(302);
    const id = Number(/\/admin\/articles\/(\d+)\/edit/.exec(created.headers.location as string)?.[1]);
    const edited = await agent
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ _csrf: csrf, version: '1', title: 'Fête du village 2026', slug: 'fete-2026', body: 'Le programme complet.' });
    expect(edited.status).toBe(302);
    expect((await agent.post(`/admin/articles/${id}/status`).type('form').send({ _csrf: csrf, to: 'published' })).status).toBe(302);
    const account = await makeTestAccount(words.c);
    const actor = { id: user.id, label: 'Admin' };
    await words.c.publishing.plan({ id, status: 'published', publishAt: words.clock.now() }, [{ accountId: account, enabled: true }], actor);
    const pub = (await words.c.publications.forArticle(id)).find((p) => p.accountId === account)!;
    await words.c.publishing.cancel(pub.id, actor);

    const page = await agent.get('/admin/audit');
    expect(page.status).toBe(200);
    const text = readable(page.text);
    for (const raw of [
      'article.status_changed',
      'article.created',
      'article.updated',
      'publications.planned',
      'publication.cancelled',
      'bodyMd',
      'publishAt',
      'channels',
      'slug :',
      '2026-03-15T',
    ]) {
      expect(text).not.toContain(raw);
    }
    const rows = rowsOf(page.text).map(readable);
    const row = (label: string) => rows.find((r) => r.includes(label)) ?? '';
    expect(row('Article créé')).toContain('Titre : Fête du village');
    expect(row('Article créé')).toContain('Adresse : fete-du-village');
    expect(row('Article modifié')).toMatch(/Champs modifiés : Titre, Adresse, Texte/);
    expect(row('Article modifié')).toContain('Version : 2');
    expect(row('Statut d’un article changé')).toContain('Brouillon → Publié');
    // 09:00 UTC is 10:00 in Paris, where the commune is.
    expect(row('Statut d’un article changé')).toMatch(/Date de publication : 15 mars 2026[^0-9]*10:00/);
    expect(row('Canaux de diffusion choisis')).toContain('Canaux : Réseau de test');
    expect(row('Publication annulée')).toContain('Statut précédent : Programmée');
    expect(row('Publication annulée')).toMatch(new RegExp(`Article : n° ${id}`));

    // The filter menu offers the same words.
    expect(page.text).toMatch(/<option value="article.status_changed" >Statut d’un article changé<\/option>/);
    expect(page.text).toMatch(/<option value="publications.planned" >Canaux de diffusion choisis<\/option>/);
  });

  it('keeps an unknown action and unknown details readable as recorded', async () => {
    await words.c.audit.append(
      {
        actor: { id: null, label: 'système' },
        action: 'newsletter.sent',
        targetType: 'campaign',
        targetId: 3,
        details: { campaign: 'Mars', recipients: [4, 5], title: 'Lettre de mars', weird: { a: 1 } },
      },
      words.clock.now(),
    );
    const { agent } = await loginAs(words, 'admin');
    const page = await agent.get('/admin/audit?action=newsletter.sent');
    expect(page.status).toBe(200);
    const [row] = rowsOf(page.text).map(readable);
    expect(row).toContain('newsletter.sent');
    expect(row).toContain('campaign : Mars');
    expect(row).toContain('recipients : [4,5]');
    expect(row).toContain('weird : {"a":1}');
    expect(row).toContain('Titre : Lettre de mars');
    expect(page.text).toMatch(/<option value="newsletter.sent" selected>newsletter.sent<\/option>/);
  });

  it('says it in English to an administrator who reads English', async () => {
    const { agent, csrf } = await loginAs(words, 'admin');
    await agent.post('/admin/account/locale').type('form').send({ _csrf: csrf, locale: 'en' });
    const text = readable((await agent.get('/admin/audit')).text);
    expect(text).toContain('Article status changed');
    expect(text).toContain('Draft → Published');
    expect(text).toContain('Changed fields : Title');
    expect(text).toContain('Channels chosen');
    expect(text).not.toContain('Statut d’un article changé');
  });
});
