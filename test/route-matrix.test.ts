import type { Express } from 'express';
import request from 'supertest';
import sharp from 'sharp';
import { can, type Role } from '../server/auth/permissions';
import { createTestContext, csrfFrom, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { collectRoutes, type RouteInfo } from './helpers/routes';

/**
 * Every admin route, found by walking Express's router, called as anonymous, editor, elected and
 * admin. A route must be guarded by requirePermission (or be one of the public account pages);
 * a role without the permission gets 403, a role with it never gets 401/403/5xx, and an
 * anonymous visitor never gets a 2xx.
 */
function collect(app: Express): RouteInfo[] {
  return collectRoutes(app).filter((r) => r.path.startsWith('/admin'));
}

const PUBLIC = new Set([
  'GET /admin/login',
  'POST /admin/login',
  'GET /admin/forgot',
  'POST /admin/forgot',
  'GET /admin/password/:token',
  'POST /admin/password/:token',
  'POST /admin/logout',
  // An article's private preview: the random token is the permission (a "team" link asks for a login).
  'GET /admin/preview/:token',
]);

let ctx: TestContext;
let ids: Record<string, string>;
beforeAll(async () => {
  ctx = await createTestContext();
  const account = await makeTestAccount(ctx.c);
  const article = await makeArticle(ctx.c, { status: 'draft' });
  const publication = await makePublication(ctx.c, article, account, ctx.clock.now());
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .jpeg()
    .toBuffer();
  const media = await ctx.c.media.ingest(jpeg, 'photo.jpg', { alt: 'Une photo' }, { id: null, label: 'test' });
  await ctx.c.media.whenReady(media.id);
  const user = await makeUser(ctx.c, 'editor');
  const page = await ctx.c.pages.create(
    { title: 'La mairie', slug: '', parentId: null, summary: '', bodyMd: 'Accueil.', status: 'published' },
    { id: null, label: 'test' },
  );
  ids = {
    pageId: String(page.id),
    id: String(article),
    articleId: String(article),
    mediaId: String(media.id),
    userId: String(user.id),
    publicationId: String(publication),
    token: 'not-a-token',
    n: '1',
    version: '1',
    file: 'x.jpg',
    variant: 'x',
  };
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

function fill(path: string, route: RouteInfo): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'id') {
      if (route.path.startsWith('/admin/media')) return ids.mediaId!;
      if (route.path.startsWith('/admin/users')) return ids.userId!;
      if (route.path.startsWith('/admin/publications')) return ids.publicationId!;
      if (route.path.startsWith('/admin/mailbox')) return 'missing';
      if (route.path.startsWith('/admin/pages')) return ids.pageId!;
    }
    return ids[name] ?? '1';
  });
}

describe('every admin route for every role', () => {
  it('is guarded by a permission, except the login and password pages', () => {
    const routes = collect(ctx.app);
    expect(routes.length).toBeGreaterThan(30);
    if (process.env.SHOW_ROUTES) console.log(routes.map((r) => `${r.method} ${r.path} [${r.permission}]`).join('\n'));
    const unguarded = routes.filter((r) => !r.permission && !PUBLIC.has(`${r.method} ${r.path}`));
    expect(unguarded).toEqual([]);
  });

  it.each<[Role | 'anonymous']>([['anonymous'], ['elected'], ['editor'], ['admin']])(
    'answers as expected when called as %s',
    async (role) => {
      const routes = collect(ctx.app).filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
      const session = role === 'anonymous' ? null : await loginAs(ctx, role);
      const anonymousAgent = request.agent(ctx.app);
      const csrf = session?.csrf ?? csrfFrom((await anonymousAgent.get('/admin/login')).text);
      const agent = session?.agent ?? anonymousAgent;
      const problems: string[] = [];
      for (const r of routes) {
        if (r.path === '/admin/logout') continue;
        const url = fill(r.path, r);
        const req =
          r.method === 'GET' ? agent.get(url) : agent[r.method.toLowerCase() as 'post' | 'put' | 'delete' | 'patch'](url).type('form').send({ _csrf: csrf });
        const res = await req.redirects(0);
        const s = res.status;
        const line = `${r.method} ${r.path} → ${s}`;
        if (s >= 500) problems.push(`${line} (server error)`);
        else if (role === 'anonymous') {
          if (s < 300 || (s >= 300 && s < 400 && !String(res.headers.location).startsWith('/admin/login'))) problems.push(`${line} (anonymous got through)`);
        } else if (can(role, r.permission!)) {
          if (s === 401 || s === 403) problems.push(`${line} (refused although ${role} has ${r.permission})`);
        } else if (s !== 403) {
          problems.push(`${line} (expected 403 for ${role} without ${r.permission})`);
        }
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );
});
