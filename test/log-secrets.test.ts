import request from 'supertest';
import { createLogger } from '../server/logger';
import { scrubText, scrubUrl } from '../server/http/log-safety';
import { trackingToken } from '../server/newsletter/campaign-template';
import { StatsReportLinks } from '../server/stats/stats-report-links';
import { createTestContext, csrfFrom, loginAs, PASSWORD, makeUser, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { publishArticle } from './helpers/site-data';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';

/**
 * Logs are copied, shipped and kept for weeks. Everything Crieur logs during a login, an
 * invitation, a password reset and a reader's visit through proxies is captured here and searched
 * for what must never be in it.
 */
const READER_IP = '203.0.113.77';
const PROXY_HEADERS = {
  'X-Forwarded-For': READER_IP,
  'CF-Connecting-IP': READER_IP,
  'True-Client-IP': READER_IP,
  'X-Client-IP': READER_IP,
  'X-Real-IP': READER_IP,
  'Fastly-Client-IP': READER_IP,
  Forwarded: `for=${READER_IP}`,
};

const WEBHOOK_SECRET = 'Webhook-Secret-Of-The-Commune-4821';

function linkIn(text: string): string {
  const m = /http:\/\/crieur\.test(\/admin\/password\/[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no password link in:\n${text}`);
  return m[1];
}

function cookieValue(setCookie: string[] | string | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = all.find((c) => c.startsWith('crieur.sid='));
  if (!line) throw new Error('no session cookie');
  return decodeURIComponent(line.slice('crieur.sid='.length).split(';')[0]!);
}

describe('what the logs hold', () => {
  let smtp: SmtpPeer;
  let ctx: TestContext;
  const lines: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
    ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>', NEWSLETTER_WEBHOOK_SECRET: WEBHOOK_SECRET }, { log });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  it('has no session id, token, signed link, full address or hash after a login, an invitation, a reset and a visit through proxies', async () => {
    const admin = await makeUser(ctx.c, 'admin', { email: 'admin@commune.test' });
    const article = await publishArticle(ctx.c, { title: 'Fête du village' });
    const secrets: string[] = [READER_IP];

    // A login through a proxy: the new session's cookie, signed and unsigned.
    const agent = request.agent(ctx.app);
    const page = await agent.get('/admin/login').set(PROXY_HEADERS);
    const login = await agent
      .post('/admin/login')
      .set(PROXY_HEADERS)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: admin.email, password: PASSWORD });
    expect(login.status).toBe(302);
    const signed = cookieValue(login.headers['set-cookie']);
    secrets.push(signed, signed.slice(2).split('.')[0]!);
    const home = await agent.get('/admin').set(PROXY_HEADERS);
    const csrf = csrfFrom(home.text);
    secrets.push(csrf);

    // An invitation, and its link opened.
    await agent
      .post('/admin/users/invite')
      .set(PROXY_HEADERS)
      .type('form')
      .send({ _csrf: csrf, displayName: 'Marie Dupont', email: 'marie@commune.test', role: 'editor' })
      .expect(302);
    const invitation = linkIn((await smtp.waitFor((m) => m.rcptTo.includes('marie@commune.test'))).text);
    secrets.push(invitation, invitation.split('/').pop()!);
    const marie = request.agent(ctx.app);
    await marie.get(invitation).set(PROXY_HEADERS).expect(200);

    // A reset requested, its link opened and used (the referer of that POST is the link itself).
    const forgot = await request(ctx.app).get('/admin/forgot');
    const visitor = request.agent(ctx.app);
    const forgotPage = await visitor.get('/admin/forgot').set(PROXY_HEADERS);
    expect(forgot.status).toBe(200);
    await visitor
      .post('/admin/forgot')
      .set(PROXY_HEADERS)
      .type('form')
      .send({ _csrf: csrfFrom(forgotPage.text), email: admin.email })
      .expect(200);
    const reset = linkIn((await smtp.waitFor((m) => m.rcptTo.includes(admin.email) && m.text.includes('/admin/password/'))).text);
    secrets.push(reset, reset.split('/').pop()!);
    const form = await visitor.get(reset).set(PROXY_HEADERS);
    const strong = 'Lune-Verte-Sur-Le-Toit-42!';
    await visitor
      .post(reset)
      .set({ ...PROXY_HEADERS, Referer: `http://crieur.test${reset}` })
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: strong, confirm: strong });

    // A resident reading the site through a CDN.
    await request(ctx.app)
      .get(`/actualites/${article.slug}?ref=newsletter`)
      .set({ ...PROXY_HEADERS, 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' })
      .expect(200);
    await request(ctx.app).get('/').set(PROXY_HEADERS).expect(200);

    const hashes = (await ctx.c.db('users').select('password_hash')).map((r) => r.password_hash as string | null).filter((h): h is string => !!h);
    secrets.push(...hashes);

    await ctx.c.audience.flush();
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    // The log is there and useful: requests with their status and the reader's network only.
    expect(text).toContain('"statusCode":200');
    expect(text).toContain('203.0.0.0');
    for (const s of secrets) expect({ secret: s.slice(0, 12), found: text.includes(s) }).toEqual({ secret: s.slice(0, 12), found: false });
    expect(text).not.toMatch(/\$argon2id\$/);
    expect(text).not.toMatch(/set-cookie/i);
    expect(text).not.toMatch(/crieur\.sid/);
  });

  it('has no token of the links added since: a subscriber’s, the monthly report’s, a preview, an OAuth return, a click, a webhook', async () => {
    const from = lines.length;
    const secrets: string[] = [READER_IP];
    const via = (extra: Record<string, string> = {}) => ({ ...PROXY_HEADERS, ...extra });

    // A subscriber's signed links, each opened and used as mail software or the resident would;
    // the Referer of each POST is the page's own signed address.
    const [subscriber] = await ctx.c
      .db('subscribers')
      .insert({ email: 'lecteur@exemple.fr', status: 'confirmed', source: 'form', created_at: ctx.clock.now().toISOString() })
      .returning('id');
    const sid = Number(typeof subscriber === 'object' ? subscriber.id : subscriber);
    const links = ctx.c.subscriberLinks;
    const paths = [links.confirmUrl(sid), links.manageUrl(sid), links.reconsentUrl(sid), links.unsubscribeUrl(sid)].map((u) => new URL(u).pathname);
    const [confirm, manage, reconsent, unsubscribe] = paths as [string, string, string, string];
    for (const p of paths) secrets.push(p.split('/').pop()!);
    const referer = (p: string) => via({ Referer: `http://crieur.test${p}` });
    for (const p of [confirm, reconsent, manage, `${manage}/donnees`, `${manage}/supprimer`]) await request(ctx.app).get(p).set(via()).expect(200);
    await request(ctx.app).post(`${manage}/suivi`).set(referer(manage)).type('form').send({ tracking: 'non' });
    await request(ctx.app).post(manage).set(referer(manage)).type('form').send({ topics: [] });
    await request(ctx.app).post(reconsent).set(referer(reconsent)).type('form').send({});
    await request(ctx.app).get(unsubscribe).set(via());
    // The address as some mail software rewrites it: routes ignore case, the log must too.
    await request(ctx.app)
      .get(`/LETTRE/DESABONNER/${unsubscribe.split('/').pop()!}`)
      .set(via())
      .expect(200);
    await request(ctx.app).post(unsubscribe).set(via()).field('List-Unsubscribe', 'One-Click');

    // The monthly report's opt-out link, opened then used.
    const elected = await makeUser(ctx.c, 'elected');
    const optOut = new URL(new StatsReportLinks(ctx.c.secretKey, ctx.config.baseUrl, ctx.clock).optOutUrl(elected.id)).pathname;
    secrets.push(optOut.split('/').pop()!);
    await request(ctx.app).get(optOut).set(via()).expect(200);
    await request(ctx.app).post(optOut).set(referer(optOut)).type('form').send({}).expect(200);

    // An article's private preview link, made by an editor and opened by anyone.
    const { agent: editor, csrf } = await loginAs(ctx, 'editor');
    const draft = await makeArticle(ctx.c, { status: 'draft', title: 'Marché couvert' });
    const made = await editor.post(`/admin/articles/${draft}/previews`).set(via()).type('form').send({ _csrf: csrf, audience: 'anyone' });
    const preview = new URL(/id="preview-url" type="text" value="([^"]+)"/.exec(made.text)![1]!).pathname;
    secrets.push(preview.split('/').pop()!);
    await request(ctx.app).get(preview).set(via()).expect(200);

    // A network's OAuth return, in a session and without one (then through the login page's next).
    const code = 'Oauth-Code-7f3kQ9zX2pL8mN4v';
    const state = 'Oauth-State-Hb5Tq1Yw6Rj0Cs3u';
    secrets.push(code, state);
    const callback = `/admin/networks/oauth/callback?code=${code}&state=${state}`;
    const admin = await loginAs(ctx, 'admin');
    await admin.agent.get(callback).set(via());
    const anonymous = await request(ctx.app).get(callback).set(via()).redirects(0);
    await request(ctx.app).get(String(anonymous.headers.location)).set(via());

    // A resident's click and open in a letter, with a personal tracking token (its format is what matters here).
    const tracking = trackingToken(ctx.c.secretKey, 1, sid);
    secrets.push(tracking);
    await request(ctx.app).get(`/l/1/1?t=${tracking}`).set(via());
    await request(ctx.app).get(`/o/1.gif?t=${tracking}`).set(via());

    // A sending service's webhook, with its secret in the Authorization header.
    const auth = Buffer.from(`brevo:${WEBHOOK_SECRET}`).toString('base64');
    secrets.push(WEBHOOK_SECRET, auth);
    await request(ctx.app)
      .post('/webhooks/newsletter/brevo')
      .set(via({ Authorization: `Basic ${auth}` }))
      .send([]);
    await request(ctx.app)
      .post('/webhooks/newsletter/mailjet')
      .set(via({ Authorization: `Bearer ${WEBHOOK_SECRET}` }))
      .send([]);

    await ctx.c.audience.flush();
    const text = lines.slice(from).join('');
    // The requests are there, with their token hidden.
    for (const shown of [
      '/lettre/confirmer/[hidden]',
      '/lettre/abonnement/[hidden]/suivi',
      '/lettre/reconfirmer/[hidden]',
      '/lettre/desabonner/[hidden]',
      '/rapport-mensuel/ne-plus-recevoir/[hidden]',
      '/admin/preview/[hidden]',
      'code=[hidden]&state=[hidden]',
      '/webhooks/newsletter/brevo',
    ])
      expect(text).toContain(shown);
    for (const s of secrets) expect({ secret: s.slice(0, 12), found: text.includes(s) }).toEqual({ secret: s.slice(0, 12), found: false });
    expect(text).not.toMatch(/set-cookie|crieur\.sid|authorization|referer/i);
  });

  it('keeps slugs and ids readable while hiding tokens and secret parameters', () => {
    expect(scrubUrl('/actualites/fete-de-la-musique-2026?ref=rss&page=2')).toBe('/actualites/fete-de-la-musique-2026?ref=rss&page=2');
    expect(scrubUrl('/admin/articles/42/versions/3')).toBe('/admin/articles/42/versions/3');
    expect(scrubUrl('/admin/password/not-a-token')).toBe('/admin/password/[hidden]');
    expect(scrubUrl('/admin/preview/not-a-token')).toBe('/admin/preview/[hidden]');
    expect(scrubUrl('/Admin/Password/not-a-token')).toBe('/Admin/Password/[hidden]');
    expect(scrubUrl('/LETTRE/DESABONNER/1a.not-a-token')).toBe('/LETTRE/DESABONNER/[hidden]');
    expect(scrubUrl('/lettre/confirmer/Zx9_kQ2mPw8LrT5vN1bY3cA7dE0fG4hJ6iK')).toBe('/lettre/confirmer/[hidden]');
    expect(scrubUrl('/x?token=abc&sig=def&q=mairie')).toBe('/x?token=[hidden]&sig=[hidden]&q=mairie');
    // The login page's `next` carries the page asked for, with its own code and state.
    const login = scrubUrl(`/admin/login?next=${encodeURIComponent('/admin/networks/oauth/callback?code=abc123&state=xyz')}`);
    expect(login).not.toContain('abc123');
    expect(login).not.toContain('xyz');
    expect(decodeURIComponent(login)).toContain('/admin/networks/oauth/callback?code=[hidden]&state=[hidden]');
    expect(scrubText('refused: https://net.example/api?access_token=s3cr3t&x=1')).toBe('refused: https://net.example/api?access_token=[hidden]&x=1');
  });

  it('cuts a password hash out of a start-up error', async () => {
    const hash = (await ctx.c.db('users').whereNotNull('password_hash').first()).password_hash as string;
    // A unique-constraint failure on the first administrator, as two instances racing used to cause.
    const err = await ctx.c
      .db('users')
      .insert({
        email: 'admin@commune.test',
        display_name: 'Doublon',
        role: 'admin',
        password_hash: hash,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      })
      .catch((e: Error) => e);
    expect(err).toHaveProperty('stack');
    const printed = scrubText((err as Error).stack ?? '');
    expect(printed).not.toContain(hash);
    expect(printed).not.toContain('admin@commune.test');
  });
});
