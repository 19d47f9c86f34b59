import request from 'supertest';
import { isPostgres } from '../server/db/dialect';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makeTestAccount } from './helpers/factories';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => ctx.close());

const officer = { id: null, label: 'test' };

describe('an article and its publications', () => {
  it('goes on the site at its publication time once published, and the officer sees it on the article page', async () => {
    const article = await ctx.c.articles.create(
      { title: 'Travaux rue des Écoles', summary: 'Circulation alternée', bodyMd: 'Texte', publishAt: new Date('2026-03-15T10:00:00.000Z') },
      officer,
    );
    await ctx.c.articles.transition(article.id, 'published', officer);
    const [site] = await ctx.c.publishing.statuses(article.id);
    expect(site).toMatchObject({ channel: 'site', status: 'pending' });
    expect(site!.scheduledAt.toISOString()).toBe('2026-03-15T10:00:00.000Z');

    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(0);
    ctx.clock.set(new Date('2026-03-15T10:00:05.000Z'));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    const sent = (await ctx.c.publishing.statuses(article.id))[0]!;
    expect(sent.externalUrl).toBe(`http://crieur.test/actualites/${article.slug}`);

    const { agent } = await loginAs(ctx, 'editor');
    const page = await agent.get(`/admin/articles/${article.id}`);
    expect(page.text).toContain('Canaux de diffusion');
    expect(page.text).toContain('Envoyée');
  });

  it('releases the channels chosen while it was a draft, and withdraws them when archived', async () => {
    const account = await makeTestAccount(ctx.c, {}, 'Mastodon');
    const article = await ctx.c.articles.create({ title: 'Marché de Noël', bodyMd: 'Texte' }, officer);
    await ctx.c.publishing.plan(
      article,
      [
        { accountId: 1, enabled: true },
        { accountId: account, enabled: true, scheduledAt: new Date('2026-03-16T07:00:00.000Z') },
      ],
      officer,
    );
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['planned', 'planned']);

    await ctx.c.articles.transition(article.id, 'published', officer);
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['pending', 'pending']);
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['sent', 'pending']);

    await ctx.c.articles.transition(article.id, 'archived', officer);
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['retracted', 'planned']);
    ctx.clock.set(new Date('2026-03-17T00:00:00.000Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect(ctx.testAdapter.delivered).toHaveLength(0);
  });

  it('sends an urgent article to every channel at once when it is published', async () => {
    await makeTestAccount(ctx.c, {}, 'Mastodon');
    const article = await ctx.c.articles.create(
      { title: 'Coupure d’eau', bodyMd: 'Texte', urgent: true, publishAt: new Date('2026-03-20T10:00:00.000Z') },
      officer,
    );
    await ctx.c.articles.transition(article.id, 'published', officer);
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.sent).toBe(2);
  });
});

describe('the article’s time and its channels', () => {
  it('moves the channels timed with the article when its publication time changes, and leaves a channel with its own time', async () => {
    const account = await makeTestAccount(ctx.c, {}, 'Mastodon');
    const at = new Date('2026-03-20T08:00:00.000Z');
    const article = await ctx.c.articles.create({ title: 'Fermeture du chemin des Crêtes', bodyMd: 'Texte', publishAt: at }, officer);
    await ctx.c.publishing.plan(
      article,
      [
        { accountId: 1, enabled: true },
        { accountId: account, enabled: true, scheduledAt: new Date('2026-03-21T07:00:00.000Z') },
      ],
      officer,
    );
    await ctx.c.articles.transition(article.id, 'published', officer);

    const current = (await ctx.c.articles.get(article.id))!;
    await ctx.c.articles.update(article.id, { publishAt: new Date('2026-03-18T16:30:00.000Z') }, current.version, officer);
    const [site, social] = await ctx.c.publishing.statuses(article.id);
    expect(site).toMatchObject({ channel: 'site', status: 'pending' });
    expect(site!.scheduledAt.toISOString()).toBe('2026-03-18T16:30:00.000Z');
    expect(social!.scheduledAt.toISOString()).toBe('2026-03-21T07:00:00.000Z');

    // On the new day the article goes on the site, not on the old one.
    ctx.clock.set(new Date('2026-03-18T16:30:05.000Z'));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await ctx.c.publishing.statuses(article.id))[0]!.status).toBe('sent');
  });
});

describe('publications are written with the article’s change or not at all', () => {
  it('records the withdrawal and the urgent send in the name of the person who acted, not “système”', async () => {
    const { agent, csrf, user } = await loginAs(ctx, 'editor');
    const urgent = await ctx.c.articles.create({ title: 'Alerte orages', bodyMd: 'Texte', urgent: true }, officer);
    await agent.post(`/admin/articles/${urgent.id}/status`).type('form').send({ _csrf: csrf, to: 'published' }).expect(302);
    await agent.post(`/admin/articles/${urgent.id}/status`).type('form').send({ _csrf: csrf, to: 'archived' }).expect(302);
    const rows = await ctx.c
      .db('audit_log')
      .where({ target_type: 'article', target_id: urgent.id })
      .whereIn('action', ['publications.urgent', 'publications.withdrawn'])
      .select('action', 'actor_id', 'actor_label');
    expect(rows.map((r) => r.action).sort()).toEqual(['publications.urgent', 'publications.withdrawn']);
    for (const r of rows) expect({ id: r.actor_id, label: r.actor_label }).toEqual({ id: user.id, label: expect.stringContaining('editor') });
  });

  it('leaves the article unpublished when its publications cannot be written', async () => {
    const article = await ctx.c.articles.create({ title: 'Coupure d’eau rue Haute', bodyMd: 'Texte' }, officer);
    // A database that refuses new publications: the publishing step fails inside the transaction.
    const pg = isPostgres(ctx.c.db);
    if (pg) {
      await ctx.c.db.raw("CREATE FUNCTION crieur_test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql");
      await ctx.c.db.raw('CREATE TRIGGER crieur_test_refuse BEFORE INSERT ON publications FOR EACH ROW EXECUTE FUNCTION crieur_test_refuse()');
    } else {
      await ctx.c.db.raw("CREATE TRIGGER crieur_test_refuse BEFORE INSERT ON publications BEGIN SELECT RAISE(ABORT, 'refused'); END");
    }
    await expect(ctx.c.articles.transition(article.id, 'published', officer)).rejects.toThrow(/refused/);
    expect((await ctx.c.articles.get(article.id))!.status).toBe('draft');
    expect(await ctx.c.publishing.statuses(article.id)).toEqual([]);
    expect((await ctx.c.audit.list({ action: 'article.status_changed', limit: 5, offset: 0 })).rows).toHaveLength(0);

    await ctx.c.db.raw(pg ? 'DROP TRIGGER crieur_test_refuse ON publications' : 'DROP TRIGGER crieur_test_refuse');
    await ctx.c.articles.transition(article.id, 'published', officer);
    expect((await ctx.c.articles.get(article.id))!.status).toBe('published');
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['pending']);
  });
});

describe('taking an article off the site and putting it back', () => {
  const onSite = async (slug: string) => (await request(ctx.app).get(`/actualites/${slug}`)).status;

  it('puts an archived article back on the site when it is published again', async () => {
    const article = await ctx.c.articles.create({ title: 'Horaires de la mairie', bodyMd: 'Texte' }, officer);
    await ctx.c.articles.transition(article.id, 'published', officer);
    await ctx.c.dispatcher.dispatchDue();
    expect(await onSite(article.slug)).toBe(200);

    await ctx.c.articles.transition(article.id, 'archived', officer);
    expect(await onSite(article.slug)).toBe(404);
    await ctx.c.articles.transition(article.id, 'draft', officer);
    await ctx.c.articles.transition(article.id, 'published', officer);
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.publishing.statuses(article.id))[0]).toMatchObject({ channel: 'site', status: 'sent' });
    expect(await onSite(article.slug)).toBe(200);
  });

  it('offers to put a withdrawn site publication back online, from the channel panel', async () => {
    const article = await ctx.c.articles.create({ title: 'Déchetterie fermée lundi', bodyMd: 'Texte' }, officer);
    await ctx.c.articles.transition(article.id, 'published', officer);
    await ctx.c.dispatcher.dispatchDue();
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const [site] = await ctx.c.publishing.statuses(article.id);
    const panel = await agent.get(`/admin/articles/${article.id}/channels`);
    expect(panel.text).toContain('Retirer l’article du site ? Il n’y sera plus visible.');
    expect((await agent.post(`/admin/publications/${site!.id}`).type('form').send({ _csrf: csrf, action: 'retract' })).status).toBe(302);
    expect(await onSite(article.slug)).toBe(404);

    const withdrawn = await agent.get(`/admin/articles/${article.id}/channels`);
    expect(withdrawn.text).toContain('Remettre en ligne');
    expect((await agent.post(`/admin/publications/${site!.id}`).type('form').send({ _csrf: csrf, action: 'retry' })).status).toBe(302);
    await ctx.c.dispatcher.dispatchDue();
    expect(await onSite(article.slug)).toBe(200);
  });

  it('publishes at once an article whose time passed while it waited for approval, instead of holding it', async () => {
    const article = await ctx.c.articles.create(
      { title: 'Conseil municipal de mars', bodyMd: 'Texte', publishAt: new Date('2026-03-14T20:00:00.000Z') },
      officer,
    );
    await ctx.c.articles.transition(article.id, 'published', officer);
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report).toMatchObject({ sent: 1, held: 0 });
    expect(await onSite(article.slug)).toBe(200);
  });
});
