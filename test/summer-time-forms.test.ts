import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';

/**
 * 02:30 on Sunday 29 March 2026 does not exist in Paris: clocks go from 02:00 to 03:00. A time
 * typed in a form for that night is refused next to its field, with the time a clock would show.
 * (The test clock reads 2026-03-15 09:00 UTC, so that night is still to come.)
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const MESSAGE = 'L’heure 02:30 n’existe pas le 29 mars 2026 (passage à l’heure d’été) : choisissez une autre heure, par exemple 03:30.';

describe('a time skipped by the spring change, typed in a form', () => {
  it('is refused next to the article’s publication time, with every other refusal, and nothing is written', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const before = await ctx.c.db('articles').count({ n: '*' }).first();
    const res = await agent.post('/admin/articles').type('form').send({ _csrf: csrf, title: '', body: 'Texte gardé', publishAt: '2026-03-29T02:30' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`<p class="field-error" id="publishAt-error">${MESSAGE}</p>`);
    expect(res.text).toMatch(/id="publishAt"[^>]*value="2026-03-29T02:30"[^>]*aria-invalid="true" aria-describedby="publishAt-hint publishAt-error"/);
    expect(res.text).toContain('Indiquez un titre.');
    expect(await ctx.c.db('articles').count({ n: '*' }).first()).toEqual(before);
  });

  it('is refused when an article is changed to that time too, and 03:30 is then accepted', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const created = await agent.post('/admin/articles').type('form').send({ _csrf: csrf, title: 'Marché de printemps', publishAt: '2026-03-28T10:00' });
    const id = Number(/\/admin\/articles\/(\d+)\/edit/.exec(String(created.headers.location))?.[1]);
    const refused = await agent
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ _csrf: csrf, version: '1', title: 'Marché de printemps', publishAt: '2026-03-29T02:30' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(MESSAGE);
    const row = await ctx.c.db('articles').where({ id }).first();
    expect(new Date(row.publish_at).toISOString()).toBe('2026-03-28T09:00:00.000Z');

    const moved = await agent
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ _csrf: csrf, version: '1', title: 'Marché de printemps', publishAt: '2026-03-29T03:30' });
    expect(moved.status).toBe(302);
    const page = await agent.get(`/admin/articles/${id}/edit`);
    expect(page.text).toContain('name="publishAt" type="datetime-local" value="2026-03-29T03:30"');
  });

  it('is said in English to a reader who chose English', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    await agent.post('/admin/account/locale').type('form').send({ _csrf: csrf, locale: 'en' });
    const res = await agent.post('/admin/articles').type('form').send({ _csrf: csrf, title: 'Concert', eventStart: '2026-03-29T02:15' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('02:15 does not exist on 29 March 2026 (clocks go forward to summer time): choose another time, for instance 03:15.');
  });

  it('is refused next to a channel’s time in the channel panel, the time typed kept, and nothing is planned', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { status: 'draft' });
    const res = await agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({ _csrf: csrf, channel_1_enabled: 'on', channel_1_at: '2026-03-29T02:30' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`<p class="field-error" id="channel_1_at-error">${MESSAGE}</p>`);
    expect(res.text).toMatch(/id="channel_1_at"[^>]*value="2026-03-29T02:30" aria-invalid="true" aria-describedby="channel_1_at-error"/);
    expect(await ctx.c.publishing.statuses(article)).toEqual([]);
  });

  it('is refused with its reason by the article’s schedule action, which has no form of its own', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { status: 'draft' });
    const res = await agent.post(`/admin/articles/${article}/schedule`).type('form').send({ _csrf: csrf, publishAt: '2026-03-29T02:30' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(MESSAGE);
    expect((await ctx.c.db('articles').where({ id: article }).first()).status).toBe('draft');
  });

  it('is refused next to a newsletter’s sending time, the time typed kept, and the letter stays a draft', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { title: 'Fête du printemps' });
    const created = await agent
      .post('/admin/newsletter/new')
      .type('form')
      .send({ _csrf: csrf, subject: 'La lettre de mars', articleIds: String(article) });
    const id = Number(/\/admin\/newsletter\/(\d+)$/.exec(String(created.headers.location))?.[1]);
    const res = await agent.post(`/admin/newsletter/${id}/schedule`).type('form').send({ _csrf: csrf, scheduledFor: '2026-03-29T02:30' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`<p class="field-error" id="scheduledFor-error">${MESSAGE}</p>`);
    expect(res.text).toMatch(/id="scheduledFor"[^>]*value="2026-03-29T02:30" aria-invalid="true" aria-describedby="scheduledFor-hint scheduledFor-error"/);
    const kept = await ctx.c.campaigns.get(id);
    expect([kept?.status, kept?.scheduledFor]).toEqual(['draft', null]);

    const moved = await agent.post(`/admin/newsletter/${id}/schedule`).type('form').send({ _csrf: csrf, scheduledFor: '2026-03-29T03:30' });
    expect(moved.status).toBe(302);
    expect((await ctx.c.campaigns.get(id))?.scheduledFor?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('leaves the autumn night alone: 02:30 on 25 October exists (twice) and is taken in summer time', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { status: 'draft' });
    const res = await agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({ _csrf: csrf, channel_1_enabled: 'on', channel_1_at: '2026-10-25T02:30' });
    expect(res.status).toBe(302);
    const [pub] = await ctx.c.publishing.statuses(article);
    expect(pub?.scheduledAt.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
