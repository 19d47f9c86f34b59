import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => ctx.close());

describe('the channel panel', () => {
  it('lets an officer choose channels and times; nothing goes out before the article is published', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const account = await makeTestAccount(ctx.c, {}, 'Mastodon de la commune');
    const article = await makeArticle(ctx.c, { status: 'draft', title: 'Fête du village' });
    const page = await agent.get(`/admin/articles/${article}/channels`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Mastodon de la commune');
    expect(page.text).toContain('Site de la commune');

    const res = await agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({
        _csrf: csrf,
        channel_1_enabled: 'on',
        channel_1_at: '2026-03-16T08:00',
        [`channel_${account}_enabled`]: 'on',
        [`channel_${account}_at`]: '2026-03-17T08:00',
        [`channel_${account}_text`]: 'Fête du village samedi ! #Villeneuve',
      });
    expect(res.status).toBe(302);
    const pubs = await ctx.c.publishing.statuses(article);
    expect(pubs.map((p) => [p.channel, p.status, p.scheduledAt.toISOString(), p.textVariant])).toEqual([
      ['site', 'planned', '2026-03-16T07:00:00.000Z', null],
      ['test', 'planned', '2026-03-17T07:00:00.000Z', 'Fête du village samedi ! #Villeneuve'],
    ]);
    ctx.clock.set(new Date('2026-03-18T00:00:00.000Z'));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(0);
  });

  it('refuses a malformed date with a 400 and the message next to the field', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { status: 'draft' });
    const res = await agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({ _csrf: csrf, channel_1_enabled: 'on', channel_1_at: '2026-02-31T08:00' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cette date n’est pas valide.');
    expect(await ctx.c.publishing.statuses(article)).toEqual([]);
  });

  it('refuses a time typed in the past, which would go out at once or wait as stale', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { status: 'draft' });
    // The test clock reads 2026-03-15 09:00 UTC (10:00 in Paris).
    const res = await agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({ _csrf: csrf, channel_1_enabled: 'on', channel_1_at: '2026-03-14T08:00' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cette date est déjà passée : choisissez une date à venir.');
    expect(await ctx.c.publishing.statuses(article)).toEqual([]);
  });

  it('shows each status as JSON for the page to refresh itself, and retries a failed publication', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const account = await makeTestAccount(ctx.c, { mode: 'fail' });
    const article = await makeArticle(ctx.c);
    const id = await makePublication(ctx.c, article, account, ctx.clock.now());
    await ctx.c.dispatcher.dispatchDue();

    const json = await agent.get(`/admin/articles/${article}/publications.json`).set('accept', 'application/json');
    expect(json.body.publications[0]).toMatchObject({ id, status: 'failed', statusLabel: 'Échec' });
    expect(json.body.publications[0].lastError).toContain('Le réseau a refusé la publication');

    await ctx.c
      .db('channel_accounts')
      .where({ id: account })
      .update({ settings: JSON.stringify({ mode: 'succeed' }) });
    const retry = await agent.post(`/admin/publications/${id}`).type('form').send({ _csrf: csrf, action: 'retry' });
    expect(retry.status).toBe(302);
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.publications.get(id))!.status).toBe('sent');

    const again = await agent.post(`/admin/publications/${id}`).type('form').send({ _csrf: csrf, action: 'cancel' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('ne peut plus être annulée');
  });

  it('cancels a pending publication so that it never goes out', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const account = await makeTestAccount(ctx.c);
    const article = await makeArticle(ctx.c);
    const id = await makePublication(ctx.c, article, account, new Date(ctx.clock.now().getTime() + 3600_000));
    await agent.post(`/admin/publications/${id}`).type('form').send({ _csrf: csrf, action: 'cancel' }).expect(302);
    ctx.clock.advance(2 * 3600_000);
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.publications.get(id))!.status).toBe('cancelled');
    expect(ctx.testAdapter.delivered).toHaveLength(0);
  });

  it('tells the officer of an urgent draft where the alert button will appear', async () => {
    const { agent } = await loginAs(ctx, 'editor');
    const draft = await makeArticle(ctx.c, { urgent: true, title: 'Route fermée', status: 'draft' });
    const page = await agent.get(`/admin/articles/${draft}/edit`);
    expect(page.text).toContain('apparaît ici dès que l’article est publié');
    expect(page.text).not.toContain('Alerte : envoyer partout maintenant</button>');
  });

  it('sends an urgent article to every reachable channel at once', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    await makeTestAccount(ctx.c, {}, 'A');
    await makeTestAccount(ctx.c, {}, 'B');
    // A network this installation has no adapter for (an account left from another version).
    await ctx.c.accounts.insert({ channel: 'myspace', label: 'Réseau disparu' }, ctx.clock.now());
    const article = await makeArticle(ctx.c, { urgent: true, title: 'Coupure d’eau' });
    await agent.post(`/admin/articles/${article}/urgent`).type('form').send({ _csrf: csrf }).expect(302);
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.sent).toBe(3); // site + A + B; the network without an adapter is not planned
    const page = await agent.get(`/admin/articles/${article}/channels`);
    expect(page.text).toContain('Ce canal n’est pas joignable');
  });

  it('lets an elected official watch but not act, and lists what needs attention', async () => {
    const { agent, csrf } = await loginAs(ctx, 'elected');
    const account = await makeTestAccount(ctx.c);
    const article = await makeArticle(ctx.c, { title: 'Conseil municipal' });
    const id = await makePublication(ctx.c, article, account, ctx.clock.now());
    await ctx.c.publications.claim(id, 'dead-instance', ctx.clock.now());
    ctx.clock.advance(ctx.c.config.publishing.sendingTimeoutMs + 1);
    await ctx.c.dispatcher.dispatchDue();

    expect((await agent.get(`/admin/articles/${article}/channels`)).status).toBe(200);
    expect((await agent.post(`/admin/publications/${id}`).type('form').send({ _csrf: csrf, action: 'retry' })).status).toBe(403);
    const attention = await agent.get('/admin/publications');
    expect(attention.text).toContain('Conseil municipal');
    expect(attention.text).toContain('Incertaine');
  });
});
