import sharp from 'sharp';
import type TestAgent from 'supertest/lib/agent';
import { createTestContext, csrfFrom, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';

/**
 * The hand-off channel, for networks Crieur has no connector for: an administrator adds an
 * "account" named after the network; at the post's time the officer is told by e-mail (a real
 * SMTP server receives it) and on the dashboard, gets the text and the picture, posts by hand and
 * gives the post's address, which makes the publication sent like any other.
 */
let smtp: SmtpPeer;
let ctx: TestContext;
let admin: { agent: TestAgent; csrf: string };
let officer: { agent: TestAgent; csrf: string; user: { email: string } };
let instagram: number;
let siteAccount: number;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  ctx = await createTestContext({ SMTP_URL: smtp.url });
  admin = await loginAs(ctx, 'admin');
  officer = await loginAs(ctx, 'editor');
  siteAccount = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.c.outbox.idle();
  await ctx.close();
  await smtp.close();
});

/** A published article with a picture, its site page and an Instagram hand-off due now. */
async function dueArticle(title: string) {
  const now = ctx.clock.now();
  const article = await makeArticle(ctx.c, { title, status: 'published', publishAt: now });
  await ctx.c.db('articles').where({ id: article }).update({ summary: 'Les chalets reviennent sur la place.' });
  const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#3366aa' } })
    .jpeg()
    .toBuffer();
  const media = await ctx.c.media.ingest(jpeg, 'marche.jpg', { alt: 'Les chalets' }, { id: null, label: 'test' });
  await ctx.c.media.whenReady(media.id);
  await ctx.c.db('articles').where({ id: article }).update({ hero_media_id: media.id, hero_alt: 'Les chalets du marché sur la place' });
  await ctx.c.publications.insert({ articleId: article, accountId: siteAccount, channel: 'site', textVariant: null, scheduledAt: now }, now);
  const post = await ctx.c.publications.insert({ articleId: article, accountId: instagram, channel: 'handoff', textVariant: null, scheduledAt: now }, now);
  return { article, post };
}

describe('a hand-off network', () => {
  it('is added by an administrator with the network’s name, and needs no secret', async () => {
    const form = await admin.agent.get('/admin/networks/connect/handoff');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Nom du réseau');
    const empty = await admin.agent.post('/admin/networks/connect/handoff').type('form').send({ _csrf: admin.csrf, network: '' });
    expect(empty.status).toBe(400);
    const ok = await admin.agent.post('/admin/networks/connect/handoff').type('form').send({ _csrf: admin.csrf, network: 'Instagram' }).redirects(0);
    expect(ok.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'handoff' }).first();
    expect(row.label).toBe('Instagram');
    instagram = row.id as number;
    expect(await ctx.c.accounts.credentials(instagram)).toBeNull();
  });

  it('tells the officers by e-mail and on the dashboard when the post is due, once', async () => {
    const elected = await makeUser(ctx.c, 'elected');
    const { post } = await dueArticle('Marché de Noël');
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.queued).toBe(1);
    expect((await ctx.c.publications.get(post))?.status).toBe('queued');
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(officer.user.email) && m.subject.includes('Marché de Noël'));
    expect(mail.subject).toBe('À publier à la main sur Instagram : Marché de Noël');
    expect(mail.text).toContain('Les chalets reviennent sur la place.');
    expect(mail.text).toMatch(/http:\/\/crieur\.test\/actualites\/[\w-]+\?ref=handoff/);
    expect(mail.text).toContain(`http://crieur.test/admin/handoff/${post}`);
    await ctx.c.outbox.idle();
    expect(smtp.messages.some((m) => m.rcptTo.includes(elected.email))).toBe(false); // cannot publish: not told

    // Taken up again (a crash, a second run): nobody is told twice.
    const before = smtp.messages.length;
    await ctx.c.publications.transition(post, ['queued'], { status: 'pending', dueAt: ctx.clock.now() }, ctx.clock.now());
    expect((await ctx.c.dispatcher.dispatchDue()).queued).toBe(1);
    await ctx.c.outbox.deliverDue();
    expect(smtp.messages.length).toBe(before);

    const dashboard = await officer.agent.get('/admin');
    expect(dashboard.text).toContain('À publier à la main');
    expect(dashboard.text).toContain(`<a href="/admin/handoff/${post}">Marché de Noël</a>`);
  });

  it('gives the text to copy, the picture to download with its alt text, and takes the post’s address', async () => {
    const post = ((await ctx.c.db('publications').where({ channel: 'handoff', status: 'queued' }).first('id')) as { id: number }).id;
    const page = await officer.agent.get(`/admin/handoff/${post}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Publier à la main sur Instagram');
    expect(page.text).toMatch(
      /<textarea id="handoff-text" rows="8" readonly>Marché de Noël\n\nLes chalets reviennent sur la place\.\n\nhttp:\/\/crieur\.test\/actualites\/[\w-]+\?ref=handoff<\/textarea>/,
    );
    expect(page.text).toContain('data-copy-from="handoff-text"');
    expect(page.text).toMatch(/<a class="button" href="\/media\/[^"]+\.jpg" download>Télécharger l’image<\/a>/);
    expect(page.text).toContain('Les chalets du marché sur la place');
    const image = /href="(\/media\/[^"]+\.jpg)" download/.exec(page.text)![1]!;
    expect((await officer.agent.get(image)).status).toBe(200);

    for (const bad of [
      '',
      'pas une adresse',
      'javascript:alert(1)',
      'ftp://exemple.fr/x',
      `https://exemple.fr/${'a'.repeat(2100)}`,
      'https://exemple.fr/<script>',
    ]) {
      const res = await officer.agent
        .post(`/admin/handoff/${post}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), url: bad });
      expect(res.status).toBe(400);
      expect(res.text).toContain('Indiquez l’adresse de la publication, qui commence par https://');
      expect((await ctx.c.publications.get(post))?.status).toBe('queued');
    }
    const forged = await officer.agent.post(`/admin/handoff/${post}`).type('form').send({ url: 'https://www.instagram.com/p/abc/' });
    expect(forged.status).toBe(403);

    const done = await officer.agent
      .post(`/admin/handoff/${post}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), url: 'https://www.instagram.com/p/Cx1/' })
      .redirects(0);
    expect(done.status).toBe(302);
    const p = await ctx.c.publications.get(post);
    expect(p).toMatchObject({ status: 'sent', externalUrl: 'https://www.instagram.com/p/Cx1/' });
    const audit = await ctx.c
      .db('audit_log')
      .where({ action: 'publication.handoff_done', target_id: String(post) })
      .first();
    expect(audit).toBeTruthy();
    // It counts like any other publication, and leaves the dashboard.
    expect((await ctx.c.publications.countByStatus()).sent).toBeGreaterThanOrEqual(2);
    expect((await officer.agent.get('/admin')).text).not.toContain(`/admin/handoff/${post}"`);
    const again = await officer.agent
      .post(`/admin/handoff/${post}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), url: 'https://www.instagram.com/p/Cx2/' });
    expect(again.status).toBe(409);
  });

  it('is for people who can publish', async () => {
    const post = ((await ctx.c.db('publications').where({ channel: 'handoff' }).first('id')) as { id: number }).id;
    const elected = await loginAs(ctx, 'elected');
    expect((await elected.agent.get(`/admin/handoff/${post}`)).status).toBe(403);
    expect((await officer.agent.get('/admin/handoff/999999')).status).toBe(404);
    expect((await officer.agent.get('/admin/handoff/1e3')).status).toBe(404);
  });
});
