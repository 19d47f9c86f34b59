import { simpleParser } from 'mailparser';
import request from 'supertest';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { categoryIds, illustratedArticle, newsletterAccount } from './helpers/campaigns';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';
import { seedSubscribers } from './helpers/newsletter-send';
import { trackingToken } from '../server/newsletter/campaign-template';
import { scrubUrl } from '../server/http/log-safety';

/**
 * Campaigns from end to end: the newsletter channel queues an article's publication, the digest
 * is built on its day from what waits (and never when nothing does), an urgent article makes an
 * alert, the end of a send reports each publication delivered, and the public sees the web
 * version, the archive, the click redirect and the pixel. Staff compose, preview and test-send
 * through the admin, to a real SMTP server.
 */
let ctx: TestContext;
let smtp: SmtpPeer;
const system = { id: null, label: 'test' };

beforeAll(async () => {
  smtp = await startSmtpPeer();
  ctx = await createTestContext({ SMTP_URL: smtp.url });
}, 60_000);
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
  await smtp.close();
});

async function siteAccount(): Promise<number> {
  return ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
}

/** A published article, online on the site, with a newsletter publication due now. */
async function articleForTheLetter(title: string, opts: { urgent?: boolean } = {}) {
  const topics = await categoryIds(ctx.c);
  const article = await illustratedArticle(ctx.c, { title, categoryId: topics[0]!, urgent: opts.urgent });
  const now = ctx.clock.now();
  await ctx.c.publications.insert(
    { articleId: article, accountId: await siteAccount(), channel: 'site', textVariant: null, scheduledAt: now, status: 'sent' },
    now,
  );
  const pub = await ctx.c.publications.insert(
    { articleId: article, accountId: await newsletterAccount(ctx.c), channel: 'newsletter', textVariant: null, scheduledAt: now },
    now,
  );
  return { article, pub };
}

let digestId: number;
let digestPub: number;

describe('the digest', () => {
  it('queues an article’s newsletter publication: it waits for the digest, never uncertain', async () => {
    const { pub } = await articleForTheLetter('Le marché de printemps');
    digestPub = pub;
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.queued).toBe(1);
    expect((await ctx.c.publications.get(pub))?.status).toBe('queued');
  });

  it('is built on its day and time (Friday 10:00, Paris) from what waits, once', async () => {
    // An article archived after its publication was queued stays out of the letter.
    const { article: archived, pub: archivedPub } = await articleForTheLetter('Article retiré depuis');
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.publications.get(archivedPub))?.status).toBe('queued');
    await ctx.c.db('articles').where({ id: archived }).update({ status: 'archived' });
    // Sunday 15 March: last Friday's digest time is two days past, the next one is to come.
    expect(await ctx.c.campaigns.buildDueDigest()).toBeNull();
    ctx.clock.set(new Date('2026-03-20T09:05:00.000Z')); // Friday 10:05 in Paris (UTC+1)
    const id = await ctx.c.campaigns.buildDueDigest();
    expect(id).not.toBeNull();
    digestId = id!;
    const campaign = (await ctx.c.campaigns.get(digestId))!;
    expect(campaign.kind).toBe('digest');
    expect(campaign.scheduledFor?.toISOString()).toBe('2026-03-20T09:00:00.000Z');
    expect((await ctx.c.campaigns.articlesOf(digestId)).map((a) => a.publicationId)).toEqual([digestPub]);
    // Another run (another instance) makes no second digest.
    expect(await ctx.c.campaigns.buildDueDigest()).toBeNull();
  });

  it('reports each publication delivered when the campaign has gone out, with the web version’s address', async () => {
    // As the sender does: prepare (links stored, public number given), then report the end.
    const prepared = await ctx.c.campaignRenderer.prepare(digestId);
    expect(prepared.number).toBe(1);
    await ctx.c.campaigns.markSent(digestId, ctx.clock.now());
    const campaign = (await ctx.c.campaigns.get(digestId))!;
    expect(campaign.status).toBe('sent');
    expect(campaign.number).toBe(1);
    const pub = (await ctx.c.publications.get(digestPub))!;
    expect(pub.status).toBe('sent');
    expect(pub.externalId).toBe('campaign-1');
    expect(pub.externalUrl).toBe('http://crieur.test/lettres/1');
  });

  it('sends nothing in a week with nothing: no campaign, no empty e-mail', async () => {
    const before = await ctx.c.db('campaigns').count({ n: '*' }).first();
    ctx.clock.set(new Date('2026-03-27T09:10:00.000Z'));
    expect(await ctx.c.campaigns.runDue()).toEqual({ digests: 0, started: 0, forgotten: 0 });
    expect(await ctx.c.db('campaigns').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('an urgent article', () => {
  it('makes an alert campaign at once, holding its publication', async () => {
    const { article, pub } = await articleForTheLetter('Coupure d’eau ce soir', { urgent: true });
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.queued).toBe(1);
    const p = (await ctx.c.publications.get(pub))!;
    expect(p.status).toBe('queued');
    const campaign = (await ctx.c.campaigns.campaignOfPublication(pub))!;
    expect(campaign.kind).toBe('alert');
    expect(campaign.subject).toBe('Alerte : Coupure d’eau ce soir');
    expect(p.externalId).toBe(`alert-${campaign.id}`);
    expect((await ctx.c.campaigns.articlesOf(campaign.id)).map((a) => a.articleId)).toEqual([article]);
    // Asked again (a retry), the same campaign: nobody gets a second alert.
    expect(await ctx.c.campaigns.alertFor(article, pub)).toBe(campaign.id);
  });
});

describe('on the public site', () => {
  it('shows the web version without anyone’s personal links, and lists it in the archive', async () => {
    const page = await request(ctx.handler).get('/lettres/1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Le marché de printemps');
    expect(page.text).toMatch(/<html[^>]* lang="fr"/);
    expect(page.text).not.toMatch(/desabonnement|abonnement\/|\?t=|\/o\/\d+\.gif/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const archive = await request(ctx.handler).get('/lettres');
    expect(archive.status).toBe(200);
    expect(archive.text).toContain('href="/lettres/1"');
    expect(archive.text).toContain('Lettre n° 1');
    expect((await request(ctx.handler).get('/lettres/99')).status).toBe(404);
    expect((await request(ctx.handler).get('/lettres/abc')).status).toBe(404);
  });

  it('redirects a click only to an address of that campaign, and counts it', async () => {
    const links = (await ctx.c.campaigns.figures(digestId)).links;
    expect(links).toHaveLength(1);
    const link = links[0]!;
    const res = await request(ctx.handler).get(`/l/${digestId}/${link.id}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(link.url);
    expect(res.headers.location).toMatch(/\?ref=newsletter$/);
    expect(res.headers['cache-control']).toBe('no-store');
    // Unknown link, a link number of another campaign, an address in the query: no redirect.
    expect((await request(ctx.handler).get(`/l/${digestId}/999`)).status).toBe(404);
    expect((await request(ctx.handler).get(`/l/424242/${link.id}`)).status).toBe(404);
    const smuggled = await request(ctx.handler).get(`/l/${digestId}/999?url=https%3A%2F%2Fevil.example%2F`);
    expect(smuggled.status).toBe(404);
    expect(smuggled.headers.location).toBeUndefined();
    expect((await request(ctx.handler).get(`/l/${digestId}/x`)).status).toBe(404);
    expect((await ctx.c.campaigns.figures(digestId)).clicks).toBe(1);
  });

  it('counts a person’s click only with their own valid token (tracking opted in), never a forged one', async () => {
    const link = (await ctx.c.campaigns.figures(digestId)).links[0]!;
    const secret = (ctx.c.campaignRenderer as unknown as { d: { trackingSecret: string } }).d.trackingSecret;
    const good = trackingToken(secret, digestId, 12);
    expect((await request(ctx.handler).get(`/l/${digestId}/${link.id}?t=${good}`)).status).toBe(302);
    expect((await request(ctx.handler).get(`/l/${digestId}/${link.id}?t=13.${good.split('.')[1]}`)).status).toBe(302);
    const rows = await ctx.c.db('campaign_tracking').where({ campaign_id: digestId });
    expect(rows.map((r) => [r.subscriber_id, r.kind])).toEqual([[12, 'click']]);
    expect((await ctx.c.campaigns.figures(digestId)).people).toEqual({ opened: 0, clicked: 1 });
    // The token never reaches the request log.
    expect(scrubUrl(`/l/${digestId}/${link.id}?t=${good}`)).toBe(`/l/${digestId}/${link.id}?t=[hidden]`);
  });

  it('counts opens of a sent campaign with an anonymous pixel; a person only with their token', async () => {
    const res = await request(ctx.handler).get(`/o/${digestId}.gif`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cache-control']).toContain('no-store');
    await request(ctx.handler).get(`/o/${digestId}.gif`);
    expect((await ctx.c.campaigns.figures(digestId)).opens).toBe(2);
    const secret = (ctx.c.campaignRenderer as unknown as { d: { trackingSecret: string } }).d.trackingSecret;
    await request(ctx.handler).get(`/o/${digestId}.gif?t=${trackingToken(secret, digestId, 12)}`);
    expect((await ctx.c.campaigns.figures(digestId)).people.opened).toBe(1);
    // A draft is not counted; an unknown campaign answers the same pixel.
    const draft = await ctx.c.campaigns.create(
      { subject: 'Brouillon', intro: '', articleIds: [await makeArticle(ctx.c, { publishAt: new Date('2026-03-01T00:00:00Z') })] },
      system,
    );
    await request(ctx.handler).get(`/o/${draft}.gif`);
    expect((await ctx.c.campaigns.get(draft))?.opens).toBe(0);
    expect((await request(ctx.handler).get('/o/999999.gif')).status).toBe(200);
  });
});

describe('per-person figures', () => {
  it('are part of the person’s data, and are forgotten once they are no longer subscribed', async () => {
    const mine = await ctx.c.campaigns.tracking.personalTracking(12);
    expect(mine.map((e) => [e.lettre, e.type])).toEqual([
      [digestId, 'clic'],
      [digestId, 'ouverture'],
    ]);
    // Subscriber 12 does not exist (never confirmed, unsubscribed or erased): the sweep removes their rows.
    expect((await ctx.c.campaigns.runDue()).forgotten).toBe(2);
    expect(await ctx.c.campaigns.tracking.personalTracking(12)).toEqual([]);
    // The anonymous counts stay.
    expect((await ctx.c.campaigns.figures(digestId)).opens).toBe(3);
  });

  it('are deleted, not only stopped, when the person withdraws their consent on their own page', async () => {
    const [person] = await seedSubscribers(ctx.c, 1, { topics: [], prefix: 'mesuree' });
    await ctx.c.db('subscribers').where({ id: person!.id }).update({ tracking: true });
    const secret = (ctx.c.campaignRenderer as unknown as { d: { trackingSecret: string } }).d.trackingSecret;
    const t = trackingToken(secret, digestId, person!.id);
    const link = (await ctx.c.campaigns.figures(digestId)).links[0]!;
    await request(ctx.handler).get(`/l/${digestId}/${link.id}?t=${t}`).expect(302);
    await request(ctx.handler).get(`/o/${digestId}.gif?t=${t}`).expect(200);
    const manage = new URL(ctx.c.subscriberLinks.manageUrl(person!.id)).pathname;
    const data = async () =>
      JSON.parse((await request(ctx.app).get(`${manage}/donnees`).expect(200)).text) as { tracking: boolean; mesure_des_lettres: unknown[] };
    expect((await data()).mesure_des_lettres).toHaveLength(2);
    const page = await request(ctx.app).get(manage).expect(200);
    expect(page.text).toContain('les ouvertures et les clics déjà enregistrés à votre nom sont effacés aussitôt');
    const before = await ctx.c.campaigns.figures(digestId);

    await request(ctx.app).post(`${manage}/suivi`).type('form').send({ tracking: 'non' }).expect(303);
    const after = await data();
    expect(after.tracking).toBe(false);
    expect(after.mesure_des_lettres).toEqual([]);
    expect(await ctx.c.db('campaign_tracking').where({ subscriber_id: person!.id })).toEqual([]);
    // Still subscribed; the campaign's anonymous totals are unchanged.
    expect(await ctx.c.subscribers.isSubscribed(person!.id)).toBe(true);
    const figures = await ctx.c.campaigns.figures(digestId);
    expect({ opens: figures.opens, clicks: figures.clicks }).toEqual({ opens: before.opens, clicks: before.clicks });
    expect((await request(ctx.app).get(manage)).text).toContain('Vous n’avez pas donné votre accord');
  });
});

describe('staff', () => {
  let editor: Awaited<ReturnType<typeof loginAs>>;
  let composed: number;
  beforeAll(async () => {
    editor = await loginAs(ctx, 'editor');
  });

  it('compose a letter from chosen articles and an introduction; a form without articles is refused and writes nothing', async () => {
    const page = await editor.agent.get('/admin/newsletter/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Le marché de printemps');
    const before = await ctx.c.db('campaigns').count({ n: '*' }).first();
    const empty = await editor.agent.post('/admin/newsletter/new').type('form').send({ _csrf: editor.csrf, subject: 'Sans article', intro: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Choisissez au moins un article.');
    const injected = await editor.agent
      .post('/admin/newsletter/new')
      .type('form')
      .send({ _csrf: editor.csrf, subject: 'Objet\r\nBcc: x@evil.example', articleIds: '1' });
    expect(injected.status).toBe(400);
    expect(injected.text).toContain('L’objet tient sur une seule ligne.');
    expect(await ctx.c.db('campaigns').count({ n: '*' }).first()).toEqual(before);

    const articles = (await ctx.c.db('articles').where({ status: 'published' }).whereNotNull('hero_media_id').select('id')).map((r) => String(r.id));
    const ok = await editor.agent
      .post('/admin/newsletter/new')
      .type('form')
      .send({ _csrf: editor.csrf, subject: 'Les travaux de l’été', intro: 'Chers habitants,\n\nvoici les chantiers.', articleIds: articles });
    expect(ok.status).toBe(302);
    composed = Number(/\/admin\/newsletter\/(\d+)$/.exec(String(ok.headers.location))![1]);
    const show = await editor.agent.get(`/admin/newsletter/${composed}`);
    expect(show.status).toBe(200);
    expect(show.text).toContain('Les travaux de l’été');
    expect(show.text).toContain(`src="/admin/newsletter/${composed}/preview.html"`);
    expect(show.text).toContain('class="preview-phone"');
    expect(show.text).toContain('class="preview-desktop"');
  });

  it('preview it: the e-mail is served at its own address, with a policy that allows its inline styles and no script', async () => {
    const res = await editor.agent.get(`/admin/newsletter/${composed}/preview.html`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Chers habitants,');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'.*style-src 'unsafe-inline'/);
    expect(res.headers['content-security-policy']).not.toContain('script-src');
    // Looking writes nothing: the links are stored when the letter is test-sent or starts.
    expect((await ctx.c.campaigns.figures(composed)).links).toEqual([]);
    const text = await editor.agent.get(`/admin/newsletter/${composed}/preview.txt`);
    expect(text.text).toContain('Chers habitants,');
  });

  it('send a test, marked [TEST], to chosen addresses: it arrives with both parts and the unsubscribe headers', async () => {
    const tooMany = await editor.agent
      .post(`/admin/newsletter/${composed}/test`)
      .type('form')
      .send({ _csrf: editor.csrf, addresses: 'a@x.fr, b@x.fr, c@x.fr, d@x.fr, e@x.fr, f@x.fr' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('Indiquez 5 adresses au plus.');
    const bad = await editor.agent.post(`/admin/newsletter/${composed}/test`).type('form').send({ _csrf: editor.csrf, addresses: 'pas-une-adresse' });
    expect(bad.status).toBe(400);

    const res = await editor.agent.post(`/admin/newsletter/${composed}/test`).type('form').send({ _csrf: editor.csrf, addresses: 'maire@exemple.fr' });
    expect(res.status).toBe(302);
    const received = await smtp.waitFor((m) => m.rcptTo.includes('maire@exemple.fr'));
    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe('[TEST] Les travaux de l’été');
    expect(mail.html).toContain('Chers habitants,');
    expect(mail.html).toMatch(/<html[^>]* lang="fr"/);
    expect(mail.text).toContain('Chers habitants,');
    expect(mail.text).toContain('Me désabonner : http://crieur.test/lettre');
    // mailparser groups the List-* headers; RFC 8058 wants one https (here http in tests) address and the One-Click post.
    expect(mail.headers.get('list')).toEqual({ unsubscribe: { url: 'http://crieur.test/lettre' }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
    expect(received.raw.match(/^List-Unsubscribe:/gm)).toHaveLength(1);
    expect(mail.from?.value[0]?.name).toBe('Ma commune');
    // Its links lead somewhere: the test send stored them.
    const links = (await ctx.c.campaigns.figures(composed)).links;
    expect(links.length).toBeGreaterThan(0);
    expect(mail.html).toContain(`href="http://crieur.test/l/${composed}/${links[0]!.id}"`);
  });

  it('schedule it and cancel it, with a confirmation; an elected member may not', async () => {
    const unconfirmed = await editor.agent.post(`/admin/newsletter/${composed}/cancel`).type('form').send({ _csrf: editor.csrf });
    expect(unconfirmed.status).toBe(400);
    expect((await ctx.c.campaigns.get(composed))?.status).toBe('draft');
    const past = await editor.agent.post(`/admin/newsletter/${composed}/schedule`).type('form').send({ _csrf: editor.csrf, scheduledFor: '2020-01-01T10:00' });
    expect(past.status).toBe(400);
    const later = await editor.agent.post(`/admin/newsletter/${composed}/schedule`).type('form').send({ _csrf: editor.csrf, scheduledFor: '2026-04-03T10:00' });
    expect(later.status).toBe(302);
    const c = (await ctx.c.campaigns.get(composed))!;
    expect(c.status).toBe('scheduled');
    expect(c.scheduledFor?.toISOString()).toBe('2026-04-03T08:00:00.000Z'); // 10:00 in Paris, summer time
    const cancel = await editor.agent.post(`/admin/newsletter/${composed}/cancel`).type('form').send({ _csrf: editor.csrf, confirm: 'yes' });
    expect(cancel.status).toBe(302);
    expect((await ctx.c.campaigns.get(composed))?.status).toBe('cancelled');

    const list = await editor.agent.get('/admin/newsletter');
    expect(list.text).toContain('Annulée');
    expect(list.text).toContain('Ouvertures (estimation)');
    const elected = await loginAs(ctx, 'elected');
    expect((await elected.agent.get('/admin/newsletter')).status).toBe(403);
    expect((await elected.agent.post('/admin/newsletter/new').type('form').send({ _csrf: elected.csrf, subject: 'x' })).status).toBe(403);
  });

  it('set the digest’s day and time, the sending window, the hourly cap and the sender (administrators)', async () => {
    const admin = await loginAs(ctx, 'admin');
    const form = await admin.agent.get('/admin/settings/newsletter');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<option value="5" selected>Vendredi<\/option>/);
    // The help text says an alert does not wait for the window, and that the hourly cap holds for it.
    expect(form.text).toContain('Une alerte urgente (tempête, coupure d’eau) part tout de suite, même la nuit');
    expect(form.text).toContain('Elle vaut pour tous les envois, alertes comprises.');
    const csrf = csrfFrom(form.text);
    const values = {
      _csrf: csrf,
      digestDay: '2',
      digestTime: '07:30',
      windowStart: '08:00',
      windowEnd: '19:00',
      hourlyCap: '2500',
      senderName: 'Mairie',
      senderEmail: 'lettre@mairie.fr',
    };
    const wrong = await admin.agent
      .post('/admin/settings/newsletter')
      .type('form')
      .send({ ...values, digestTime: '25:00', windowEnd: '07:00' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Indiquez une heure au format HH:MM.');
    expect((await ctx.c.settings.newsletter()).digestDay).toBe(5);
    expect((await admin.agent.post('/admin/settings/newsletter').type('form').send(values)).status).toBe(302);
    expect(await ctx.c.settings.newsletter()).toEqual({
      digestDay: 2,
      digestTime: '07:30',
      windowStart: '08:00',
      windowEnd: '19:00',
      hourlyCap: 2500,
      senderName: 'Mairie',
      senderEmail: 'lettre@mairie.fr',
    });
    expect(await ctx.c.campaigns.sender()).toEqual({ name: 'Mairie', address: 'lettre@mairie.fr' });
    expect((await editor.agent.get('/admin/settings/newsletter')).status).toBe(403);
    // A Sunday at 02:30 does not exist once a year: the form says what happens that night.
    const gap = 'Le dimanche du passage à l’heure d’été (fin mars), l’heure entre 2 h et 3 h n’existe pas';
    expect((await admin.agent.get('/admin/settings/newsletter')).text).not.toContain(gap);
    const sunday = csrfFrom((await admin.agent.get('/admin/settings/newsletter')).text);
    await admin.agent
      .post('/admin/settings/newsletter')
      .type('form')
      .send({ ...values, _csrf: sunday, digestDay: '0', digestTime: '02:30' })
      .expect(302);
    const shown = (await admin.agent.get('/admin/settings/newsletter')).text;
    expect(shown).toContain(gap);
    expect(shown).toMatch(/id="digestTime" [^>]*aria-describedby="digestTime-hint"/);
  });
});
