import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, csrfFrom, makeUser, type TestContext } from './helpers/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('logging in', () => {
  it('lets an editor log in and shows the dashboard in French', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const agent = request.agent(ctx.app);
    const page = await agent.get('/admin/login');
    expect(page.status).toBe(200);
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin');
    const home = await agent.get('/admin');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Tableau de bord');
  });

  it('refuses a wrong password with a clear message and a 401', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const agent = request.agent(ctx.app);
    const page = await agent.get('/admin/login');
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: user.email, password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Adresse e-mail ou mot de passe incorrect.');
  });

  it('refuses a forged CSRF token with a 403', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const agent = request.agent(ctx.app);
    await agent.get('/admin/login');
    const res = await agent.post('/admin/login').type('form').send({ _csrf: 'forged', email: user.email, password: user.password });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Le formulaire a expiré');
  });
});

describe('login throttling', () => {
  const attempt = async (email: string, password: string, ip = '198.51.100.1') => {
    const agent = request.agent(ctx.app);
    const page = await agent.get('/admin/login').set('X-Forwarded-For', ip);
    return agent
      .post('/admin/login')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email, password });
  };

  it('locks an account for 15 minutes after 5 wrong passwords, even from several addresses, with a clear message', async () => {
    const user = await makeUser(ctx.c, 'editor');
    for (let i = 0; i < 5; i++) expect((await attempt(user.email, 'mauvais', `198.51.100.${10 + i}`)).status).toBe(401);
    const locked = await attempt(user.email, user.password, '198.51.100.99');
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Trop de tentatives de connexion. Réessayez dans 15 minutes ou demandez un nouveau mot de passe.');
    ctx.clock.advance(16 * 60_000);
    expect((await attempt(user.email, user.password, '198.51.100.99')).status).toBe(302);
  });

  it('checks at most 5 of 40 simultaneous wrong passwords for one account and refuses the rest', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const agents = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const agent = request.agent(ctx.app);
        const page = await agent.get('/admin/login').set('X-Forwarded-For', `198.18.${i}.1`);
        return { agent, csrf: csrfFrom(page.text), ip: `198.18.${i}.1` };
      }),
    );
    // All 40 leave at once: the count must be taken before any password is checked.
    const answers = await Promise.all(
      agents.map(({ agent, csrf, ip }) =>
        agent.post('/admin/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, email: user.email, password: 'mauvais' }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Still locked for the right password, until the lock ends.
    expect((await attempt(user.email, user.password, '198.51.100.98')).status).toBe(429);
    ctx.clock.advance(16 * 60_000);
    expect((await attempt(user.email, user.password, '198.51.100.98')).status).toBe(302);
  });

  it('does not hold successful logins against a shared address', async () => {
    const users = await Promise.all(Array.from({ length: 25 }, () => makeUser(ctx.c, 'editor')));
    for (const u of users) expect((await attempt(u.email, u.password, '203.0.113.90')).status).toBe(302);
  });

  it('locks an address that tries many accounts, without locking those accounts elsewhere', async () => {
    const users = await Promise.all(Array.from({ length: 21 }, () => makeUser(ctx.c, 'editor')));
    for (const u of users.slice(0, 20)) expect((await attempt(u.email, 'mauvais', '203.0.113.50')).status).toBe(401);
    expect((await attempt(users[20]!.email, users[20]!.password, '203.0.113.50')).status).toBe(429);
    expect((await attempt(users[20]!.email, users[20]!.password, '203.0.113.51')).status).toBe(302);
  });

  it('lets a locked-out person back in once they chose a new password through the e-mailed link', async () => {
    const user = await makeUser(ctx.c, 'editor');
    for (let i = 0; i < 5; i++) await attempt(user.email, 'mauvais', '198.51.100.20');
    expect((await attempt(user.email, user.password, '198.51.100.21')).status).toBe(429);

    await ctx.c.users.requestPasswordReset(user.email);
    await ctx.c.outbox.idle();
    const dir = path.join(ctx.dir, 'mailbox');
    const mails = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { to: string; text: string });
    const link = /http:\/\/crieur\.test(\/admin\/password\/[\w-]+)/.exec(mails.find((m) => m.to === user.email)!.text)![1]!;
    const visitor = request.agent(ctx.app);
    const form = await visitor.get(link);
    const fresh = 'Lune-Verte-Sur-Le-Toit-42!';
    expect(
      (
        await visitor
          .post(link)
          .type('form')
          .send({ _csrf: csrfFrom(form.text), password: fresh, confirm: fresh })
      ).status,
    ).toBe(302);
    expect((await attempt(user.email, fresh, '198.51.100.21')).status).toBe(302);
  });
});

describe('the daily purge of expired sign-in data', () => {
  it('forgets expired sessions, spent links and old throttling windows, and keeps what is still in use', async () => {
    const user = await makeUser(ctx.c, 'editor');
    const now = ctx.c.clock.now();
    const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();
    await ctx.c.db('sessions').insert([
      { sid: 'purge-old', sess: '{}', user_id: user.id, expires_at: iso(-60_000) },
      { sid: 'purge-live', sess: '{}', user_id: user.id, expires_at: iso(3_600_000) },
    ]);
    await ctx.c.db('user_tokens').insert([
      { user_id: user.id, purpose: 'reset', token_hash: 'a'.repeat(64), expires_at: iso(3_600_000), used_at: iso(-1000), created_at: iso(-2000) },
      { user_id: user.id, purpose: 'invite', token_hash: 'b'.repeat(64), expires_at: iso(3_600_000), used_at: null, created_at: iso(-2000) },
    ]);
    await ctx.c.db('login_throttle').insert([
      { key: 'purge:old', failures: 3, window_started_at: iso(-2 * 86_400_000), locked_until: null },
      { key: 'purge:recent', failures: 3, window_started_at: iso(-60_000), locked_until: null },
    ]);
    const purged = await ctx.c.auth.purgeExpired();
    expect(purged).toEqual({ sessions: expect.any(Number), tokens: expect.any(Number), throttle: expect.any(Number) });
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect((await ctx.c.db('sessions').whereIn('sid', ['purge-old', 'purge-live']).pluck('sid')).sort()).toEqual(['purge-live']);
    expect(await ctx.c.db('user_tokens').where({ user_id: user.id }).pluck('purpose')).toEqual(['invite']);
    expect((await ctx.c.db('login_throttle').where('key', 'like', 'purge:%').pluck('key')).sort()).toEqual(['purge:recent']);
  });
});
