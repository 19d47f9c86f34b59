import { simpleParser, type ParsedMail } from 'mailparser';
import request from 'supertest';
import { createTestContext, type TestContext } from './helpers/context';
import { captureLog, type LogLine } from './helpers/log-capture';
import { publishArticle } from './helpers/site-data';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';
import { CURRENT_SUBSCRIBE_WORDING } from '../server/newsletter/consent';
import { scrubUrl } from '../server/http/log-safety';
import { plainSpaces } from './helpers/typography';

/**
 * A resident's whole path, followed from the e-mails a real SMTP server receives: subscribe,
 * confirm, change topics, opt in to tracking, download the data, unsubscribe; and what a
 * hostile or curious visitor gets (same answer for every address, honeypot, rate limit,
 * oversized and injected fields, forged and expired links): a clear 4xx and nothing written.
 */
let smtp: SmtpPeer;
let ctx: TestContext;
let lines: LogLine[];
let topics: number[];
let ipCounter = 0;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  const capture = captureLog('trace');
  lines = capture.lines;
  ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' }, { log: capture.log });
  topics = (await ctx.c.db('categories').orderBy('position').select('id')).map((r: { id: number }) => Number(r.id));
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** Each call comes from its own /24, so that the rate limit stays out of tests that are not about it. */
function freshIp(): string {
  ipCounter++;
  return `198.51.${ipCounter}.10`;
}

function subscribe(fields: Record<string, unknown>, ip = freshIp()) {
  return request(ctx.app)
    .post('/lettre')
    .set('X-Forwarded-For', ip)
    .type('form')
    .send({ consent: 'oui', wording: CURRENT_SUBSCRIBE_WORDING, website: '', ...fields });
}

async function mailTo(address: string, subject: RegExp, after = 0): Promise<ParsedMail> {
  await ctx.c.outbox.idle();
  const m = await smtp.waitFor((x) => x.rcptTo.includes(address) && subject.test(x.subject) && smtp.messages.indexOf(x) >= after, 5000);
  return simpleParser(m.raw);
}

function linkIn(mail: ParsedMail, path: string): string {
  const text = mail.text ?? '';
  const m = new RegExp(`http://crieur\\.test(${path}[^\\s<>"]+)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${path} link in:\n${text}`);
  // The HTML part carries the same link.
  expect(String(mail.html)).toContain(m[1].replace(/&/g, '&amp;'));
  return m[1];
}

async function rowsOf(email: string) {
  const s = await ctx.c.db('subscribers').where({ email }).first();
  if (!s) return { s: undefined, topics: [], consents: [] };
  const t = (await ctx.c.db('subscriber_topics').where({ subscriber_id: s.id }).orderBy('category_id')).map((r: { category_id: number }) =>
    Number(r.category_id),
  );
  const consents = await ctx.c.db('subscriber_consents').where({ subscriber_id: s.id }).orderBy('id');
  return { s, topics: t, consents };
}

async function tableCounts(): Promise<string> {
  const out: number[] = [];
  for (const t of ['subscribers', 'subscriber_topics', 'subscriber_consents', 'newsletter_suppressions', 'outbox']) {
    const r = await ctx.c.db(t).count({ n: '*' }).first();
    out.push(Number(r?.n));
  }
  return out.join(',');
}

describe('the subscription form', () => {
  it('is on /lettre, on the home page and under every article: topics all ticked, consent unticked, a honeypot, the wording version', async () => {
    await publishArticle(ctx.c, { title: 'Travaux rue des Écoles' });
    const article = await ctx.c.db('articles').first('slug');
    for (const path of ['/lettre', '/', `/actualites/${article.slug}`]) {
      const res = await request(ctx.handler).get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('action="/lettre"');
      for (const id of topics) expect(res.text).toMatch(new RegExp(`name="topics" value="${id}" checked`));
      expect(res.text).toMatch(/name="consent" value="oui" required>/);
      expect(res.text).toContain(`name="wording" value="${CURRENT_SUBSCRIBE_WORDING}"`);
      expect(res.text).toContain('name="website"');
      expect(res.text).not.toContain('_csrf');
    }
    // The home page is served from the page cache the second time, form included, even when the
    // request that filled the cache was a HEAD.
    ctx.c.siteCache.clear();
    expect((await request(ctx.handler).head('/')).status).toBe(200);
    expect((await request(ctx.handler).get('/')).text).toContain('action="/lettre"');
  });
});

describe('a resident, from the e-mails they receive', () => {
  it('subscribes, confirms with a button, changes topics, opts in to tracking, downloads their data and unsubscribes in one click', async () => {
    const email = 'marie.curie@exemple.fr';
    const res = await subscribe({ email: 'Marie.Curie@Exemple.fr', topics: [String(topics[0]), String(topics[2])] });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/lettre/demande-envoyee');
    expect((await request(ctx.app).get('/lettre/demande-envoyee')).text).toContain('Vérifiez votre boîte');

    let row = await rowsOf(email);
    expect(row.s.status).toBe('pending');
    expect(row.topics).toEqual([topics[0], topics[2]]);
    expect(row.consents).toMatchObject([{ kind: 'subscribe', source: 'form', wording_version: CURRENT_SUBSCRIBE_WORDING }]);

    const confirmation = await mailTo(email, /Confirmez votre inscription/);
    expect(confirmation.html).toMatch(/<html lang="fr">/);
    const confirmLink = linkIn(confirmation, '/lettre/confirmer/');

    // Opening the link (a mail scanner does) changes nothing.
    const page = await request(ctx.app).get(confirmLink);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toMatch(/<form method="post" action="\/lettre\/confirmer\//);
    expect((await rowsOf(email)).s.status).toBe('pending');

    const confirmed = await request(ctx.app).post(confirmLink).type('form').send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Inscription confirmée');
    row = await rowsOf(email);
    expect(row.s.status).toBe('confirmed');
    expect(row.s.confirmed_at).toBeTruthy();
    expect(row.consents.map((c: { kind: string }) => c.kind)).toEqual(['subscribe', 'confirm']);
    expect((await ctx.c.subscribers.audience('digest')).map((r) => r.email)).toContain(email);

    // Asking again for a confirmed address changes nothing; its owner gets their page's link.
    const countBefore = smtp.messages.length;
    expect((await subscribe({ email, topics: [String(topics[1])] })).status).toBe(303);
    expect((await rowsOf(email)).topics).toEqual([topics[0], topics[2]]);
    const reminder = await mailTo(email, /déjà abonné/, countBefore);
    const manageLink = linkIn(reminder, '/lettre/abonnement/');

    const manage = await request(ctx.app).get(manageLink);
    expect(manage.status).toBe(200);
    expect(manage.text).toContain(email);
    ctx.clock.advance(3600_000);
    const changed = await request(ctx.app).post(manageLink).type('form').send(`topics=${topics[1]}&topics=${topics[3]}&alertsOnly=oui`);
    expect(changed.status).toBe(303);
    row = await rowsOf(email);
    expect(row.topics).toEqual([topics[1], topics[3]]);
    expect(row.s.alerts_only === true || row.s.alerts_only === 1).toBe(true);
    expect(new Date(row.s.last_activity_at).toISOString()).toBe(ctx.clock.now().toISOString());
    expect((await ctx.c.subscribers.audience('digest')).map((r) => r.email)).not.toContain(email);
    expect((await ctx.c.subscribers.audience('alert')).map((r) => r.email)).toContain(email);

    // Per-person tracking is off until asked for, with its own proof.
    expect(row.s.tracking === false || row.s.tracking === 0).toBe(true);
    expect((await request(ctx.app).post(`${manageLink}/suivi`).type('form').send({ tracking: 'oui' })).status).toBe(303);
    row = await rowsOf(email);
    expect(row.s.tracking === true || row.s.tracking === 1).toBe(true);
    expect(row.consents.at(-1)).toMatchObject({ kind: 'tracking-on', source: 'link' });

    const data = await request(ctx.app).get(`${manageLink}/donnees`);
    expect(data.status).toBe(200);
    expect(data.headers['content-disposition']).toContain('attachment');
    const json = JSON.parse(data.text) as Record<string, unknown> & { consents: { kind: string; wording: string | null }[] };
    expect(json).toMatchObject({ email, status: 'confirmed', alertsOnly: true, tracking: true, source: 'form' });
    expect(json.consents.map((c) => c.kind)).toEqual(['subscribe', 'confirm', 'tracking-on']);
    expect(json.consents[0]!.wording).toMatch(/^J’accepte de recevoir/);

    // The unsubscribe link of the page: GET shows a button, the POST (RFC 8058, no session, no token) unsubscribes.
    const unsubscribeHref = /href="(\/lettre\/desabonner\/[^"]+)"/.exec(manage.text)?.[1];
    expect(unsubscribeHref).toBeTruthy();
    const unsubPage = await request(ctx.app).get(unsubscribeHref!);
    expect(unsubPage.status).toBe(200);
    expect(unsubPage.text).toContain('Me désabonner');
    expect((await rowsOf(email)).s).toBeTruthy();
    const oneClick = await request(ctx.app).post(unsubscribeHref!).type('form').send('List-Unsubscribe=One-Click');
    expect(oneClick.status).toBe(200);
    expect(await rowsOf(email)).toEqual({ s: undefined, topics: [], consents: [] });
    expect(await ctx.c.subscribers.isSuppressed(email)).toBe(true);
    const suppressions = await ctx.c.db('newsletter_suppressions').select('*');
    expect(JSON.stringify(suppressions)).not.toContain('curie');
    // Posted again by mail software, as a multipart form this time (RFC 8058 allows both): still fine.
    const multipart = await request(ctx.app).post(unsubscribeHref!).field('List-Unsubscribe', 'One-Click');
    expect(multipart.status).toBe(200);
    // The page's link no longer opens anything.
    expect((await request(ctx.app).post(unsubscribeHref!).send('List-Unsubscribe=One-Click')).status).toBe(200);
    expect((await request(ctx.app).get(manageLink)).status).toBe(404);

    // No token of any of these links reached the logs, which did record the requests.
    const logged = JSON.stringify(lines);
    for (const link of [confirmLink, manageLink, unsubscribeHref!]) {
      expect(logged).not.toContain(link.split('/').pop()!);
      expect(logged).toContain(scrubUrl(link));
    }
    expect(scrubUrl(manageLink)).toBe('/lettre/abonnement/[hidden]');
  });

  it('deletes everything but a hash when the resident asks, after a confirmation page', async () => {
    const email = 'effacer@exemple.fr';
    await subscribe({ email, topics: String(topics[0]) });
    await request(ctx.app).post(linkIn(await mailTo(email, /Confirmez/), '/lettre/confirmer/'));
    const before = smtp.messages.length;
    await subscribe({ email, topics: String(topics[0]) });
    const manageLink = linkIn(await mailTo(email, /déjà abonné/, before), '/lettre/abonnement/');
    const ask = await request(ctx.app).get(`${manageLink}/supprimer`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Supprimer définitivement mes données');
    expect((await rowsOf(email)).s).toBeTruthy();
    const heard: number[] = [];
    ctx.c.subscribers.events.on('erased', (e) => heard.push(e.subscriberId));
    const id = (await rowsOf(email)).s.id as number;
    expect((await request(ctx.app).post(`${manageLink}/supprimer`)).status).toBe(200);
    expect((await rowsOf(email)).s).toBeUndefined();
    expect(heard).toEqual([id]);
    const entry = await ctx.c.db('newsletter_suppressions').where({ reason: 'erased' }).first();
    expect(entry.email_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('what a visitor can learn or break', () => {
  it('answers the same page whether the address is unknown, pending, confirmed or suppressed', async () => {
    await subscribe({ email: 'pending@exemple.fr', topics: String(topics[0]) });
    await subscribe({ email: 'confirmed@exemple.fr', topics: String(topics[0]) });
    await request(ctx.app).post(linkIn(await mailTo('confirmed@exemple.fr', /Confirmez/), '/lettre/confirmer/'));
    await ctx.c.subscribers.suppress('bounced@exemple.fr', 'bounced', ctx.clock.now());
    await ctx.c.subscribers.suppress('complained@exemple.fr', 'complaint', ctx.clock.now());

    const answers = [];
    for (const email of ['unknown@exemple.fr', 'pending@exemple.fr', 'confirmed@exemple.fr', 'bounced@exemple.fr', 'complained@exemple.fr']) {
      const res = await subscribe({ email, topics: String(topics[0]) });
      answers.push({ status: res.status, location: res.headers.location, body: res.text, cookie: res.headers['set-cookie'] });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ status: 303, location: '/lettre/demande-envoyee', cookie: undefined });
    // The mailbox of a bounced or complaining address gets nothing, and no row was written for them.
    await ctx.c.outbox.idle();
    expect(smtp.messages.filter((m) => m.rcptTo.includes('bounced@exemple.fr') || m.rcptTo.includes('complained@exemple.fr'))).toEqual([]);
    expect((await rowsOf('bounced@exemple.fr')).s).toBeUndefined();
  });

  it('lets an unsubscribed person subscribe again: the hash is lifted only when they confirm', async () => {
    const email = 'revient@exemple.fr';
    await ctx.c.subscribers.suppress(email, 'unsubscribed', ctx.clock.now());
    await subscribe({ email, topics: String(topics[0]) });
    const link = linkIn(await mailTo(email, /Confirmez/), '/lettre/confirmer/');
    expect(await ctx.c.subscribers.isSuppressed(email)).toBe(true);
    await request(ctx.app).post(link);
    expect(await ctx.c.subscribers.isSuppressed(email)).toBe(false);
    expect((await rowsOf(email)).s.status).toBe('confirmed');
  });

  it('writes nothing and sends nothing when the honeypot is filled, and answers as usual', async () => {
    const before = await tableCounts();
    const res = await subscribe({ email: 'robot@exemple.fr', topics: String(topics[0]), website: 'http://spam.example' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/lettre/demande-envoyee');
    await ctx.c.outbox.idle();
    expect(await tableCounts()).toBe(before);
    expect(smtp.messages.some((m) => m.rcptTo.includes('robot@exemple.fr'))).toBe(false);
  });

  it('limits requests per network (/24): the 11th in an hour is refused with 429, a neighbour network is not', async () => {
    for (let i = 0; i < 10; i++)
      expect((await subscribe({ email: `voisin${i}@exemple.fr`, topics: String(topics[0]) }, `203.0.113.${i + 1}`)).status).toBe(303);
    const refused = await subscribe({ email: 'voisin-de-trop@exemple.fr', topics: String(topics[0]) }, '203.0.113.200');
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Trop de demandes d’inscription depuis votre réseau');
    expect((await rowsOf('voisin-de-trop@exemple.fr')).s).toBeUndefined();
    expect((await subscribe({ email: 'ailleurs@exemple.fr', topics: String(topics[0]) }, '203.0.114.1')).status).toBe(303);
    ctx.clock.advance(3601_000);
    expect((await subscribe({ email: 'plus-tard@exemple.fr', topics: String(topics[0]) }, '203.0.113.200')).status).toBe(303);
  });

  it('sends an address three e-mails a day at most, whoever asks and from wherever, with the same answer', async () => {
    const email = 'harcelee@exemple.fr';
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await subscribe({ email, topics: String(topics[0]) })).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303]);
    await ctx.c.outbox.idle();
    expect(smtp.messages.filter((m) => m.rcptTo.includes(email))).toHaveLength(3);
    ctx.clock.advance(86_400_000 + 1000);
    await subscribe({ email, topics: String(topics[0]) });
    await mailTo(email, /Confirmez/, smtp.messages.length);
  });

  it('writes one subscriber when the same new address is sent twice at the same moment', async () => {
    const email = 'double-clic@exemple.fr';
    const answers = await Promise.all([subscribe({ email, topics: String(topics[0]) }), subscribe({ email, topics: String(topics[0]) })]);
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    expect(Number((await ctx.c.db('subscribers').where({ email }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('refuses a form without consent, without any topic, or with an unknown topic, saying why', async () => {
    const before = await tableCounts();
    const noConsent = await subscribe({ email: 'a@exemple.fr', topics: String(topics[0]), consent: undefined });
    expect(noConsent.status).toBe(400);
    expect(noConsent.text).toContain('Cochez la case pour accepter de recevoir la lettre.');
    expect(noConsent.text).toContain('value="a@exemple.fr"');
    const noTopic = await subscribe({ email: 'a@exemple.fr' });
    expect(noTopic.status).toBe(400);
    expect(plainSpaces(noTopic.text)).toContain('Choisissez au moins une rubrique, ou « alertes uniquement ».');
    expect((await subscribe({ email: 'a@exemple.fr', topics: '999999' })).status).toBe(400);
    expect((await subscribe({ email: 'a@exemple.fr', topics: String(topics[0]), wording: 'inventée' })).status).toBe(400);
    expect(await tableCounts()).toBe(before);
  });

  it('refuses 10,000 addresses in the form, as one field or as 10,000 fields, with a 4xx and nothing written', async () => {
    const before = await tableCounts();
    const many = Array.from({ length: 10_000 }, (_, i) => `p${i}@exemple.fr`);
    const oneField = await subscribe({ email: many.join(','), topics: String(topics[0]) });
    expect(oneField.status).toBe(400);
    expect(oneField.text).toContain('Cette adresse e-mail est trop longue.');
    const manyFields = await request(ctx.app)
      .post('/lettre')
      .set('X-Forwarded-For', freshIp())
      .type('form')
      .send(`consent=oui&wording=${CURRENT_SUBSCRIBE_WORDING}&${many.map((e) => `email=${encodeURIComponent(e)}`).join('&')}`);
    expect(manyFields.status).toBeGreaterThanOrEqual(400);
    expect(manyFields.status).toBeLessThan(500);
    const asJson = await request(ctx.app)
      .post('/lettre')
      .set('X-Forwarded-For', freshIp())
      .send({ email: many.slice(0, 400), consent: 'oui', wording: CURRENT_SUBSCRIBE_WORDING });
    expect(asJson.status).toBe(400);
    await ctx.c.outbox.idle();
    expect(await tableCounts()).toBe(before);
  });

  it('refuses line breaks in a field (header injection) and a POST from another site', async () => {
    const before = await tableCounts();
    const injected = await subscribe({ email: 'victime@exemple.fr\r\nBcc: tous@exemple.fr', topics: String(topics[0]) });
    expect(injected.status).toBe(400);
    expect(injected.text).toContain('Cette adresse e-mail n’est pas valide.');
    expect((await subscribe({ email: 'victime@exemple.fr', topics: String(topics[0]), wording: `${CURRENT_SUBSCRIBE_WORDING}\r\nX-Injected: 1` })).status).toBe(
      400,
    );
    const crossSite = await subscribe({ email: 'victime@exemple.fr', topics: String(topics[0]) }).set('Origin', 'https://pirate.example');
    expect(crossSite.status).toBe(403);
    const fetchMeta = await subscribe({ email: 'victime@exemple.fr', topics: String(topics[0]) }).set('Sec-Fetch-Site', 'cross-site');
    expect(fetchMeta.status).toBe(403);
    await ctx.c.outbox.idle();
    expect(await tableCounts()).toBe(before);
    expect(smtp.messages.some((m) => m.rcptTo.some((r) => r.includes('tous@') || r.includes('victime@')))).toBe(false);
  });

  it('answers 404 and writes nothing for a forged, altered, misused or expired link', async () => {
    const email = 'liens@exemple.fr';
    await subscribe({ email, topics: String(topics[0]) });
    const confirmLink = linkIn(await mailTo(email, /Confirmez/), '/lettre/confirmer/');
    const { s } = await rowsOf(email);
    const token = confirmLink.split('/').pop()!;
    const before = await tableCounts();
    const forged = [
      `/lettre/confirmer/${token.slice(0, -2)}xx`,
      `/lettre/confirmer/${(s.id + 1).toString(36)}.${token.split('.').slice(1).join('.')}`,
      '/lettre/confirmer/..%2F..%2Fadmin',
      `/lettre/confirmer/${'a'.repeat(5000)}`,
      `/lettre/abonnement/${token}`,
      `/lettre/desabonner/${token}`,
      `/lettre/reconfirmer/${token}`,
    ];
    for (const path of forged) {
      expect([path, (await request(ctx.app).get(path)).status]).toEqual([path, 404]);
      const post = await request(ctx.app).post(path).type('form').send('List-Unsubscribe=One-Click');
      expect([path, post.status]).toEqual([path, 404]);
      expect(post.text).toContain('Ce lien n’est pas valable');
    }
    // A manage link of this subscriber used as an unsubscribe link.
    const manage = ctx.c.subscriberLinks.manageUrl(s.id).replace('http://crieur.test', '');
    expect((await request(ctx.app).post(manage.replace('/abonnement/', '/desabonner/'))).status).toBe(404);
    expect(await tableCounts()).toBe(before);
    expect((await rowsOf(email)).s.status).toBe('pending');

    // Eight days later the confirmation link has expired (and the request is purged by its job).
    ctx.clock.advance(8 * 86_400_000);
    expect((await request(ctx.app).get(confirmLink)).status).toBe(404);
    expect((await request(ctx.app).post(confirmLink)).status).toBe(404);
    expect((await rowsOf(email)).s.status).toBe('pending');
  });
});
