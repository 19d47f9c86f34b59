import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, csrfFrom, loginAs, makeUser, type TestContext } from './helpers/context';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';

const STRONG = 'Lune-Verte-Sur-Le-Toit-42!';

function linkIn(text: string): string {
  const m = /http:\/\/crieur\.test(\/admin\/password\/[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no password link in:\n${text}`);
  return m[1];
}

describe('inviting a person through a real SMTP server', () => {
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

  it('sends the invitation, lets Marie choose a password once, and logs her in', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/users/invite')
      .type('form')
      .send({ _csrf: csrf, displayName: 'Marie Dupont', email: 'Marie@Commune.test', role: 'editor' });
    expect(res.status).toBe(302);
    const list = await agent.get('/admin/users');
    expect(list.text).toContain('Invitation envoyée à marie@commune.test.');
    expect(list.text).toMatch(/Marie Dupont[\s\S]*?Invitation en attente/);

    const mail = await smtp.waitFor((m) => m.rcptTo.includes('marie@commune.test'));
    expect(mail.subject).toBe('Votre accès à Crieur pour Saint-Crieur');
    expect(mail.from).toBe('mairie@commune.test');
    expect(mail.to).toEqual(['marie@commune.test']);
    expect(mail.text).toContain('vous invite à publier les informations de Saint-Crieur');
    const link = linkIn(mail.text);

    const marie = request.agent(ctx.app);
    const form = await marie.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain('marie@commune.test');
    const weak = await marie
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: 'marie2026', confirm: 'marie2026' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('Ce mot de passe n’a que 9 caractères : il en faut au moins 12');

    const ok = await marie
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(weak.text), password: STRONG, confirm: STRONG });
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe('/admin');
    const home = await marie.get('/admin');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Marie Dupont');
    expect(home.text).toContain('Votre mot de passe est enregistré. Bienvenue !');

    const reused = await request(ctx.app).get(link);
    expect(reused.status).toBe(410);
    expect(reused.text).toContain('lien n’est plus valable');

    const after = await agent.get('/admin/users');
    expect(after.text).toMatch(/Marie Dupont[\s\S]*?Actif/);
  });

  it('resends an invitation with a new link', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    await agent.post('/admin/users/invite').type('form').send({ _csrf: csrf, displayName: 'Paul Martin', email: 'paul@commune.test', role: 'elected' });
    const first = await smtp.waitFor((m) => m.rcptTo.includes('paul@commune.test'));
    const paul = await ctx.c.usersRepo.findByEmail('paul@commune.test');
    const res = await agent.post(`/admin/users/${paul!.id}/resend`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(302);
    expect((await agent.get('/admin/users')).text).toContain('Invitation renvoyée à paul@commune.test.');
    const second = await smtp.waitFor((m) => m.rcptTo.includes('paul@commune.test') && m !== first);
    expect(linkIn(second.text)).not.toBe(linkIn(first.text));
  });
});

describe('managing accounts', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('lists accounts with their role, status and last login, and shows the invite form', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    await makeUser(ctx.c, 'elected', { displayName: 'Zoé Élue' });
    const res = await agent.get('/admin/users');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Inviter une personne');
    expect(res.text).toMatch(/Zoé Élue[\s\S]*?Élu[\s\S]*?Actif[\s\S]*?Jamais/);
    expect(res.text).toContain('(vous)');
  });

  it('refuses the page and its actions to editors and elected members', async () => {
    for (const role of ['editor', 'elected'] as const) {
      const { agent, csrf } = await loginAs(ctx, role);
      expect((await agent.get('/admin/users')).status).toBe(403);
      const res = await agent.post('/admin/users/invite').type('form').send({ _csrf: csrf, displayName: 'X', email: 'x@commune.test', role: 'admin' });
      expect(res.status).toBe(403);
    }
    expect(await ctx.c.usersRepo.findByEmail('x@commune.test')).toBeNull();
  });

  it('sends anonymous visitors to the login page', async () => {
    const res = await request(ctx.app).get('/admin/users');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
  });

  it('explains what is wrong in the invite form and keeps what was typed', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent.post('/admin/users/invite').type('form').send({ _csrf: csrf, displayName: '', email: 'pas une adresse', role: 'maire' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Indiquez le nom de la personne.');
    expect(res.text).toContain('Cette adresse e-mail n’est pas valide.');
    expect(res.text).toContain('Choisissez un rôle proposé.');
    expect(res.text).toContain('value="pas une adresse"');
  });

  it('refuses a second account with the same address', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const existing = await makeUser(ctx.c, 'editor');
    const res = await agent
      .post('/admin/users/invite')
      .type('form')
      .send({ _csrf: csrf, displayName: 'Doublon', email: existing.email.toUpperCase(), role: 'editor' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Un compte existe déjà avec cette adresse.');
  });

  it('changes a role', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const other = await makeUser(ctx.c, 'editor', { displayName: 'Léa Rôle' });
    const res = await agent.post(`/admin/users/${other.id}/role`).type('form').send({ _csrf: csrf, role: 'elected' });
    expect(res.status).toBe(302);
    expect((await agent.get('/admin/users')).text).toContain('Léa Rôle est désormais : Élu.');
    expect((await ctx.c.usersRepo.findById(other.id))?.role).toBe('elected');
  });

  it('disables an account, which can no longer log in, then re-enables it', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const other = await makeUser(ctx.c, 'editor', { displayName: 'Jean Parti' });
    const list = await agent.get('/admin/users');
    expect(list.text).toMatch(new RegExp(`action="/admin/users/${other.id}/disable" data-confirm="[^"]+"`));

    const res = await agent.post(`/admin/users/${other.id}/disable`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(302);
    const after = await agent.get('/admin/users');
    expect(after.text).toContain('Le compte de Jean Parti est désactivé.');
    expect(after.text).toMatch(/Jean Parti[\s\S]*?Désactivé/);

    const jean = request.agent(ctx.app);
    const login = await jean.get('/admin/login');
    const refused = await jean
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: other.email, password: other.password });
    expect(refused.status).toBe(401);

    await agent.post(`/admin/users/${other.id}/enable`).type('form').send({ _csrf: csrf });
    expect((await agent.get('/admin/users')).text).toContain('Le compte de Jean Parti est réactivé.');
    const accepted = await jean
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: other.email, password: other.password });
    expect(accepted.status).toBe(302);
  });

  it('tells a disabled person at once, from the invitation link, that the account is disabled and whom to ask', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const firstAdmin = (await ctx.c.usersRepo.listActiveAdmins(1))[0]!;
    await agent
      .post('/admin/users/invite')
      .type('form')
      .send({ _csrf: csrf, displayName: 'Lucie Partie', email: 'lucie@commune.test', role: 'editor' })
      .expect(302);
    await ctx.c.outbox.idle();
    const mails = fs.readdirSync(path.join(ctx.dir, 'mailbox')).filter((f) => f.endsWith('.json'));
    const invitation = mails
      .map((f) => JSON.parse(fs.readFileSync(path.join(ctx.dir, 'mailbox', f), 'utf8')) as { to: string; text: string })
      .find((m) => m.to === 'lucie@commune.test');
    const link = linkIn(invitation!.text);
    const lucie = (await ctx.c.usersRepo.findByEmail('lucie@commune.test'))!;
    await agent.post(`/admin/users/${lucie.id}/disable`).type('form').send({ _csrf: csrf }).expect(302);

    const visitor = request.agent(ctx.app);
    const page = await visitor.get(link);
    expect(page.status).toBe(403);
    expect(page.text).toContain('<h1>Compte désactivé</h1>');
    expect(page.text).toContain('Le compte lucie@commune.test est désactivé : ce lien ne permet pas de choisir son mot de passe ni de se connecter.');
    expect(page.text).toContain('Pour le réactiver, adressez-vous à un administrateur de Crieur :');
    expect(page.text).toContain(`${firstAdmin.displayName} — <a href="mailto:${firstAdmin.email}">${firstAdmin.email}</a>`);
    expect(page.text).not.toContain('name="password"');

    // A post made anyway (a form opened before the account was disabled) gets the same answer.
    const login = await visitor.get('/admin/login');
    const posted = await visitor
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(login.text), password: STRONG, confirm: STRONG });
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('Le compte lucie@commune.test est désactivé');
    expect((await ctx.c.usersRepo.findById(lucie.id))?.passwordHash).toBeNull();

    // Enabled again, the same link lets her choose her password.
    await agent.post(`/admin/users/${lucie.id}/enable`).type('form').send({ _csrf: csrf }).expect(302);
    const form = await visitor.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="password"');
  });

  it('refuses to disable your own account', async () => {
    const { agent, csrf, user } = await loginAs(ctx, 'admin');
    const res = await agent.post(`/admin/users/${user.id}/disable`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Vous ne pouvez pas désactiver votre propre compte.');
    expect((await ctx.c.usersRepo.findById(user.id))?.disabledAt).toBeNull();
  });

  it('refuses to remove the last active administrator', async () => {
    const solo = await createTestContext();
    try {
      const { agent, csrf, user } = await loginAs(solo, 'admin');
      const res = await agent.post(`/admin/users/${user.id}/role`).type('form').send({ _csrf: csrf, role: 'editor' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('Il faut garder au moins un administrateur actif.');
      expect((await solo.c.usersRepo.findById(user.id))?.role).toBe('admin');
    } finally {
      await solo.close();
    }
  });

  it('counts only administrators who can log in: a pending admin invitation does not let the only real one step down', async () => {
    const solo = await createTestContext();
    try {
      const { agent, csrf, user } = await loginAs(solo, 'admin');
      await agent
        .post('/admin/users/invite')
        .type('form')
        .send({ _csrf: csrf, displayName: 'Futur Admin', email: 'futur@commune.test', role: 'admin' })
        .expect(302);
      const demote = await agent.post(`/admin/users/${user.id}/role`).type('form').send({ _csrf: csrf, role: 'editor' });
      expect(demote.status).toBe(409);
      expect(demote.text).toContain('Il faut garder au moins un administrateur actif.');
      expect((await solo.c.usersRepo.findById(user.id))?.role).toBe('admin');
      // The invitation itself can still be changed or withdrawn.
      const pending = (await solo.c.usersRepo.findByEmail('futur@commune.test'))!;
      expect((await agent.post(`/admin/users/${pending.id}/role`).type('form').send({ _csrf: csrf, role: 'editor' })).status).toBe(302);
      expect((await solo.c.usersRepo.findById(pending.id))?.role).toBe('editor');
    } finally {
      await solo.close();
    }
  });

  it('answers 404 for an account that does not exist', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    expect((await agent.post('/admin/users/abc/disable').type('form').send({ _csrf: csrf })).status).toBe(404);
    expect((await agent.post('/admin/users/99999/disable').type('form').send({ _csrf: csrf })).status).toBe(404);
  });

  it('paginates the list', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    for (let i = 0; i < 26; i++)
      await ctx.c.usersRepo.insert({ email: `p${i}@commune.test`, displayName: `Personne ${i}`, role: 'editor', passwordHash: null }, ctx.c.clock.now());
    const first = await agent.get('/admin/users');
    expect(first.text).toContain('Page 1 sur 2');
    const second = await agent.get('/admin/users?page=2');
    expect(second.status).toBe(200);
    expect(second.text).toContain('Page 2 sur 2');
  });
});

describe('forgotten password through the local mailbox', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('puts the reset e-mail in the mailbox page, and its link sets a new password', async () => {
    const user = await makeUser(ctx.c, 'editor', { email: 'oubli@commune.test' });
    const visitor = request.agent(ctx.app);
    const page = await visitor.get('/admin/forgot');
    const sent = await visitor
      .post('/admin/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: user.email });
    expect(sent.status).toBe(200);
    await ctx.c.outbox.idle();

    const { agent } = await loginAs(ctx, 'admin');
    const box = await agent.get('/admin/mailbox');
    expect(box.status).toBe(200);
    expect(box.text).toContain('oubli@commune.test');
    expect(box.text).toContain('Choisir un nouveau mot de passe pour Crieur');
    const id = /href="\/admin\/mailbox\/([\w-]+)"/.exec(box.text)?.[1];
    const shown = await agent.get(`/admin/mailbox/${id}`);
    expect(shown.status).toBe(200);
    const link = linkIn(shown.text.replace(/&#x2F;|&#47;/g, '/'));

    const form = await visitor.get(link);
    const ok = await visitor
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: STRONG, confirm: STRONG });
    expect(ok.status).toBe(302);
    const again = await visitor.get('/admin/login');
    expect(again.status).toBe(302);
  });
});

describe('a new password voids the links still out', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  async function resetLink(email: string): Promise<string> {
    await ctx.c.users.requestPasswordReset(email);
    await ctx.c.outbox.idle();
    const box = path.join(ctx.dir, 'mailbox');
    const mails = fs
      .readdirSync(box)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(box, f), 'utf8')) as { to: string; text: string });
    return linkIn(mails.filter((m) => m.to === email).pop()!.text);
  }

  it('refuses a pending reset link once the password was changed from the account page', async () => {
    const { agent, user } = await loginAs(ctx, 'editor');
    const link = await resetLink(user.email);
    expect((await request(ctx.app).get(link)).text).toContain('Choisir un mot de passe');
    const page = await agent.get('/admin/account');
    const changed = await agent
      .post('/admin/account/password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), current: 'Correct-Horse-Battery-9', password: STRONG, confirm: STRONG });
    expect(changed.status).toBeLessThan(400);
    const visitor = request.agent(ctx.app);
    const form = await visitor.get(link);
    expect(form.text).toContain('Ce lien n’est plus valable');
    const used = await visitor
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom((await visitor.get('/admin/login')).text), password: 'Un-Autre-Mot-De-Passe-7!', confirm: 'Un-Autre-Mot-De-Passe-7!' });
    expect(used.status).toBe(410);
  });

  it('refuses the other pending reset links once one of them set the password', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const first = await resetLink(user.email);
    const second = await resetLink(user.email);
    expect(second).not.toBe(first);
    const visitor = request.agent(ctx.app);
    const form = await visitor.get(second);
    expect(
      (
        await visitor
          .post(second)
          .type('form')
          .send({ _csrf: csrfFrom(form.text), password: STRONG, confirm: STRONG })
      ).status,
    ).toBe(302);
    const stale = await request(ctx.app).get(first);
    expect(stale.status).toBe(410);
    expect(stale.text).toContain('Ce lien n’est plus valable');
  });

  it('refuses a pending reset link once the printed first password was replaced', async () => {
    const printed = 'Imprime-Au-Demarrage-2026!';
    const user = await makeUser(ctx.c, 'admin', { password: printed });
    await ctx.c.usersRepo.update(user.id, { mustChangePassword: true }, ctx.clock.now());
    const link = await resetLink(user.email);
    const agent = request.agent(ctx.app);
    const login = await agent.get('/admin/login');
    await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: user.email, password: printed })
      .expect(302);
    const page = await agent.get('/admin/account/new-password');
    await agent
      .post('/admin/account/new-password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), displayName: 'Claire Martin', password: STRONG, confirm: STRONG })
      .expect(302);
    expect((await request(ctx.app).get(link)).text).toContain('Ce lien n’est plus valable');
  });

  it('refuses a pending reset link once the password was reset from the command line', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const link = await resetLink(user.email);
    await ctx.c.users.resetPasswordFromCli(user.email, STRONG);
    expect((await request(ctx.app).get(link)).text).toContain('Ce lien n’est plus valable');
  });
});

describe('the local mailbox page', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('explains, while empty, that e-mails appear here as long as no SMTP server is configured', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const res = await agent.get('/admin/mailbox');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Aucun e-mail pour le moment.');
    expect(res.text).toContain('Tant qu’aucun serveur SMTP n’est configuré');
  });

  it('shows a message as text, its HTML in a sandboxed frame that runs nothing, and offers the .eml', async () => {
    await ctx.c.mailer.send({
      to: 'lecteur@commune.test',
      subject: 'Essai <b>gras</b>',
      text: 'Bonjour,\n<script>alert(1)</script>',
      html: '<p>Bonjour</p><script>alert(1)</script>',
    });
    const { agent } = await loginAs(ctx, 'admin');
    const list = await agent.get('/admin/mailbox');
    expect(list.text).toContain('lecteur@commune.test');
    expect(list.text).toContain('Essai &lt;b&gt;gras&lt;/b&gt;');
    const id = /href="\/admin\/mailbox\/([\w-]+)"/.exec(list.text)?.[1];

    const shown = await agent.get(`/admin/mailbox/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.text).toMatch(/<pre class="mail-text">Bonjour,\n&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/pre>/);
    expect(shown.text).toMatch(new RegExp(`<iframe[^>]*sandbox[^>]*src="/admin/mailbox/${id}/html"`));
    expect(shown.text).not.toContain('<script>alert(1)</script>');

    const html = await agent.get(`/admin/mailbox/${id}/html`);
    expect(html.status).toBe(200);
    const csp = html.headers['content-security-policy'] as string;
    expect(csp).toMatch(/^sandbox;/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('script-src');

    const eml = await agent.get(`/admin/mailbox/${id}/eml`);
    expect(eml.status).toBe(200);
    expect(eml.headers['content-disposition']).toBe(`attachment; filename="${id}.eml"`);
    expect(eml.text).toContain('To: lecteur@commune.test');
  });

  it('answers 404 for an unknown or malformed message id', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    expect((await agent.get('/admin/mailbox/nope')).status).toBe(404);
    expect((await agent.get('/admin/mailbox/..%2Fsecret.key/eml')).status).toBe(404);
  });

  it('is for administrators only', async () => {
    const { agent } = await loginAs(ctx, 'editor');
    expect((await agent.get('/admin/mailbox')).status).toBe(403);
  });

  it('says that e-mails go to the SMTP server when one is configured', async () => {
    const smtpCtx = await createTestContext({ SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      const { agent } = await loginAs(smtpCtx, 'admin');
      const res = await agent.get('/admin/mailbox');
      expect(res.text).toContain('Un serveur SMTP est configuré : les e-mails partent vers ce serveur');
    } finally {
      await smtpCtx.close();
    }
  });
});
