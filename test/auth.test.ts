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
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
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
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), email: user.email, password: 'nope' });
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
