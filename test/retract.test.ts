import type TestAgent from 'supertest/lib/agent';
import { PigeonAdapter } from './fixtures/pigeon.adapter';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { startPigeonPeer, type PigeonPeer } from './helpers/pigeon-peer';

/**
 * Unpublishing or deleting an article offers to remove its posts: deleted on the networks that
 * allow it (the local Pigeon network receives the deletions), listed with their links where it
 * must be done by hand, each outcome recorded on the publication and in the audit log.
 */
let peer: PigeonPeer;
let ctx: TestContext;
let officer: { agent: TestAgent; csrf: string };
let pigeon: number;
let handoff: number;
let site: number;

beforeAll(async () => {
  peer = await startPigeonPeer();
  ctx = await createTestContext({}, { channels: [new PigeonAdapter(peer.url)] });
  const t = peer.issue();
  const now = ctx.clock.now();
  pigeon = await ctx.c.accounts.insert({ channel: 'pigeon', label: '@villeneuve', credentials: { accessToken: t.access, refreshToken: t.refresh } }, now);
  handoff = await ctx.c.accounts.insert({ channel: 'handoff', label: 'Instagram', settings: { network: 'Instagram' } }, now);
  site = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
  officer = await loginAs(ctx, 'editor');
});
afterAll(async () => {
  await ctx.close();
  await peer.close();
});

/** An article online on the site, posted on Pigeon as a 2-part thread, and by hand on Instagram. */
async function postedArticle(title: string) {
  const now = ctx.clock.now();
  const article = await makeArticle(ctx.c, { title, status: 'published', publishAt: now });
  await ctx.c.publications.insert({ articleId: article, accountId: site, channel: 'site', textVariant: null, scheduledAt: now }, now);
  const text = 'Le conseil municipal se réunit jeudi soir à la mairie. La séance est publique et ouverte à tous.';
  const post = await ctx.c.publications.insert(
    { articleId: article, accountId: pigeon, channel: 'pigeon', textVariant: text, asThread: true, scheduledAt: now },
    now,
  );
  const hand = await ctx.c.publications.insert({ articleId: article, accountId: handoff, channel: 'handoff', textVariant: null, scheduledAt: now }, now);
  await ctx.c.dispatcher.dispatchDue();
  await ctx.c.handoff.markDone(hand, 'https://www.instagram.com/p/Zz9/', { id: null, label: 'test' });
  expect((await ctx.c.publications.get(post))?.status).toBe('sent');
  return { article, post, hand, parts: (await ctx.c.publications.parts(post)).map((p) => p.externalId) };
}

const status = async (id: number) => (await ctx.c.publications.get(id))!;

describe('retracting an article’s posts', () => {
  it('after unpublishing (archiving), lists what Crieur can delete and what must go by hand, then deletes the chosen ones on the network', async () => {
    const { article, post, hand, parts } = await postedArticle('Conseil municipal');
    expect(parts).toHaveLength(2);
    const edit = await officer.agent.get(`/admin/articles/${article}`);
    const back = await officer.agent
      .post(`/admin/articles/${article}/status`)
      .type('form')
      .send({ _csrf: csrfFrom(edit.text), to: 'archived' })
      .redirects(0);
    expect(back.headers.location).toBe(`/admin/articles/${article}/retract`);

    const page = await officer.agent.get(`/admin/articles/${article}/retract`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Retirer les publications des réseaux');
    expect(page.text).toContain(`name="retract_${post}" checked`);
    expect(page.text).toContain('Supprimer la publication sur Pigeon (@villeneuve)');
    expect(page.text).toContain('À retirer à la main sur le réseau');
    expect(page.text).toContain(`name="byhand_${hand}"`);
    expect(page.text).toContain('<a href="https://www.instagram.com/p/Zz9/">ouvrir la publication</a>');
    expect(page.text).not.toContain(`retract_${(await ctx.c.db('publications').where({ article_id: article, channel: 'site' }).first('id')).id}"`);

    // Looking is not acting: the GET changed nothing.
    expect(peer.deleted).toEqual([]);
    const res = await officer.agent
      .post(`/admin/articles/${article}/retract`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), [`retract_${post}`]: 'on', [`byhand_${hand}`]: 'on' })
      .redirects(0);
    expect(res.status).toBe(302);
    expect(peer.deleted).toEqual([...parts].reverse()); // every part of the thread, last first
    expect((await status(post)).status).toBe('retracted');
    expect((await status(hand)).status).toBe('retracted');
    const actions = (
      await ctx.c
        .db('audit_log')
        .whereIn('target_id', [String(post), String(hand)])
        .select('action')
    ).map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['publication.retracted', 'publication.retracted_by_hand']));
    const after = await officer.agent.get(`/admin/articles/${article}/retract`);
    expect(after.text).toContain('Aucune publication de cet article n’est en ligne sur un réseau.');
  });

  it('records a network’s refusal beside the post, keeps it listed, and audits it', async () => {
    const { article, post } = await postedArticle('Travaux rue Haute');
    const page = await officer.agent.get(`/admin/articles/${article}/retract`);
    peer.deleteScript.push(500);
    const res = await officer.agent
      .post(`/admin/articles/${article}/retract`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), [`retract_${post}`]: 'on' });
    expect(res.status).toBe(302);
    const p = await status(post);
    expect(p.status).toBe('sent');
    expect(p.lastError?.code).toBe('retract.failed');
    const again = await officer.agent.get(`/admin/articles/${article}/retract`);
    expect(again.text).toContain('Pigeon n’a pas pu retirer la publication : retirez-la à la main depuis le réseau.');
    expect(
      await ctx.c
        .db('audit_log')
        .where({ action: 'publication.retract_failed', target_id: String(post) })
        .first(),
    ).toBeTruthy();
  });

  it('before deleting an article, asks about its posts first, then deletes both', async () => {
    const { article, parts } = await postedArticle('Fête annulée');
    const edit = await officer.agent.get(`/admin/articles/${article}/edit`);
    const del = await officer.agent
      .post(`/admin/articles/${article}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(edit.text) })
      .redirects(0);
    expect(del.headers.location).toBe(`/admin/articles/${article}/retract?then=delete`);
    expect(await ctx.c.db('articles').where({ id: article }).first()).toBeTruthy(); // not yet
    const page = await officer.agent.get(`/admin/articles/${article}/retract?then=delete`);
    expect(page.text).toContain('Avant de supprimer l’article');
    expect(page.text).toContain('Retirer les publications cochées et supprimer l’article');
    const before = peer.deleted.length;
    const pigeonPost = (await ctx.c.db('publications').where({ article_id: article, channel: 'pigeon' }).first('id')).id as number;
    const done = await officer.agent
      .post(`/admin/articles/${article}/retract`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), then: 'delete', [`retract_${pigeonPost}`]: 'on' })
      .redirects(0);
    expect(done.headers.location).toBe('/admin/articles');
    expect(peer.deleted.slice(before)).toEqual([...parts].reverse());
    expect(await ctx.c.db('articles').where({ id: article }).first()).toBeUndefined();
  });

  it('is refused to a person who cannot publish, and ignores forged ids', async () => {
    const { article, post } = await postedArticle('Inauguration');
    const elected = await loginAs(ctx, 'elected');
    expect((await elected.agent.get(`/admin/articles/${article}/retract`)).status).toBe(403);
    expect(
      (
        await elected.agent
          .post(`/admin/articles/${article}/retract`)
          .type('form')
          .send({ _csrf: elected.csrf, [`retract_${post}`]: 'on' })
      ).status,
    ).toBe(403);
    const page = await officer.agent.get(`/admin/articles/${article}/retract`);
    const res = await officer.agent
      .post(`/admin/articles/${article}/retract`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), retract_999999: 'on', retract_1e3: 'on', [`byhand_${post}`]: 'on' });
    expect(res.status).toBe(302);
    // A post Crieur can delete is not "removed by hand" because a form says so.
    expect((await status(post)).status).toBe('sent');
  });
});
