import crypto from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { Clock } from '../clock';
import type { ViewInput } from '../audience/audience.service';

type Encoding = 'br' | 'gzip' | 'identity';

interface Answer {
  /** The full header set, built once per encoding: a cache hit allocates nothing for it. */
  headers: Record<string, string | number>;
  body: Buffer;
}

/**
 * A rendered public page, ready to be written as is: its headers (security headers included,
 * copied from the response that rendered it), its HTML, and its compressed forms as visitors ask
 * for them. A visitor who accepts no compression costs no compression.
 */
export interface CachedPage {
  etag: string;
  headers: Record<string, string>;
  identity: Buffer;
  /** Filled on first use of each encoding and kept with the page, so later hits send the same bytes. */
  answers: Partial<Record<Encoding, Answer>>;
  /** The article the page shows, for audience counting (null for lists and other pages). */
  articleId: number | null;
  expiresAt: number;
}

// Measured on the 10 KB article page: Brotli quality 5 takes 0.1 ms for 2,053 bytes, quality 9
// 5 ms for 2,043, quality 11 10 ms for 1,886; gzip 6 and 9 differ by 8 bytes. Synchronous: at this
// size the thread pool's round trip costs more than the work (Brotli 5: 0.29 ms of CPU through
// zlib.brotliCompress, 0.12 ms through brotliCompressSync).
const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
const GZIP = { level: 6 };

/**
 * Browsers must ask again every time (an urgent notice that was corrected or withdrawn has to
 * disappear at once), but asking is cheap: the ETag usually answers 304 from the fast path.
 */
export const PAGE_CACHE_CONTROL = 'public, no-cache';

/** Headers that depend on the answer, not on the page: never stored. */
const PER_ANSWER = new Set(['content-length', 'content-encoding', 'etag', 'set-cookie', 'date', 'connection', 'transfer-encoding', 'keep-alive']);

/** Links Crieur adds to its own URLs to attribute the source; the page itself is the same. */
const TRACKING_PARAM = /^(ref|utm_[a-z]+)$/;
const MAX_KEY_LENGTH = 300;

/**
 * The cache key of a URL: path and query, less the attribution parameters, so that
 * /actualites/x?ref=newsletter is served from the same entry as /actualites/x. Null when the URL
 * is not worth caching (overlong: nobody links to it, and it would only fill memory).
 */
export function cacheKey(url: string): string | null {
  if (url.length > MAX_KEY_LENGTH) return null;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((pair) => pair && !TRACKING_PARAM.test(pair.split('=')[0] ?? ''));
  return kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

/** Brotli, else gzip, else nothing; honours "q=0" refusals. */
export function pickEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  if (!header.includes('q=')) return header.includes('br') ? 'br' : header.includes('gzip') ? 'gzip' : 'identity';
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && (!q || Number(q.slice(2)) > 0)) accepted.add(name);
  }
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : 'identity';
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** Responses written by `serve`: already in the encoding chosen for them, to be sent as they are. */
const servedPages = new WeakSet<ServerResponse>();

/**
 * For Express's compression middleware: a page the cache answered is already compressed as the
 * visitor asked, or deliberately not (an encoding it does not make, such as deflate); compressing
 * it again would cost every miss and answer differently from the same page served as a hit.
 */
export function answeredByPageCache(res: ServerResponse): boolean {
  return servedPages.has(res);
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The visitor's address with Express's `trust proxy: loopback` meaning, without Express: proxies
 * on this machine are believed about who they forward for, nobody else is.
 */
export function clientIp(req: IncomingMessage): string | undefined {
  let ip = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];
  if (!ip || !forwarded) return ip;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  while (ip && LOOPBACK.test(ip) && hops.length) ip = hops.pop();
  return ip;
}

export interface PageCacheOptions {
  clock: Clock;
  /**
   * Called once per GET answered with a page, whether the front door answered it from the cache
   * or a route rendered it (audience counting: the container hands it AudienceService.countView).
   */
  onView?: (view: ViewInput) => void;
  /** Bounds how stale a page can get from causes no event reports: time passing (an event
   *  becomes past, an alert older than 72 h) and changes made by another instance. */
  ttlMs?: number;
  maxEntries?: number;
}

/** Something that can tell us the public content changed. */
export interface ChangeSources {
  articles: { events: { on(event: 'changed', fn: () => void): unknown } };
  publishingEvents: { on(event: 'sent' | 'retracted' | 'changed', fn: () => void): unknown };
  settings: { events: { on(event: 'changed', fn: () => void): unknown } };
}

/**
 * Rendered public pages in memory, keyed by URL, for anonymous GET and HEAD. Filled by the site
 * routes, emptied whenever an article, a publication or the settings change, and served by the
 * front door (`frontDoor` below) before Express sees the request at all.
 */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private readonly inflight = new Map<string, Promise<CachedPage>>();
  private readonly facts = new Map<string, { value: Promise<unknown>; expiresAt: number }>();
  private generation = 0;
  private bypassed = false;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly opts: PageCacheOptions) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 500;
  }

  /** Empties the cache on every change that can alter a public page (a category is edited through its articles). */
  watch(sources: ChangeSources): this {
    const clear = () => this.clear();
    sources.articles.events.on('changed', clear);
    for (const e of ['sent', 'retracted', 'changed'] as const) sources.publishingEvents.on(e, clear);
    sources.settings.events.on('changed', clear);
    return this;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inflight.clear();
    this.facts.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A value many pages are built from (the categories and their article counts), loaded once and
   * dropped with the pages: on the same events, after the same lifetime. A load still running
   * when the content changes serves only those already waiting for it, as `fill` does.
   */
  remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.opts.clock.now().getTime();
    const kept = this.facts.get(key);
    if (kept && kept.expiresAt > now) return kept.value as Promise<T>;
    const entry = { value: load(), expiresAt: now + this.ttlMs };
    this.facts.set(key, entry);
    entry.value.catch(() => {
      if (this.facts.get(key) === entry) this.facts.delete(key); // a failed read is tried again by the next page
    });
    return entry.value as Promise<T>;
  }

  /**
   * For bench/site.bench.ts only, which measures what a miss costs: while on, the front door
   * answers nothing and every request renders its page (not shared with simultaneous requests,
   * not kept). Nothing else turns it on; there is no way to ask for it from outside the process.
   */
  setBypass(on: boolean): void {
    this.bypassed = on;
    this.clear();
  }

  get(key: string): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.opts.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * The page for `key`, rendered once however many visitors ask for it at the same time. A page
   * rendered while the content changed is served to whoever asked but not kept: it may be stale.
   */
  async fill(key: string | null, render: () => Promise<{ page: CachedPage; keep: boolean }>): Promise<CachedPage> {
    if (!key || this.bypassed) return (await render()).page;
    const cached = this.get(key); // the fast path looks up the URL as typed; the route, its canonical form
    if (cached) return cached;
    const running = this.inflight.get(key);
    if (running) return running;
    const generation = this.generation;
    const job = render().then(({ page, keep }) => {
      if (keep && generation === this.generation) this.put(key, page);
      return page;
    });
    this.inflight.set(key, job);
    try {
      return await job;
    } finally {
      if (this.inflight.get(key) === job) this.inflight.delete(key);
    }
  }

  /**
   * Builds an entry from rendered HTML and the headers the response had when it was rendered.
   * Nothing is compressed yet: `serve` compresses for the first visitor who accepts an encoding.
   */
  build(html: string, responseHeaders: Record<string, unknown>, articleId: number | null): CachedPage {
    const identity = Buffer.from(html, 'utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(responseHeaders)) {
      if (value === undefined || PER_ANSWER.has(name.toLowerCase())) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    headers['content-type'] = 'text/html; charset=utf-8';
    headers['cache-control'] = PAGE_CACHE_CONTROL;
    headers.vary = 'Accept-Encoding';
    const etag = `W/"${crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`;
    return { etag, headers, identity, answers: {}, articleId, expiresAt: this.opts.clock.now().getTime() + this.ttlMs };
  }

  /**
   * Writes a page: 304 when the browser has it, else the best encoding it accepts. Both the
   * front door and the rendering routes answer through here, so both answers are identical and
   * each GET is counted exactly once, by whichever of the two answered it.
   */
  serve(req: IncomingMessage, res: ServerResponse, page: CachedPage): void {
    const method = req.method;
    if (method === 'GET' && this.opts.onView) {
      this.opts.onView({ articleId: page.articleId, path: pathOf(req.url ?? '/'), url: req.url ?? '/', headers: req.headers, ip: clientIp(req) });
    }
    if (matches(req.headers['if-none-match'], page.etag)) {
      res.writeHead(304, { etag: page.etag, 'cache-control': page.headers['cache-control'] ?? PAGE_CACHE_CONTROL, vary: 'Accept-Encoding' });
      res.end();
      return;
    }
    const answer = answerOf(page, pickEncoding(req.headers['accept-encoding'] as string | undefined));
    servedPages.add(res);
    res.writeHead(200, answer.headers);
    res.end(method === 'HEAD' ? undefined : answer.body);
  }

  /** Answers from the cache when it can; false means "not mine, carry on". Never throws. */
  tryServe(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if ((method !== 'GET' && method !== 'HEAD') || this.entries.size === 0 || this.bypassed) return false;
    const key = cacheKey(req.url ?? '/');
    const page = key === null ? undefined : this.get(key);
    if (!page) return false;
    this.serve(req, res, page);
    return true;
  }

  private put(key: string, page: CachedPage): void {
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, page);
  }
}

/**
 * The HTTP server's request listener: a cached page is answered here, before Express builds its
 * request and response or runs any middleware; everything else goes on to `next` (the Express
 * app, itself a request listener). Measured on this machine: the cache as a first Express
 * middleware reached about 40 % of a bare node:http server, this listener over half of it with the
 * page's 19 headers and audience counting (docs/benchmarks.md, "Site").
 */
export function frontDoor(cache: PageCache, next: RequestListener): RequestListener {
  return (req, res) => {
    if (!cache.tryServe(req, res)) next(req, res);
  };
}

/** The page's answer in `encoding`, compressed and kept with the page the first time it is asked for. */
function answerOf(page: CachedPage, encoding: Encoding): Answer {
  let answer = page.answers[encoding];
  if (!answer) {
    const body = encoding === 'br' ? zlib.brotliCompressSync(page.identity, BROTLI) : encoding === 'gzip' ? zlib.gzipSync(page.identity, GZIP) : page.identity;
    const headers: Answer['headers'] = { ...page.headers, etag: page.etag, 'content-length': body.length };
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    answer = page.answers[encoding] = { headers, body };
  }
  return answer;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
