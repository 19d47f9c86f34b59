import request from 'supertest';
import { createTestContext, csrfFrom, loginAs, makeUser, PASSWORD, type TestContext } from './helpers/context';
import { captureLog, type LogLine } from './helpers/log-capture';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';

const STRONG = 'Lune-Verte-Sur-Le-Toit-42!';
const NBSP = '\u00A0';

function emailLinkIn(text: string): string {
  const m = /http:\/\/crieur\.test(\/admin\/account\/email\/[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no confirmation link in:\n${text}`);
  return m[1];
}

async function loginWith(ctx: TestContext, email: string, password: string) {
  const agent = request.agent(ctx.app);
  const page = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password });
  return { agent, res };
}

describe('"Mon compte": one’s own name and address', () => {
  let smtp: SmtpPeer;
  let ctx: TestContext;
  let lines: LogLine[];
  beforeAll(async () => {
    smtp = await startSmtpPeer();
    const captured = captureLog('trace');
    lines = captured.lines;
    ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' }, { log: captured.log });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  it('lets a person change their name, shown at once in the header', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const empty = await agent.post('/admin/account/profile').type('form').send({ _csrf: csrf, displayName: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Indiquez votre nom.');
    const ok = await agent.post('/admin/account/profile').type('form').send({ _csrf: csrf, displayName: 'Camille Martin' });
    expect(ok.status).toBe(302);
    const page = await agent.get('/admin/account');
    expect(page.text).toContain('Votre nom est enregistré.');
    expect(page.text).toMatch(/<a href="\/admin\/account">Camille Martin/);
  });

  it('changes the address only once the single-use link sent to the new address is followed, and tells the old address', async () => {
    const me = await makeUser(ctx.c, 'editor', { email: 'ancienne@commune.test', displayName: 'Dominique Roy' });
    const other = await makeUser(ctx.c, 'admin', { email: 'prise@commune.test' });
    const { agent, res } = await loginWith(ctx, me.email, me.password);
    expect(res.status).toBe(302);
    const csrf = csrfFrom((await agent.get('/admin/account')).text);

    const wrong = await agent.post('/admin/account/email').type('form').send({ _csrf: csrf, email: 'nouvelle@commune.test', current: 'pas-le-bon' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Le mot de passe actuel est incorrect.');
    const taken = await agent.post('/admin/account/email').type('form').send({ _csrf: csrf, email: other.email, current: PASSWORD });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Un autre compte utilise déjà cette adresse.');
    const bad = await agent.post('/admin/account/email').type('form').send({ _csrf: csrf, email: 'pas une adresse', current: PASSWORD });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Cette adresse e-mail n’est pas valide.');

    const asked = await agent.post('/admin/account/email').type('form').send({ _csrf: csrf, email: 'Nouvelle@Commune.test', current: PASSWORD });
    expect(asked.status).toBe(302);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('nouvelle@commune.test'));
    expect(mail.subject).toBe('Confirmez votre nouvelle adresse pour Crieur');
    expect(mail.text).toContain('Dominique Roy, vous avez demandé que cette adresse devienne celle de votre compte Crieur');
    const link = emailLinkIn(mail.text);
    const account = await agent.get('/admin/account');
    expect(account.text).toContain('Un lien de confirmation est parti à nouvelle@commune.test.');
    expect(account.text).toContain('En attente de confirmation : nouvelle@commune.test.');
    // Nothing changed yet: the old address still logs in.
    expect((await loginWith(ctx, 'ancienne@commune.test', PASSWORD)).res.status).toBe(302);

    // Opened in someone else's session (the new address mistyped as a colleague's): nothing happens.
    const colleague = await loginAs(ctx, 'admin');
    const foreign = await colleague.agent.get(link);
    expect(foreign.status).toBe(410);
    const foreignPost = await colleague.agent.post(link).type('form').send({ _csrf: colleague.csrf });
    expect(foreignPost.status).toBe(410);
    // Anonymous: sent to log in first, with the link kept for after.
    const anonymous = await request(ctx.app).get(link).redirects(0);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/admin\/login\?next=/);

    // Opening the link only shows a button (mail software follows links).
    const confirmPage = await agent.get(link);
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.text).toContain('Votre compte utilisera désormais nouvelle@commune.test');
    expect((await ctx.c.usersRepo.findById(me.id))?.email).toBe('ancienne@commune.test');

    const confirmed = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(confirmPage.text) });
    expect(confirmed.status).toBe(302);
    expect((await agent.get('/admin/account')).text).toContain('Votre adresse est désormais nouvelle@commune.test.');
    expect((await loginWith(ctx, 'nouvelle@commune.test', PASSWORD)).res.status).toBe(302);
    expect((await loginWith(ctx, 'ancienne@commune.test', PASSWORD)).res.status).toBe(401);
    const notice = await smtp.waitFor((m) => m.rcptTo.includes('ancienne@commune.test'));
    expect(notice.subject).toBe('L’adresse de votre compte Crieur a changé');
    expect(notice.text).toContain('est désormais nouvelle@commune.test');

    // Single use.
    const again = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(confirmPage.text) });
    expect(again.status).toBe(410);
    expect(again.text).toContain('Ce lien n’est plus valable');

    // Never in the logs, not even through the login page's `next`.
    const token = link.split('/').pop()!;
    const logged = lines.map((l) => JSON.stringify(l)).join('\n');
    expect(logged).not.toContain(token);
    expect(logged).toContain('/admin/account/email/[hidden]');
  });

  it('refuses an expired link, and a confirmation link used as a password link', async () => {
    const me = await makeUser(ctx.c, 'elected', { email: 'lent@commune.test' });
    const { agent } = await loginWith(ctx, me.email, me.password);
    const csrf = csrfFrom((await agent.get('/admin/account')).text);
    await agent.post('/admin/account/email').type('form').send({ _csrf: csrf, email: 'tardive@commune.test', current: PASSWORD }).expect(302);
    const link = emailLinkIn((await smtp.waitFor((m) => m.rcptTo.includes('tardive@commune.test'))).text);
    const token = link.split('/').pop()!;
    expect((await request(ctx.app).get(`/admin/password/${token}`)).status).toBe(410);

    ctx.clock.advance(25 * 3600_000);
    const late = await agent.get(link);
    expect(late.status).toBe(410);
    const latePost = await agent.post(link).type('form').send({ _csrf: csrf });
    expect(latePost.status).toBe(410);
    expect((await ctx.c.usersRepo.findById(me.id))?.email).toBe('lent@commune.test');
  });

  it('lets a pending change be cancelled, after which its link sets nothing', async () => {
    const me = await makeUser(ctx.c, 'editor', { email: 'hesite@commune.test' });
    const { agent } = await loginWith(ctx, me.email, me.password);
    const csrf = csrfFrom((await agent.get('/admin/account')).text);
    await agent.post('/admin/account/email').type('form').send({ _csrf: csrf, email: 'autre@commune.test', current: PASSWORD }).expect(302);
    const link = emailLinkIn((await smtp.waitFor((m) => m.rcptTo.includes('autre@commune.test'))).text);
    await agent.post('/admin/account/email/cancel').type('form').send({ _csrf: csrf }).expect(302);
    const page = await agent.get('/admin/account');
    expect(page.text).toContain('Le changement d’adresse est annulé');
    expect(page.text).not.toContain('En attente de confirmation');
    expect((await agent.get(link)).status).toBe(410);
  });
});

describe('the first administrator’s printed password', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('must be replaced at the first login, before any other page, and the name can be given there', async () => {
    const first = await ctx.c.auth.ensureFirstAdmin('admin@crieur.localhost');
    const printed = first!.generatedPassword!;
    const { agent, res } = await loginWith(ctx, 'admin@crieur.localhost', printed);
    expect(res.status).toBe(302);

    for (const path of ['/admin', '/admin/articles', '/admin/users', '/admin/account']) {
      const r = await agent.get(path).redirects(0);
      expect([path, r.status, r.headers.location]).toEqual([path, 302, '/admin/account/new-password']);
    }
    const page = await agent.get('/admin/account/new-password');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Choisissez votre mot de passe');
    // No menu to wander off to: the page stands alone.
    expect(page.text).not.toContain('class="mainnav"');
    const csrf = csrfFrom(page.text);
    const post = await agent.post('/admin/settings').type('form').send({ _csrf: csrf, name: 'X' }).redirects(0);
    expect([post.status, post.headers.location]).toEqual([303, '/admin/account/new-password']);
    const json = await agent.get('/admin/media.json').set('Accept', 'application/json');
    expect(json.status).toBe(403);

    const same = await agent
      .post('/admin/account/new-password')
      .type('form')
      .send({ _csrf: csrf, displayName: 'Claire Martin', password: printed, confirm: printed });
    expect(same.status).toBe(400);
    expect(same.text).toContain('Choisissez un mot de passe différent de celui affiché au démarrage.');
    const weak = await agent
      .post('/admin/account/new-password')
      .type('form')
      .send({ _csrf: csrf, displayName: 'Claire Martin', password: 'Soleil', confirm: 'Soleil' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('Ce mot de passe n’a que 6 caractères');
    expect(weak.text).toContain('value="Claire Martin"');

    const ok = await agent
      .post('/admin/account/new-password')
      .type('form')
      .send({ _csrf: csrf, displayName: 'Claire Martin', password: STRONG, confirm: STRONG });
    expect([ok.status, ok.headers.location]).toEqual([302, '/admin/account#email']);
    const account = await agent.get('/admin/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Votre adresse de connexion est encore admin@crieur.localhost, qui ne reçoit rien');
    expect(account.text).toMatch(/<a href="\/admin\/account">Claire Martin/);
    expect((await agent.get('/admin')).status).toBe(200);
    // The printed password no longer opens anything.
    expect((await loginWith(ctx, 'admin@crieur.localhost', printed)).res.status).toBe(401);
    expect((await loginWith(ctx, 'admin@crieur.localhost', STRONG)).res.status).toBe(302);
  });

  it('is not asked of an account whose password was chosen (CRIEUR_ADMIN_PASSWORD, invitations)', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    expect((await agent.get('/admin')).status).toBe(200);
    const r = await agent.get('/admin/account/new-password').redirects(0);
    expect([r.status, r.headers.location]).toEqual([302, '/admin/account']);
  });
});

describe('the invitation names the role and what it allows', () => {
  let smtp: SmtpPeer;
  let ctx: TestContext;
  beforeAll(async () => {
    smtp = await startSmtpPeer();
    ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' });
    await ctx.c.settings.initialize({ ...(await ctx.c.settings.get()), name: 'Saint-Crieur' });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  it.each([
    ['elected', 'Élu', 'vous pourrez relire et approuver les articles avant leur publication', /vous pourrez (?:les )?(?:rédiger|publier|diffuser)/],
    [
      'editor',
      'Chargé de communication',
      'vous pourrez les rédiger et les diffuser sur le site, dans la lettre d’information et sur les réseaux',
      /relire et approuver/,
    ],
    ['admin', 'Administrateur', 'vous pourrez gérer les comptes, les paramètres et les réseaux de la commune', /relire et approuver/],
  ])('for the role %s says « %s » and what it allows', async (role, label, allows, never) => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const email = `${role}.invite@commune.test`;
    await agent.post('/admin/users/invite').type('form').send({ _csrf: csrf, displayName: 'Alex Invité', email, role }).expect(302);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(email));
    // French spacing: no-break spaces inside « » and before the colon, in both parts.
    const expected = `avec le rôle «${NBSP}${label}${NBSP}»${NBSP}: ${allows}`;
    expect(mail.text).toContain(expected);
    expect(mail.html).toContain(expected);
    expect(mail.text).not.toMatch(never);
    expect(mail.text).not.toContain('partiront une fois approuvés');
  });

  it('tells an editor, when the commune requires approval, that their articles wait for it', async () => {
    await ctx.c.settings.initialize({ ...(await ctx.c.settings.get()), requireApproval: true });
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const email = 'editor.approval@commune.test';
    await agent.post('/admin/users/invite').type('form').send({ _csrf: csrf, displayName: 'Camille', email, role: 'editor' }).expect(302);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(email));
    const said = `La commune demande qu’un élu approuve ce qui est publié${NBSP}: vos articles partiront une fois approuvés`;
    expect(mail.text).toContain(said);
    expect(mail.html).toContain(said);
    await ctx.c.settings.initialize({ ...(await ctx.c.settings.get()), requireApproval: false });
  });
});
