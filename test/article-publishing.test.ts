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
    const article = await ctx.c.articles.create({ title: 'Travaux rue des Écoles', summary: 'Circulation alternée', bodyMd: 'Texte', publishAt: new Date('2026-03-15T10:00:00.000Z') }, officer);
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
    await ctx.c.publishing.plan(article, [{ accountId: 1, enabled: true }, { accountId: account, enabled: true, scheduledAt: new Date('2026-03-16T07:00:00.000Z') }], officer);
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['planned', 'planned']);

    await ctx.c.articles.transition(article.id, 'published', officer);
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['pending', 'pending']);
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['sent', 'pending']);

    await ctx.c.articles.transition(article.id, 'archived', officer);
    expect((await ctx.c.publishing.statuses(article.id)).map((p) => p.status)).toEqual(['retracted', 'planned']);
    ctx.clock.set(new Date('2026-03-17T00:00:00.000Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect(ctx.c.testAdapter.delivered).toHaveLength(0);
  });

  it('sends an urgent article to every channel at once when it is published', async () => {
    await makeTestAccount(ctx.c, {}, 'Mastodon');
    const article = await ctx.c.articles.create({ title: 'Coupure d’eau', bodyMd: 'Texte', urgent: true, publishAt: new Date('2026-03-20T10:00:00.000Z') }, officer);
    await ctx.c.articles.transition(article.id, 'published', officer);
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.sent).toBe(2);
  });
});
