import request from 'supertest';
import { findJob } from '../jobs';
import { createLogger } from '../server/logger';
import { REPORT_OPTOUT_LIFETIME_S } from '../server/stats/stats-report-links';
import { createTestContext, csrfFrom, makeUser, PASSWORD, type TestContext } from './helpers/context';
import { visibleText } from './helpers/engagement-events';
import { startSmtpPeer, type ReceivedMail, type SmtpPeer } from './helpers/smtp';
import { plainSpaces } from './helpers/typography';

// The monthly report's e-mail carries a signed link that stops it without logging in: GET shows
// a button, the button (or mail software's one-click POST) stops it; « Mon compte » turns it back on.

let ctx: TestContext;
let smtp: SmtpPeer;
const lines: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpPeer();
  const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
  ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' }, { log });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** Runs the monthly job at 00:15 (Paris) on the 1st of `month` and returns what `email` received. */
async function reportFor(month: string, email: string): Promise<ReceivedMail | null> {
  const before = smtp.messages.length;
  ctx.clock.set(new Date(`${month}-01T00:15:00+02:00`));
  await ctx.c.jobRunner.run(findJob('stats-monthly-report')!, 'manual');
  await ctx.c.outbox.idle();
  await ctx.c.outbox.deliverDue();
  await new Promise((r) => setTimeout(r, 50));
  return smtp.messages.slice(before).find((m) => m.rcptTo.includes(email)) ?? null;
}

function optOutPath(mail: ReceivedMail): string {
  const m = /http:\/\/crieur\.test(\/rapport-mensuel\/ne-plus-recevoir\/[A-Za-z0-9._-]+)/.exec(mail.text);
  if (!m?.[1]) throw new Error(`no opt-out link in:\n${mail.text}`);
  return m[1];
}

const optedOut = async (id: number) => Boolean(await ctx.c.db('stats_report_optouts').where('user_id', id).first());

describe('the monthly report’s opt-out link', () => {
  it('stops the report in one click without logging in, after a page that changes nothing; « Mon compte » turns it back on', async () => {
    const paul = await makeUser(ctx.c, 'elected', { email: 'paul.maire@commune.test' });
    const mail = (await reportFor('2026-04', paul.email))!;
    expect(mail).not.toBeNull();
    const path = optOutPath(mail);
    const token = path.split('/').pop()!;
    expect(plainSpaces(mail.text)).toContain('Vous ne souhaitez plus recevoir ce rapport ? Arrêtez-le depuis ce lien, sans vous connecter :');
    expect(mail.html).toContain(`href="http://crieur.test${path}"`);
    // Mail software's own button (RFC 8058): the same link, POSTed.
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
    expect(headers).toContain(`List-Unsubscribe: <http://crieur.test${path}>`);
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

    // Opening the link (or a scanner prefetching it) changes nothing.
    const page = await request(ctx.app).get(path);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(plainSpaces(visibleText(page.text))).toContain('Ne plus recevoir le rapport mensuel');
    expect(page.text).toContain(`<form method="post" action="${path}">`);
    expect(await optedOut(paul.id)).toBe(false);

    // The button: no session, no CSRF token; the signed link is the proof.
    const done = await request(ctx.app).post(path).type('form').send({});
    expect(done.status).toBe(200);
    expect(plainSpaces(visibleText(done.text))).toContain('Vous ne recevrez plus le rapport mensuel');
    expect(done.text).toContain('href="/admin/stats/rapport-par-email"');
    expect(await optedOut(paul.id)).toBe(true);
    expect(plainSpaces(visibleText((await request(ctx.app).get(path)).text))).toContain('Vous ne recevrez plus le rapport mensuel');
    expect(await reportFor('2026-05', paul.email)).toBeNull();

    // Back on, from « Mon compte » once logged in.
    const agent = request.agent(ctx.app);
    const login = await agent.get('/admin/login');
    await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: paul.email, password: PASSWORD })
      .expect(302);
    expect((await agent.get('/admin/account')).text).toContain('href="/admin/stats/rapport-par-email"');
    const prefs = await agent.get('/admin/stats/rapport-par-email');
    expect(visibleText(prefs.text)).toContain('Vous ne recevez pas ce rapport.');
    await agent
      .post('/admin/stats/rapport-par-email')
      .type('form')
      .send({ _csrf: csrfFrom(prefs.text), recevoir: 'oui' })
      .expect(303);
    expect(await optedOut(paul.id)).toBe(false);
    expect(await reportFor('2026-06', paul.email)).not.toBeNull();

    // Nothing Crieur logged holds the link's token.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token);
    expect(lines.some((l) => l.includes('/rapport-mensuel/ne-plus-recevoir/[hidden]'))).toBe(true);
  });

  it('takes mail software’s one-click POST', async () => {
    const lea = await makeUser(ctx.c, 'elected', { email: 'lea.adjointe@commune.test' });
    const mail = (await reportFor('2026-07', lea.email))!;
    const res = await request(ctx.app).post(optOutPath(mail)).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(await optedOut(lea.id)).toBe(true);
  });

  it('refuses a forged, altered, foreign or expired link with a clear page, and changes nothing', async () => {
    const marc = await makeUser(ctx.c, 'elected', { email: 'marc.conseiller@commune.test' });
    const mail = (await reportFor('2026-08', marc.email))!;
    const path = optOutPath(mail);
    const [id, issued, mac] = path.split('/').pop()!.split('.') as [string, string, string];
    const base = '/rapport-mensuel/ne-plus-recevoir/';
    const other = (await makeUser(ctx.c, 'elected')).id.toString(36);
    const forged = [
      `${other}.${issued}.${mac}`, // someone else's id under Marc's signature
      `${id}.${issued}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${id}.${issued}`,
      'nimportequoi',
      ctx.c.subscriberLinks.token('unsubscribe', marc.id), // a newsletter link's token
    ];
    for (const token of forged) {
      for (const method of ['get', 'post'] as const) {
        const res = await request(ctx.app)[method](`${base}${encodeURIComponent(token)}`);
        expect(res.status).toBe(404);
        expect(plainSpaces(visibleText(res.text))).toContain('Ce lien n’est pas valide');
        expect(res.text).toContain('href="/admin/stats/rapport-par-email"');
      }
    }
    expect(await optedOut(marc.id)).toBe(false);
    // PostgreSQL's count comes back as a string: compare the number.
    const optouts = await ctx.c.db('stats_report_optouts').count({ n: '*' }).first();
    expect(Number(optouts?.n)).toBe(1); // Léa only

    ctx.clock.set(new Date(ctx.clock.now().getTime() + (REPORT_OPTOUT_LIFETIME_S + 86_400) * 1000));
    for (const method of ['get', 'post'] as const) {
      const res = await request(ctx.app)[method](path);
      expect(res.status).toBe(410);
      expect(plainSpaces(visibleText(res.text))).toContain('Ce lien a expiré');
    }
    expect(await optedOut(marc.id)).toBe(false);
  });
});
