import http from 'node:http';
import { createTestContext, csrfFrom, makeUser, type TestContext } from './helpers/context';
import { serve } from './helpers/browser';

/**
 * A browser follows a redirect as soon as its headers arrive. express-session sends those headers
 * before it has stored the changed session, so the next page could read the old one: in CI, a
 * login on PostgreSQL landed back on the login page. Here the session store is slow (a loaded
 * database), and the next request leaves on the redirect's headers, as Chromium's does.
 */
let ctx: TestContext;
let site: { origin: string; close(): Promise<void> };

beforeAll(async () => {
  ctx = await createTestContext();
  const store = ctx.c.sessionStore;
  const set = store.set.bind(store);
  store.set = (sid, sess, cb) => void setTimeout(() => set(sid, sess, cb), 300);
  site = await serve(ctx.handler);
});

afterAll(async () => {
  await new Promise((r) => setTimeout(r, 400)); // the last slow write lands before the database closes
  await site?.close();
  await ctx.close();
});

interface Answer {
  status: number;
  location?: string;
  cookie?: string;
  body: string;
}

/** One request; with `onHeaders`, resolves as soon as the headers are in, without the body. */
function ask(method: string, path: string, opts: { cookie?: string; form?: Record<string, string>; onHeaders?: boolean } = {}): Promise<Answer> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${site.origin}${path}`,
      {
        method,
        headers: {
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const setCookie = res.headers['set-cookie']?.[0]?.split(';')[0];
        const head = { status: res.statusCode ?? 0, location: res.headers.location, cookie: setCookie ?? opts.cookie };
        if (opts.onHeaders) {
          resolve({ ...head, body: '' });
          res.resume();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ...head, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function logIn(): Promise<string> {
  const user = await makeUser(ctx.c, 'editor');
  const form = await ask('GET', '/admin/login');
  const posted = await ask('POST', '/admin/login', {
    cookie: form.cookie,
    form: { _csrf: csrfFrom(form.body), email: user.email, password: user.password, next: '' },
    onHeaders: true,
  });
  expect([posted.status, posted.location]).toEqual([302, '/admin']);
  return posted.cookie!;
}

it('a login leads to the dashboard, not back to the login page, however slowly the session is stored', async () => {
  const cookie = await logIn();
  const dashboard = await ask('GET', '/admin', { cookie });
  expect(dashboard.status).toBe(200);
  expect(dashboard.body).toContain('Se déconnecter');
});

it('a message for the next page is there when that page is asked for on the redirect', async () => {
  const cookie = await logIn();
  const page = await ask('GET', '/admin/account', { cookie });
  const posted = await ask('POST', '/admin/account/profile', { cookie, form: { _csrf: csrfFrom(page.body), displayName: 'Agnès Martin' }, onHeaders: true });
  expect([posted.status, posted.location]).toEqual([302, '/admin/account']);
  const next = await ask('GET', '/admin/account', { cookie });
  expect(next.body).toContain('Votre nom est enregistré.');
});

it('a visitor sent from an admin address to the login page gets no session until a form is shown', async () => {
  const sessions = async () => Number(((await ctx.c.db('sessions').count({ n: '*' })) as { n: unknown }[])[0]?.n);
  const before = await sessions();
  const sent = await ask('GET', '/admin/articles');
  expect([sent.status, sent.location, sent.cookie]).toEqual([302, '/admin/login?next=%2Fadmin%2Farticles', undefined]);
  await new Promise((r) => setTimeout(r, 400)); // a write would have landed by now
  expect(await sessions()).toBe(before);
  // The login page itself has its form's token, kept in a session.
  const form = await ask('GET', '/admin/login');
  expect(form.cookie).toMatch(/^crieur\.sid=/);
  expect(csrfFrom(form.body)).toHaveLength(43);
});
