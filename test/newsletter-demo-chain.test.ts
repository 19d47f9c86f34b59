import { simpleParser, type ParsedMail } from 'mailparser';
import request from 'supertest';
import { findJob } from '../jobs';
import { createTestContext, loginAs, type TestContext } from './helpers/context';

/**
 * The newsletter's whole chain, as a resident and the town hall's staff live it on the embedded
 * default (no SMTP_URL: every e-mail lands in the admin's outbox): subscribing on /lettre, the
 * confirmation e-mail read in /admin/mailbox, the confirmation button, an officer publishing an
 * article for the letter, the digest on its Friday, an urgent alert, and every link of the e-mail
 * the resident receives (web version, click redirect, their own page, one-click unsubscribe).
 * Everything goes through HTTP and the outbox; the jobs run as the scheduler runs them.
 */
let ctx: TestContext;
const BASE = 'http://crieur.test';
const RESIDENT = 'marie.habitante@exemple.fr';

beforeAll(async () => {
  ctx = await createTestContext();
}, 60_000);
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

async function job(name: string): Promise<unknown> {
  return findJob(name)!.run(ctx.c);
}

/** The outbox as an administrator browses it: the newest message whose subject matches, parsed from its .eml download. */
async function fromOutbox(admin: Awaited<ReturnType<typeof loginAs>>, subject: RegExp): Promise<ParsedMail> {
  await ctx.c.outbox.idle();
  const list = await admin.agent.get('/admin/mailbox').expect(200);
  const entries = [...list.text.matchAll(/<a href="\/admin\/mailbox\/([^"]+)"[^>]*>([^<]*)</g)].filter((m) => subject.test(m[2]!.replace(/&#39;/g, '’')));
  expect(entries.length).toBeGreaterThan(0);
  const id = entries[0]![1]!;
  const shown = await admin.agent.get(`/admin/mailbox/${id}`).expect(200);
  expect(shown.text).toContain(RESIDENT);
  const eml = await admin.agent
    .get(`/admin/mailbox/${id}/eml`)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(eml.status).toBe(200);
  return simpleParser(eml.body as Buffer);
}

const path = (url: string) => {
  expect(url.startsWith(BASE)).toBe(true);
  return url.slice(BASE.length);
};

describe('the newsletter, from the form to the unsubscribe button', () => {
  let admin: Awaited<ReturnType<typeof loginAs>>;
  let editor: Awaited<ReturnType<typeof loginAs>>;
  let manageUrl: string;
  let unsubscribeHeader: string;

  beforeAll(async () => {
    admin = await loginAs(ctx, 'admin');
    editor = await loginAs(ctx, 'editor');
  });

  it('subscribes a resident on /lettre, whose confirmation e-mail shows in the outbox and confirms with a button', async () => {
    const form = await request(ctx.handler).get('/lettre').expect(200);
    expect(form.text).toContain('name="consent"');
    const topics = [...form.text.matchAll(/name="topics" value="(\d+)" checked/g)].map((m) => m[1]!);
    const wording = /name="wording" value="([^"]+)"/.exec(form.text)![1]!;
    const sent = await request(ctx.app)
      .post('/lettre')
      .set('Origin', BASE)
      .type('form')
      .send({ email: RESIDENT, topics, website: '', wording, consent: 'oui' });
    expect(sent.status).toBe(303);
    const after = await request(ctx.handler).get(String(sent.headers.location)).expect(200);
    expect(after.text).toMatch(/boîte/);

    const mail = await fromOutbox(admin, /Confirmez votre inscription/);
    const confirm = /(http:\/\/crieur\.test\/lettre\/confirmer\/\S+)/.exec(mail.text ?? '')![1]!;
    // Opening the link changes nothing: the page has a button.
    const page = await request(ctx.app).get(path(confirm)).expect(200);
    expect(page.text).toContain('Confirmer mon inscription');
    expect(await ctx.c.db('subscribers').where({ email: RESIDENT }).first('status')).toEqual({ status: 'pending' });
    const done = await request(ctx.app).post(path(confirm)).set('Origin', BASE).expect(200);
    expect(done.text).toContain(RESIDENT);
    expect(await ctx.c.db('subscribers').where({ email: RESIDENT }).first('status')).toEqual({ status: 'confirmed' });
  });

  it('lets an officer publish an article and tick the letter in its channels: it waits for the digest', async () => {
    const form = await editor.agent.get('/admin/articles/new').expect(200);
    const category =
      /<option value="(\d+)"[^>]*>Travaux<\/option>/.exec(form.text)?.[1] ??
      /<option value="(\d+)"/.exec(form.text.slice(form.text.indexOf('id="categoryId"')))![1]!;
    const created = await editor.agent.post('/admin/articles').type('form').send({
      _csrf: editor.csrf,
      title: 'Réfection de la rue des Écoles',
      summary: 'Les travaux de la rue des Écoles commencent lundi pour trois semaines.',
      body: 'La rue sera fermée à la circulation de 8 h à 17 h.',
      categoryId: category,
      intent: 'publish',
    });
    expect(created.status).toBe(302);
    const id = Number(/\/admin\/articles\/(\d+)/.exec(String(created.headers.location))![1]);
    const panel = await editor.agent.get(`/admin/articles/${id}/channels`).expect(200);
    const rows = panel.text.split('<tr data-account="').slice(1);
    const letter = rows.find((r) => r.includes('Lettre d’information'))!;
    const letterAccount = /^(\d+)"/.exec(letter)![1]!;
    // What the browser sends: the boxes already ticked and enabled, and the letter's, ticked now.
    const ticked = rows.filter((r) => /_enabled" checked\s*>/.test(r)).map((r) => /^(\d+)"/.exec(r)![1]!);
    const body: Record<string, string> = { _csrf: /name="_csrf" value="([^"]+)"/.exec(panel.text)![1]!, return_to: '' };
    for (const a of new Set([...ticked, letterAccount])) body[`channel_${a}_enabled`] = 'on';
    const planned = await editor.agent.post(`/admin/articles/${id}/channels`).type('form').send(body);
    expect(planned.status).toBe(302);
    await job('dispatch-publications');
    const after = await editor.agent.get(`/admin/articles/${id}/channels`).expect(200);
    const row = after.text.split('<tr data-account="').find((r) => r.startsWith(`${letterAccount}"`))!;
    // The officer sees where it stands: waiting in the letter's queue.
    expect(row).toContain('En file d’attente');
  });

  it('sends the digest on its Friday: the resident’s copy is in the outbox, with working links', async () => {
    // Friday 20 March 2026, 10:05 in Paris: the digest's default day and time have come.
    ctx.clock.set(new Date('2026-03-20T09:05:00Z'));
    await job('newsletter-digest');
    await job('send-campaigns');
    const mail = await fromOutbox(admin, /la lettre du 20 mars 2026/);
    expect((mail.to as { value: { address: string }[] }).value[0]!.address).toBe(RESIDENT);
    const html = String(mail.html);
    const text = mail.text ?? '';
    expect(text).toContain('Réfection de la rue des Écoles');

    // "Voir dans le navigateur": the web version, without anyone's personal links.
    const web = /href="(http:\/\/crieur\.test\/lettres\/\d+)"/.exec(html)![1]!;
    const webPage = await request(ctx.handler).get(path(web)).expect(200);
    expect(webPage.text).toContain('Réfection de la rue des Écoles');
    expect(webPage.text).not.toContain('/lettre/abonnement/');
    expect((await request(ctx.handler).get('/lettres').expect(200)).text).toContain(path(web));

    // The article's link goes through the click redirect, to the article, marked as coming from the letter.
    const click = /href="(http:\/\/crieur\.test\/l\/\d+\/\d+)"/.exec(html)![1]!;
    const redirected = await request(ctx.handler).get(path(click)).expect(302);
    const target = String(redirected.headers.location);
    expect(target).toMatch(/ref=newsletter/);
    const article = await request(ctx.handler).get(path(target)).expect(200);
    expect(article.text).toContain('Réfection de la rue des Écoles');
    expect(text).toContain(click);

    // The resident's own page, from the "Gérer mon abonnement" link.
    const manage = /href="(http:\/\/crieur\.test\/lettre\/abonnement\/[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const own = await request(ctx.app).get(path(manage)).expect(200);
    expect(own.text).toContain(RESIDENT);
    expect(text).toContain(manage);
    manageUrl = manage;
    unsubscribeHeader = String(mail.headers.get('list-unsubscribe') ?? mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(html).toContain('Me désabonner');
  });

  it('sends an urgent alert at once to the resident, when an officer publishes an urgent article', async () => {
    const form = await editor.agent.get('/admin/articles/new').expect(200);
    expect(form.text).toContain('name="urgent"');
    const created = await editor.agent.post('/admin/articles').type('form').send({
      _csrf: editor.csrf,
      title: 'Coupure d’eau ce soir',
      summary: 'L’eau sera coupée de 20 h à minuit dans tout le bourg.',
      body: 'Une fuite sur la conduite principale doit être réparée.',
      urgent: '1',
      intent: 'publish',
    });
    expect(created.status).toBe(302);
    await job('dispatch-publications');
    // The alert starts at once, beside the dispatch (as in `npm start`, where it then wakes the send job).
    await ctx.c.campaigns.idle();
    await job('send-campaigns');
    const mail = await fromOutbox(admin, /Coupure d’eau ce soir/);
    expect(mail.text).toContain('L’eau sera coupée de 20 h à minuit');
    expect(mail.subject).toBe('Alerte : Coupure d’eau ce soir');
    // Inside, the kicker says "Alerte" once; the heading is the news itself.
    expect(mail.text).toContain('ALERTE – Coupure d’eau ce soir');
    expect(String(mail.html)).toMatch(/<h1[^>]*>\s*Coupure d’eau ce soir\s*<\/h1>/);
  });

  it('turns an article waiting for the digest into an alert sent at once, when an officer presses the alert button', async () => {
    const created = await editor.agent.post('/admin/articles').type('form').send({
      _csrf: editor.csrf,
      title: 'Tempête cette nuit',
      summary: 'Vents à 120 km/h : rentrez les objets de vos jardins.',
      body: 'Météo-France place le département en vigilance orange.',
      intent: 'publish',
    });
    expect(created.status).toBe(302);
    const id = Number(/\/admin\/articles\/(\d+)/.exec(created.headers.location as string)![1]);
    const panel = await editor.agent.get(`/admin/articles/${id}/channels`).expect(200);
    const rows = panel.text.split('<tr data-account="').slice(1);
    const letterAccount = /^(\d+)"/.exec(rows.find((r) => r.includes('Lettre d’information'))!)![1]!;
    const ticked = rows.filter((r) => /_enabled" checked\s*>/.test(r)).map((r) => /^(\d+)"/.exec(r)![1]!);
    const body: Record<string, string> = { _csrf: /name="_csrf" value="([^"]+)"/.exec(panel.text)![1]!, return_to: '' };
    for (const a of new Set([...ticked, letterAccount])) body[`channel_${a}_enabled`] = 'on';
    expect((await editor.agent.post(`/admin/articles/${id}/channels`).type('form').send(body)).status).toBe(302);
    await job('dispatch-publications');
    const letter = () => ctx.c.db('publications').where({ article_id: id, channel: 'newsletter' }).first('status', 'external_id');
    // Not urgent when written: it waits for Friday's digest.
    expect(await letter()).toMatchObject({ status: 'queued', external_id: null });
    const page = await admin.agent.get(`/admin/articles/${id}`).expect(200);
    expect(page.text).toContain(`action="/admin/articles/${id}/urgent"`);
    const pressed = await admin.agent.post(`/admin/articles/${id}/urgent`).type('form').send({ _csrf: admin.csrf });
    expect(pressed.status).toBe(302);
    await job('dispatch-publications');
    await ctx.c.campaigns.idle();
    await job('send-campaigns');
    const mail = await fromOutbox(admin, /Tempête cette nuit/);
    expect(mail.subject).toBe('Alerte : Tempête cette nuit');
    expect(mail.text).toContain('Vents à 120 km/h');
    // Reported delivered by its own campaign, so the next digest leaves it out.
    expect(await letter()).toMatchObject({ status: 'sent', external_id: expect.stringMatching(/^campaign-\d+$/) });
    // The site shows it as urgent too.
    expect((await ctx.c.articles.get(id))!.urgent).toBe(true);
  });

  it('unsubscribes in one click from the e-mail’s List-Unsubscribe address', async () => {
    const url = /<(http:\/\/crieur\.test\/[^>]+)>/.exec(unsubscribeHeader)![1]!;
    // A person opening it sees a button; nothing changes.
    const shown = await request(ctx.app).get(path(url)).expect(200);
    expect(shown.text).toMatch(/<button[^>]*>[^<]*désabonner/i);
    expect(await ctx.c.subscribers.isSubscribed((await ctx.c.db('subscribers').where({ email: RESIDENT }).first('id')).id)).toBe(true);
    // The mail software's one-click POST (RFC 8058).
    await request(ctx.app).post(path(url)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(await ctx.c.db('subscribers').where({ email: RESIDENT }).first()).toBeUndefined();
    expect(await ctx.c.subscribers.isSuppressed(RESIDENT)).toBe(true);
    // Their page link no longer works.
    expect((await request(ctx.app).get(path(manageUrl))).status).toBe(404);
  });
});
