import http from 'node:http';
import zlib from 'node:zlib';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import sharp from 'sharp';
import type { Role } from '../server/auth/permissions';
import { createTestContext, csrfFrom, makeUser, type TestContext } from './helpers/context';
import { makePublication, makeSubscriber, makeTestAccount } from './helpers/factories';
import { captureLog } from './helpers/log-capture';
import { collectRoutes, type RouteInfo } from './helpers/routes';
import { categoryId, publishArticle } from './helpers/site-data';

/**
 * Malformed requests on every route, public and admin, as every role: odd paths, queries and
 * bodies of every encoding, half of them with a valid CSRF token so that they reach the handlers.
 * Whatever arrives, the answer is never a 500 and nothing is logged as an error: a resident or an
 * editor who sends something odd gets a 4xx with a sentence, and the error log stays for real
 * failures. The generator is seeded (FUZZ_SEED=… to try another sequence); every request is
 * rebuilt from its number alone, so a failure printed here replays with the same seed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20260315);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2400);
const CONCURRENCY = 4;
const ROLES = ['anonymous', 'admin', 'editor', 'elected'] as const;
type Who = (typeof ROLES)[number];

/** mulberry32: small, fast, and the same sequence on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Values nobody should send, and a few plausible ones so that some requests get further. */
const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\0',
  'a\0b',
  'Marché\u0000',
  '%00',
  '../',
  '../../etc/passwd',
  '..%2f..%2f',
  '-1',
  '0',
  '1',
  '1e309',
  '-1e309',
  '99999999999999999999',
  '9007199254740993',
  '2147483648',
  '9999999999',
  '-2147483649',
  'NaN',
  'Infinity',
  '1.5',
  '0x1f',
  ' 1',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR 1=1 --",
  '; DROP TABLE users;',
  '\u202eevil',
  'e\u0301te\u0301',
  '🎉'.repeat(40),
  '\ud800',
  'a\udfffb',
  '\ufeff',
  '\uffff',
  '\u0085\u2028\u2029',
  'İıß',
  '\t\r\n',
  '\x7f\x1b[31m',
  'x'.repeat(5000),
  'é'.repeat(70_000),
  '2026-13-45T25:61',
  '2026-03-15T10:00',
  '0000-00-00T00:00',
  '9999-12-31T23:59',
  '2026-03-29T02:30',
  'admin1@commune.test',
  'nobody@commune.test',
  '@',
  'a@b',
  `${'a'.repeat(300)}@commune.test`,
  'published',
  'draft',
  'archived',
  'admin',
  'editor',
  'elected',
  'root',
  'fr',
  'en',
  'de',
  'on',
  'https://exemple.fr',
  'javascript:alert(1)',
  '//evil.test',
  '/admin',
  '#ff0000',
  'red',
  'rgb(0,0,0)',
  'totalement',
  'site',
  'test',
  'mois',
  '7',
  '30',
  '365',
];

/** Segments put in place of a route's parameters: forged ids, traversal, broken escapes. */
const ODD_SEGMENTS: readonly string[] = [
  '..',
  '%2e%2e',
  '..%2f..%2fsecret.key',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  '9007199254740993',
  '2147483648',
  '9999999999',
  '0001',
  '1e3',
  '0x10',
  'NaN',
  '1.5',
  '%00',
  'a%00b',
  '%E0%A4%A',
  '%',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%EF%BF%BF',
  encodeURIComponent('é'.repeat(400)),
  'x'.repeat(3000),
  encodeURIComponent('🎉'),
  '%20',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '%5B%5D',
  'a.json',
  'x.jpg',
  'src.raw',
  '..%5c..%5c',
  encodeURIComponent('<script>'),
];

const QUERY_KEYS = [
  'page',
  'per_page',
  'q',
  'categorie',
  'next',
  'ref',
  'status',
  'role',
  'periode',
  'from',
  'to',
  'sort',
  'bye',
  'choix',
  'utm_source',
  'format',
  'id',
  'token',
  'version',
  'locale',
];

interface Built {
  n: number;
  who: Who;
  withCsrf: boolean;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  describe: string;
}

interface Context {
  routes: RouteInfo[];
  fields: string[];
  valid: Record<string, string>;
  csrf: Record<Who, string>;
  images: Record<string, Buffer>;
}

/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on a lone surrogate; the bytes carry U+FFFD instead). */
function enc(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function oddValue(r: Rand, ctx: Context): string {
  if (r() < 0.25) return pick(r, Object.values(ctx.valid));
  return pick(r, ODD_STRINGS);
}

/** A JSON value of the wrong type, or a string. */
function oddJson(r: Rand, ctx: Context, depth = 0): unknown {
  const k = r();
  if (k < 0.45) return oddValue(r, ctx);
  if (k < 0.55) return pick(r, [0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, 2 ** 31]);
  if (k < 0.62) return pick(r, [true, false, null]);
  if (k < 0.75 && depth < 4) return Array.from({ length: Math.floor(r() * 4) }, () => oddJson(r, ctx, depth + 1));
  if (k < 0.85 && depth < 4) return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [pick(r, ctx.fields), oddJson(r, ctx, depth + 1)]));
  if (k < 0.9) return JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}') as unknown;
  return oddValue(r, ctx);
}

function formBody(r: Rand, ctx: Context, csrf: string | null): string {
  const parts: string[] = [];
  if (csrf) parts.push(`_csrf=${encodeURIComponent(csrf)}`);
  const count = Math.floor(r() * 8);
  for (let i = 0; i < count; i++) {
    const key = pick(r, ctx.fields);
    const shape = r();
    const value = enc(oddValue(r, ctx)).replace(/%EF%BF%BD/g, () => pick(r, ['%ED%A0%80', '%FF', '%C3', '%EF%BF%BD']));
    if (shape < 0.1) parts.push(`${key}[]=${value}&${key}[]=${value}`);
    else if (shape < 0.15) parts.push(`${key}[a][b]=${value}`);
    else if (shape < 0.25) parts.push(`${key}=${value}&${key}=${value}`);
    else if (shape < 0.3) parts.push(`${key}=%${pick(r, ['', 'z', 'E0%A4', '00', 'C3'])}`);
    else if (shape < 0.33) parts.push(key);
    else parts.push(`${key}=${value}`);
  }
  return parts.join('&');
}

function multipartBody(r: Rand, ctx: Context, csrf: string | null): { type: string; body: Buffer } {
  const boundary = `----crieurfuzz${Math.floor(r() * 1e9)}`;
  const chunks: Buffer[] = [];
  const field = (name: string, value: string) =>
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (csrf) field('_csrf', csrf);
  for (let i = Math.floor(r() * 4); i > 0; i--) field(pick(r, ['alt', 'credit', ...ctx.fields]), oddValue(r, ctx));
  const files = r() < 0.7 ? (r() < 0.1 ? 2 : 1) : 0;
  for (let i = 0; i < files; i++) {
    const name = pick(r, ['photo.jpg', '../../evil.png', 'a\0b.png', '', 'é'.repeat(300) + '.gif', 'x.svg', '%00.jpg']);
    const content = pick(r, Object.values(ctx.images));
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${pick(r, ['file', 'file', 'image', 'alt'])}"; filename="${name}"\r\nContent-Type: ${pick(r, ['image/jpeg', 'application/octet-stream', 'text/html'])}\r\n\r\n`,
      ),
    );
    chunks.push(content, Buffer.from('\r\n'));
  }
  const end = r();
  if (end < 0.8) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  else if (end < 0.9) chunks.push(Buffer.from(`--${boundary}`)); // cut off
  const declared = r() < 0.9 ? boundary : 'not-the-boundary';
  const type = r() < 0.05 ? 'multipart/form-data' : `multipart/form-data; boundary=${declared}`;
  return { type, body: Buffer.concat(chunks) };
}

function fillPath(route: RouteInfo, r: Rand, ctx: Context): string {
  const odd = r() < 0.5;
  return route.path
    .replace(/\{\*\w+\}/g, () => (odd ? pick(r, ODD_SEGMENTS) : '1/x.jpg'))
    .replace(/:(\w+)/g, (_, name: string) => {
      if (odd) return pick(r, ODD_SEGMENTS);
      if (name === 'id') {
        if (route.path.startsWith('/admin/media') || route.path.startsWith('/media')) return ctx.valid.mediaId!;
        if (route.path.startsWith('/admin/users')) return ctx.valid.userId!;
        if (route.path.startsWith('/admin/publications')) return ctx.valid.publicationId!;
        if (route.path.startsWith('/admin/mailbox')) return 'missing';
        // The pages added since: a real row each, so that odd input reaches their handlers.
        if (route.path.startsWith('/admin/pages')) return ctx.valid.pageId!;
        if (route.path.startsWith('/admin/categories')) return ctx.valid.categoryId!;
        if (route.path.startsWith('/admin/newsletter')) return ctx.valid.campaignId!;
        if (route.path.startsWith('/admin/subscribers')) return ctx.valid.subscriberId!;
        if (route.path.startsWith('/admin/networks')) return ctx.valid.accountId!;
        return ctx.valid.articleId!;
      }
      if (name === 'slug') return route.path.includes('categorie') ? ctx.valid.category! : ctx.valid.slug!;
      if (name === 'file') return ctx.valid.file!;
      if (name === 'no') return '1';
      return ctx.valid[name] ?? '1';
    });
}

function query(r: Rand, ctx: Context): string {
  if (r() < 0.5) return '';
  const parts: string[] = [];
  for (let i = 1 + Math.floor(r() * 3); i > 0; i--) {
    const key = pick(r, [...QUERY_KEYS, ...ctx.fields]);
    const shape = r();
    if (shape < 0.1) parts.push(`${key}[]=1&${key}[]=2`);
    else if (shape < 0.15) parts.push(`${key}[x]=1`);
    else if (shape < 0.25) parts.push(`${key}=${pick(r, ODD_SEGMENTS)}`);
    else parts.push(`${key}=${enc(oddValue(r, ctx)).slice(0, 6000)}`);
  }
  return `?${parts.join('&')}`;
}

/** Request number n, rebuilt from the seed and n alone. */
function build(n: number, ctx: Context): Built {
  const r = rng(SEED * 1_000_003 + n);
  const route = ctx.routes[n % ctx.routes.length] as RouteInfo;
  const who = ROLES[Math.floor(n / ctx.routes.length) % ROLES.length] as Who;
  let method = route.method;
  if (r() < 0.04) method = pick(r, ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST', 'GET']);
  const withCsrf = r() < 0.5;
  // Logging out would turn the rest of this role's requests into anonymous ones.
  const csrf = withCsrf && route.path !== '/admin/logout' ? ctx.csrf[who] : null;
  const headers: Record<string, string> = {};
  const accept = pick(r, ['text/html', 'application/json', '*/*', '', 'image/avif,image/webp', 'text/plain', 'application/json;q=0.1, text/html']);
  if (accept) headers.Accept = accept;
  if (r() < 0.1) headers['Accept-Language'] = pick(r, ['en', 'xx-invalid;q=abc', '*', 'de-DE']);
  if (r() < 0.1) headers.Referer = pick(r, ['https://www.google.com/', 'not a url', 'https://evil.test/?q=%00', 'android-app://x']);
  if (r() < 0.05) headers['If-None-Match'] = pick(r, ['"x"', '*', 'W/"1"']);
  if (r() < 0.05) headers.Range = pick(r, ['bytes=0-10', 'bytes=-1', 'bytes=99999999-', 'bytes=abc']);
  const url = fillPath(route, r, ctx) + query(r, ctx);

  let body: Buffer | undefined;
  let kind = 'none';
  if (method !== 'GET' && method !== 'HEAD' ? r() < 0.95 : r() < 0.1) {
    kind = pick(r, ['form', 'form', 'form', 'json', 'json', 'multipart', 'text', 'badcharset', 'truncated', 'nul', 'oversized', 'garbage', 'compressed']);
    if (kind === 'oversized' && r() < 0.6) kind = 'form';
    switch (kind) {
      case 'form':
        headers['Content-Type'] = pick(r, [
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=utf-8',
          'application/x-www-form-urlencoded; charset=ISO-8859-1',
        ]);
        body = Buffer.from(formBody(r, ctx, csrf));
        break;
      case 'json': {
        headers['Content-Type'] = pick(r, [
          'application/json',
          'application/json; charset=utf-8',
          'application/vnd.api+json',
          'application/json; charset=utf-16',
        ]);
        const top = r();
        const obj: Record<string, unknown> = {};
        if (csrf) obj._csrf = csrf;
        for (let i = Math.floor(r() * 8); i > 0; i--) obj[pick(r, ctx.fields)] = oddJson(r, ctx);
        body = Buffer.from(top < 0.1 ? JSON.stringify([obj]) : top < 0.15 ? pick(r, ['"x"', '1', 'null', 'true', '[]']) : JSON.stringify(obj));
        if (csrf && r() < 0.5) headers['X-CSRF-Token'] = csrf;
        break;
      }
      case 'multipart': {
        const m = multipartBody(r, ctx, csrf);
        headers['Content-Type'] = m.type;
        body = m.body;
        break;
      }
      case 'text':
        headers['Content-Type'] = pick(r, ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/octet-stream']);
        body = Buffer.from(oddValue(r, ctx));
        if (csrf) headers['X-CSRF-Token'] = csrf;
        break;
      case 'badcharset':
        headers['Content-Type'] = pick(r, [
          'application/x-www-form-urlencoded; charset=utf-42',
          'application/json; charset=klingon',
          'application/x-www-form-urlencoded; charset=',
          'application/json; charset="utf-8',
        ]);
        body = Buffer.from(csrf ? `_csrf=${encodeURIComponent(csrf)}&title=x` : 'title=x');
        if (csrf) headers['X-CSRF-Token'] = csrf;
        break;
      case 'truncated':
        headers['Content-Type'] = 'application/json';
        body = Buffer.from(
          pick(r, ['{"title":', '{"a":1,', '[', '{"_csrf":"', '{', '\u0000', '{"title":"\\ud800"}', '{"a":"\\u0000"}', '{"a":1}}', '{"a":NaN}', '{"a":1e999}']),
        );
        if (csrf) headers['X-CSRF-Token'] = csrf;
        break;
      case 'nul': {
        headers['Content-Type'] = pick(r, ['application/x-www-form-urlencoded', 'application/json']);
        const field = pick(r, ctx.fields);
        body = Buffer.from(
          headers['Content-Type'] === 'application/json'
            ? JSON.stringify({ ...(csrf ? { _csrf: csrf } : {}), [field]: `a\u0000b`, email: 'x\u0000@commune.test', password: '\u0000' })
            : `${csrf ? `_csrf=${encodeURIComponent(csrf)}&` : ''}${field}=a%00b&email=x%00%40commune.test&password=%00`,
        );
        break;
      }
      case 'oversized':
        headers['Content-Type'] = pick(r, ['application/x-www-form-urlencoded', 'application/json']);
        body = Buffer.from(
          headers['Content-Type'] === 'application/json'
            ? `{"body":"${'a'.repeat(1_100_000)}"}`
            : `${csrf ? `_csrf=${encodeURIComponent(csrf)}&` : ''}body=${'a'.repeat(1_100_000)}`,
        );
        break;
      case 'compressed': {
        headers['Content-Type'] = pick(r, ['application/x-www-form-urlencoded', 'application/json']);
        headers['Content-Encoding'] = pick(r, ['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip']);
        const plain = Buffer.from(
          headers['Content-Type'] === 'application/json' ? JSON.stringify({ _csrf: csrf ?? '', title: oddValue(r, ctx) }) : formBody(r, ctx, csrf),
        );
        const packed =
          headers['Content-Encoding'] === 'deflate'
            ? zlib.deflateSync(plain)
            : headers['Content-Encoding'] === 'br'
              ? zlib.brotliCompressSync(plain)
              : zlib.gzipSync(plain);
        // Whole, cut short, or a bomb: a small gzip that inflates past the 1 MB limit.
        const shape = r();
        body = shape < 0.6 ? packed : shape < 0.8 ? packed.subarray(0, Math.max(1, packed.length >> 1)) : zlib.gzipSync(Buffer.alloc(3_000_000, 0x61));
        if (csrf) headers['X-CSRF-Token'] = csrf;
        break;
      }
      default: // garbage bytes under a form's type
        headers['Content-Type'] = pick(r, ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=x']);
        body = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
        if (csrf) headers['X-CSRF-Token'] = csrf;
    }
  }
  const shown = body ? ` body(${kind}, ${body.length} B)=${JSON.stringify(body.subarray(0, 300).toString('latin1'))}` : '';
  return {
    n,
    who,
    withCsrf: !!csrf,
    method,
    url,
    headers,
    body,
    describe: `#${n} as ${who}: ${method} ${url.slice(0, 300)} ${JSON.stringify(headers)}${shown}`,
  };
}

let ctx: TestContext;
let server: http.Server;
// Warnings and above: the request lines at info would only cost time.
const captured = captureLog('warn');
const agents = {} as Record<Who, TestAgent>;
let context: Context;

async function login(role: Role): Promise<{ agent: TestAgent; csrf: string }> {
  const user = await makeUser(ctx.c, role);
  const agent = request.agent(server);
  const page = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
  return { agent, csrf: csrfFrom((await agent.get('/admin')).text) };
}

beforeAll(async () => {
  ctx = await createTestContext({}, { log: captured.log });
  // What `npm start` serves: the page cache's front door first, then the app.
  server = http.createServer(ctx.handler).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .jpeg()
    .toBuffer();
  const png = await sharp({ create: { width: 3, height: 2, channels: 4, background: '#00000000' } })
    .png()
    .toBuffer();
  const media = await ctx.c.media.ingest(jpeg, 'photo.jpg', { alt: 'Une photo' }, { id: null, label: 'test' });
  await ctx.c.media.whenReady(media.id);
  const file = (await ctx.c.media.get(media.id)).previewUrl?.split('/').pop() ?? 'x.jpg';
  const article = await publishArticle(ctx.c, {
    title: 'Fête du village',
    summary: 'Sur la place.',
    bodyMd: 'Musique et **bal**.',
    categoryId: await categoryId(ctx.c, 'culture'),
    heroMediaId: media.id,
    heroAlt: 'La place décorée',
    eventStart: new Date('2026-04-01T18:00:00Z'),
    eventEnd: new Date('2026-04-01T23:00:00Z'),
    eventPlace: 'Place de la mairie',
  });
  const account = await makeTestAccount(ctx.c);
  const publication = await makePublication(ctx.c, article.id, account, ctx.clock.now());
  const user = await makeUser(ctx.c, 'editor');
  const page = await ctx.c.pages.create(
    { title: 'La mairie', slug: '', parentId: null, summary: 'Les services.', bodyMd: 'Bienvenue.', status: 'published' },
    { id: null, label: 'test' },
  );
  const campaign = await ctx.c.campaigns.create({ subject: 'La lettre de juin', intro: 'Bonjour.', articleIds: [article.id] }, { id: null, label: 'test' });
  const subscriber = await makeSubscriber(ctx.c);

  // A PNG header that claims 10 × 10,000,000 pixels, with no pixels behind it.
  const tall = Buffer.from(png);
  tall.writeUInt32BE(10, 16);
  tall.writeUInt32BE(10_000_000, 20);
  const images = {
    jpeg,
    png,
    truncated: jpeg.subarray(0, jpeg.length / 2),
    tall,
    strip: await sharp({ create: { width: 1, height: 200, channels: 3, background: '#336699' } })
      .png()
      .toBuffer(),
    svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    text: Buffer.from('bonjour'),
    empty: Buffer.alloc(0),
    nul: Buffer.alloc(64),
  };

  const csrf = {} as Record<Who, string>;
  for (const role of ['admin', 'editor', 'elected'] as const) {
    const s = await login(role);
    agents[role] = s.agent;
    csrf[role] = s.csrf;
  }
  // An anonymous visitor has a session too once the login page is shown, and its token.
  agents.anonymous = request.agent(server);
  csrf.anonymous = csrfFrom((await agents.anonymous.get('/admin/login')).text);

  const valid = {
    articleId: String(article.id),
    mediaId: String(media.id),
    userId: String(user.id),
    publicationId: String(publication),
    pageId: String(page.id),
    categoryId: String(await categoryId(ctx.c, 'culture')),
    campaignId: String(campaign),
    subscriberId: String(subscriber),
    accountId: String(account),
    slug: article.slug,
    category: 'culture',
    file,
    token: 'not-a-token',
    version: '1',
    email: user.email,
  };

  const routes = collectRoutes(ctx.app);
  // The fields every form of the admin sends, read from the pages themselves.
  const fields = new Set([
    'title',
    'body',
    'summary',
    'email',
    'password',
    'next',
    'alt',
    'credit',
    'to',
    'version',
    'role',
    'name',
    'choix',
    'slug',
    'categoryId',
    'heroMediaId',
    'publishAt',
  ]);
  for (const r of routes.filter((x) => x.method === 'GET' && x.path.startsWith('/admin'))) {
    const url = fillPath(r, () => 0.99, { routes, fields: [], valid, csrf, images });
    const page = await agents.admin.get(url);
    for (const m of page.text.matchAll(/name="([^"]+)"/g)) if (m[1] && m[1] !== '_csrf' && !m[1].includes(' ')) fields.add(m[1]);
  }

  context = { routes, fields: [...fields].sort(), valid, csrf, images };
  captured.lines.length = 0;
}, 120_000);

afterAll(async () => {
  await ctx.c.media.idle();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ctx.close();
});

async function send(b: Built): Promise<number> {
  const agent = agents[b.who];
  const m = b.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch' | 'options' | 'head';
  let req = agent[m](b.url)
    .redirects(0)
    .ok(() => true);
  for (const [k, v] of Object.entries(b.headers)) req = req.set(k, v);
  // Bodies go out as raw bytes: superagent would otherwise serialize a Buffer by its content type.
  if (b.body) req = req.serialize((raw: unknown) => raw as string).send(b.body);
  try {
    return (await req).status;
  } catch (err) {
    // The server may close the connection on a refused oversized body before reading it all.
    const code = (err as { code?: string }).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') return 0;
    throw new Error(`${b.describe}: ${(err as Error).message}`);
  }
}

describe('fuzzing every route as every role', () => {
  it(`answers ${REQUESTS} malformed requests without a 500 or an error in the log`, async () => {
    expect(context.routes.length).toBeGreaterThan(80);
    expect(context.fields.length).toBeGreaterThan(30);
    expect(REQUESTS).toBeGreaterThanOrEqual(context.routes.length * ROLES.length);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let handled = 0;
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const b = build(next++, context);
        const status = await send(b);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) failures.push(`${status} for ${b.describe}`);
        if (b.withCsrf && b.who !== 'anonymous' && b.method === 'POST' && status !== 403 && status !== 404) handled++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await ctx.c.media.idle();

    const errors = captured.errors();
    if (process.env.FUZZ_STATS) console.log({ handled, statuses: Object.fromEntries(statuses) });
    // Enough forms must get past the CSRF check and the permissions to the handlers, or the test proves little.
    expect(handled).toBeGreaterThan(100);
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect({ seed: SEED, serverErrors: failures.slice(0, 15), errorLogs: errors.slice(0, 15), totals: [failures.length, errors.length] }).toEqual({
      seed: SEED,
      serverErrors: [],
      errorLogs: [],
      totals: [0, 0],
    });
  }, 300_000);
});
