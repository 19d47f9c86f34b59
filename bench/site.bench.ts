/**
 * npm run bench:site — starts Crieur on a fresh SQLite database holding 1,000 published articles
 * (their site publications sent) and, in the same run, a bare node:http server answering a string
 * as long as the article page. autocannon (50 connections, BENCH_SECONDS ≥ 10 s after a 3 s
 * warm-up, BENCH_ROUNDS rounds, median kept) measures: the bare server, the bare server sending
 * the article page's own headers too (a diagnostic), the cached article page with audience
 * counting off and on (the default), and the article page rendered on every request (the page
 * cache bypassed: what a miss costs), without and with Brotli. Then the home page's weight: its
 * HTML plus the CSS and JS it links, uncompressed (and as sent with Brotli, for information).
 *
 * Each server runs in a child process of its own, pinned to core 0 (taskset), and autocannon in
 * this one, pinned to core 1, so that the load generator never shares a core with what it
 * measures, and "renders per second" means on one core. Without taskset nothing is pinned, and
 * the section says so.
 *
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of the Crieur process to a temporary folder.
 * Figures go to the "Site" section of docs/benchmarks.md.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate, type Container } from '../server/container';
import { createHandler } from '../server/app';

const ARTICLES = 1000;
const SECONDS = Math.max(10, Number(process.env.BENCH_SECONDS ?? 10));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WARMUP_SECONDS = 3;
const CONNECTIONS = 50;
const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';
const DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');
const COMMAND = 'npm run bench:site';
// A reader's browser: the audience counter ignores anything that looks like a tool.
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SLUG = 'actualite-0500';

function env(dir: string): NodeJS.ProcessEnv {
  return { DATA_DIR: dir, SECRET_KEY: SECRET, LOG_LEVEL: 'silent', CRIEUR_DEMO: 'false', NODE_ENV: 'production', JOBS_ENABLED: 'false' };
}

function paragraphs(i: number): string {
  const p = (k: number) =>
    `Le conseil municipal a examiné le point ${k} de l’ordre du jour concernant le projet numéro ${i}. Les travaux commenceront au printemps, ` +
    'après la consultation des riverains et la réunion publique prévue à la salle des fêtes. La circulation sera maintenue sur une voie, ' +
    'avec un alternat par feux aux heures de pointe ; le stationnement sera interdit le long du chantier.';
  return Array.from({ length: 6 }, (_, k) => `<p>${p(k + 1)}</p>`).join('\n');
}

/** 1,000 published articles over the 8 categories, each on the site since a different minute. */
async function seed(c: Container): Promise<void> {
  const site = (await c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number };
  const categories = (await c.db('categories').select('id')).map((r) => r.id as number);
  const now = Date.now();
  const at = (i: number) => new Date(now - (ARTICLES - i) * 60_000).toISOString();
  const rows = Array.from({ length: ARTICLES }, (_, i) => ({
    slug: `actualite-${String(i).padStart(4, '0')}`,
    title: `Actualité ${i} : travaux, fêtes et vie de la commune`,
    summary: `Ce qu’il faut savoir sur le projet ${i} : dates, lieux et contacts.`,
    body_md: 'Texte',
    body_html: paragraphs(i),
    category_id: categories[i % categories.length],
    status: 'published',
    publish_at: at(i),
    urgent: false,
    created_at: at(i),
    updated_at: at(i),
  }));
  await c.db.batchInsert('articles', rows, 100);
  const ids = (await c.db('articles').select('id', 'publish_at').orderBy('id')) as { id: number; publish_at: string }[];
  const pubs = ids.map((a) => ({
    article_id: a.id,
    account_id: site.id,
    channel: 'site',
    scheduled_at: a.publish_at,
    due_at: a.publish_at,
    status: 'sent',
    sent_at: a.publish_at,
    created_at: a.publish_at,
    updated_at: a.publish_at,
  }));
  await c.db.batchInsert('publications', pubs, 100);
}

// ---------------------------------------------------------------------------------------------
// Child processes

type ToChild = { cmd: 'audience'; on: boolean } | { cmd: 'bypass'; on: boolean } | { cmd: 'views' } | { cmd: 'cpu' } | { cmd: 'exit' };
type FromChild = { port: number } | { ok: true } | { views: number } | { cpu: number };

/** CPU time this process has used, in µs. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function serveCrieur(dir: string): Promise<void> {
  const c = createContainer(loadConfig(env(dir)), { log: pino({ level: 'silent' }) });
  const server = http.createServer(createHandler(c)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.cmd === 'audience') {
        c.audience.setEnabled(m.on);
        process.send?.({ ok: true });
      } else if (m.cmd === 'bypass') {
        // The page cache's own switch for this benchmark (PageCache.setBypass): every request renders.
        c.siteCache.setBypass(m.on);
        process.send?.({ ok: true });
      } else if (m.cmd === 'cpu') {
        process.send?.({ cpu: cpuNow() });
      } else if (m.cmd === 'views') {
        await c.audience.flush();
        const row = await c.db('audience_views').sum({ n: 'views' }).first();
        process.send?.({ views: Number((row as { n?: unknown } | undefined)?.n ?? 0) });
      } else {
        server.close();
        await c.close();
        process.exit(0);
      }
    })();
  });
  process.send?.({ port: (server.address() as { port: number }).port });
}

/** `headers`: base64 JSON of the headers to send (the article page's own), else just a content type. */
async function serveBare(size: number, headers: string | undefined): Promise<void> {
  const body = 'x'.repeat(size);
  const head: Record<string, string | number> = headers
    ? JSON.parse(Buffer.from(headers, 'base64').toString('utf8'))
    : { 'content-type': 'text/html; charset=utf-8' };
  head['content-length'] = Buffer.byteLength(body);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, head);
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
  process.on('message', (m: ToChild) => (m.cmd === 'cpu' ? process.send?.({ cpu: cpuNow() }) : process.exit(0)));
}

// The machine's cores, counted before this process pins itself (the count then follows the pinning).
const CORES = os.availableParallelism();
/** Whether taskset can pin processes here (Linux with util-linux and at least two cores); set by main. */
let PINNED = false;

/** Moves this process (autocannon), every thread of it, to core 1, when taskset can. */
function pinSelf(): void {
  if (CORES < 2) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    PINNED = true;
  } catch {
    PINNED = false;
  }
}

function start(args: string[], execArgv: string[] = []): { child: ChildProcess; next: () => Promise<FromChild> } {
  const node = ['--import', 'tsx', ...execArgv];
  // Through taskset, which then runs node on core 0 (threads included: libuv's pool, where sqlite3 works).
  const child = PINNED
    ? fork(__filename, args, { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, ...node], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(__filename, args, { execArgv: node, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: FromChild[] = [];
  const waiting: ((m: FromChild) => void)[] = [];
  child.on('message', (m: FromChild) => {
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  child.on('exit', (code) => {
    if (code) console.error(`child ${args[0]} exited with ${code}`);
  });
  const next = () =>
    new Promise<FromChild>((resolve) => {
      const m = queue.shift();
      if (m) resolve(m);
      else waiting.push(resolve);
    });
  return { child, next };
}

// ---------------------------------------------------------------------------------------------
// Measures

interface Run {
  rps: number;
  p99: number;
  requests: number;
  /** Share of one core used by the server, and by autocannon, during the run. */
  serverCpu?: number;
  clientCpu?: number;
}

async function load(url: string, seconds: number, extra: Record<string, string> = {}): Promise<Run> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { 'user-agent': BROWSER, accept: 'text/html', ...extra } });
  if (r.errors || r.timeouts || r.non2xx) throw new Error(`${url}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx answers`);
  return { rps: r.requests.average, p99: r.latency.p99, requests: r.requests.total };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'user-agent': BROWSER, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      })
      .on('error', reject);
  });
}

/** The home page and what it makes the browser download besides images: its CSS and JS. */
async function homeWeight(base: string): Promise<{ files: { url: string; bytes: number; brotli: number }[]; total: number; brotli: number }> {
  const html = await get(`${base}/`);
  if (html.status !== 200) throw new Error(`home page answered ${html.status}`);
  const text = html.body.toString('utf8');
  const urls = new Set<string>();
  for (const m of text.matchAll(/<link\b[^>]*>/g)) {
    if (/rel="?stylesheet"?/.test(m[0])) {
      const href = /href="([^"]+)"/.exec(m[0])?.[1];
      if (href) urls.add(href.replace(/&amp;/g, '&'));
    }
  }
  for (const m of text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) urls.add((m[1] as string).replace(/&amp;/g, '&'));
  const files = [{ url: '/', bytes: html.body.length, brotli: (await get(`${base}/`, { 'accept-encoding': 'br' })).body.length }];
  for (const u of urls) {
    const plain = await get(new URL(u, base).toString());
    if (plain.status !== 200) throw new Error(`${u} answered ${plain.status}`);
    const br = await get(new URL(u, base).toString(), { 'accept-encoding': 'br' });
    files.push({ url: u, bytes: plain.body.length, brotli: br.body.length });
  }
  return { files, total: files.reduce((n, f) => n + f.bytes, 0), brotli: files.reduce((n, f) => n + f.brotli, 0) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (share: number | undefined) => `${Math.round((share ?? 0) * 100)} %`;

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]?.toFixed(2) ?? '?';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bench-site-'));
  const children: ChildProcess[] = [];
  try {
    pinSelf();
    console.log(`node ${process.version}, ${CORES} cores (${os.cpus()[0]?.model ?? '?'}), load average ${loadAtStart}`);
    console.log(PINNED ? 'servers pinned to core 0, autocannon to core 1 (taskset)' : 'taskset unavailable: nothing pinned');
    const seeding = createContainer(loadConfig(env(dir)), { log: pino({ level: 'silent' }) });
    await migrate(seeding);
    await seed(seeding);
    await seeding.close();

    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(os.tmpdir(), 'crieur-bench-site-prof')}`] : [];
    const crieur = start(['crieur', dir], profile);
    children.push(crieur.child);
    const base = `http://127.0.0.1:${((await crieur.next()) as { port: number }).port}`;
    const articleUrl = `${base}/actualites/${SLUG}`;
    const page = await get(articleUrl);
    if (page.status !== 200 || !page.body.includes('Actualité 500')) throw new Error(`article page answered ${page.status}`);
    const size = page.body.length;
    const brotliSize = (await get(articleUrl, { 'accept-encoding': 'br' })).body.length;

    const bare = start(['bare', String(size)]);
    // The same body with the article page's own headers (security headers, ETag…): autocannon
    // pays for parsing them too, which tells the server's cost from the load generator's.
    const pageHeaders = Object.fromEntries(Object.entries(page.headers).filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(k)));
    const twin = start(['bare', String(size), Buffer.from(JSON.stringify(pageHeaders)).toString('base64')]);
    children.push(bare.child, twin.child);
    const bareUrl = `http://127.0.0.1:${((await bare.next()) as { port: number }).port}/`;
    const twinUrl = `http://127.0.0.1:${((await twin.next()) as { port: number }).port}/`;
    console.log(
      `article page: ${kb(size)} of HTML (uncompressed; autocannon asks for no compression unless said), ${kb(brotliSize)} with Brotli; bare server answers as many bytes`,
    );
    console.log(`${ROUNDS} round(s) of ${SECONDS} s per target after ${WARMUP_SECONDS} s of warm-up, ${CONNECTIONS} connections`);

    const control = async (cmd: 'audience' | 'bypass', on: boolean) => {
      crieur.child.send({ cmd, on } satisfies ToChild);
      await crieur.next();
    };
    const crieurMode = (audience: boolean, bypass: boolean) => async () => {
      await control('audience', audience);
      await control('bypass', bypass);
    };
    const none = async () => {};
    const targets: Target[] = [
      { key: 'bare', label: 'bare node:http, same size', url: bareUrl, before: none },
      { key: 'twin', label: 'bare node:http, same size and same headers', url: twinUrl, before: none },
      { key: 'off', label: 'article page from the cache, audience counting off', url: articleUrl, before: crieurMode(false, false) },
      { key: 'on', label: 'article page from the cache, audience counting on (default)', url: articleUrl, before: crieurMode(true, false) },
      { key: 'render', label: 'article page rendered on every request (cache bypassed)', url: articleUrl, before: crieurMode(true, true) },
      {
        key: 'renderBr',
        label: 'article page rendered on every request, Brotli asked',
        url: articleUrl,
        headers: { 'accept-encoding': 'gzip, deflate, br' },
        before: crieurMode(true, true),
      },
    ];
    const counting = new Set<Key>(['on', 'render', 'renderBr']);
    const runs = Object.fromEntries(targets.map((t) => [t.key, [] as Run[]])) as Record<Key, Run[]>;
    let countedRequests = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      // Every other round in reverse order, so that a slow drift of the machine weighs on each target alike.
      for (const t of round % 2 ? targets : [...targets].reverse()) {
        await t.before();
        const warm = await load(t.url, WARMUP_SECONDS, t.headers);
        const server = t.key === 'bare' ? bare : t.key === 'twin' ? twin : crieur;
        server.child.send({ cmd: 'cpu' } satisfies ToChild);
        const serverBefore = ((await server.next()) as { cpu: number }).cpu;
        const clientBefore = cpuNow();
        const started = performance.now();
        const r = await load(t.url, SECONDS, t.headers);
        const wallUs = (performance.now() - started) * 1000;
        server.child.send({ cmd: 'cpu' } satisfies ToChild);
        r.serverCpu = (((await server.next()) as { cpu: number }).cpu - serverBefore) / wallUs;
        r.clientCpu = (cpuNow() - clientBefore) / wallUs;
        if (counting.has(t.key)) countedRequests += warm.requests + r.requests;
        runs[t.key].push(r);
        console.log(`  round ${round} ${t.label}: ${int(r.rps)} req/s, p99 ${r.p99} ms (CPU: server ${pct(r.serverCpu)}, autocannon ${pct(r.clientCpu)})`);
      }
    }
    await crieurMode(true, false)();
    crieur.child.send({ cmd: 'views' } satisfies ToChild);
    const counted = ((await crieur.next()) as { views: number }).views;
    // autocannon leaves out of its totals the requests still in flight when a run stops (at most
    // one per connection), which the server did answer and count; the two first page loads count too.
    const inFlight = 2 + 2 * ROUNDS * CONNECTIONS * counting.size;
    if (counted < countedRequests || counted > countedRequests + inFlight) {
      throw new Error(`audience counted ${counted} views for ${countedRequests} requests with counting on`);
    }

    const weight = await homeWeight(base);
    const m = Object.fromEntries(
      targets.map((t) => [t.key, { rps: median(runs[t.key].map((r) => r.rps)), p99: median(runs[t.key].map((r) => r.p99)) }]),
    ) as Record<Key, { rps: number; p99: number }>;
    // Ratios are taken within each round (targets measured minutes apart under the same load), then the median.
    const versusBare = (key: Key) => median(runs[key].map((r, i) => r.rps / (runs.bare[i] as Run).rps));
    const ratio = versusBare('on');
    const twinRatio = median(runs.on.map((r, i) => r.rps / (runs.twin[i] as Run).rps));
    const audienceCost = median(runs.on.map((r, i) => 1 - r.rps / (runs.off[i] as Run).rps));
    const renderCpuMs = median(runs.render.map((r) => ((r.serverCpu ?? 0) * 1000) / r.rps));

    console.log('');
    console.log('| target | req/s (median) | p99 (median) |');
    for (const t of targets) console.log(`| ${t.label} | ${int(m[t.key].rps)} | ${m[t.key].p99} ms |`);
    console.log(
      `home page: ${kb(weight.total)} uncompressed (${weight.files.map((f) => `${f.url} ${kb(f.bytes)}`).join(', ')}); ${kb(weight.brotli)} as sent with Brotli`,
    );
    console.log(
      `audience counting: ${counted} views counted for ${countedRequests} completed requests; cost ${(audienceCost * 100).toFixed(1)} % of throughput`,
    );

    writeSection({
      m,
      runs,
      targets,
      size,
      brotliSize,
      weight,
      ratio,
      twinRatio,
      renderRatio: versusBare('render'),
      renderCpuMs,
      headerCount: Object.keys(page.headers).length,
      audienceCost,
      loadAtStart,
      counted,
    });
    crieur.child.send({ cmd: 'exit' } satisfies ToChild);
    bare.child.send({ cmd: 'exit' } satisfies ToChild);
    twin.child.send({ cmd: 'exit' } satisfies ToChild);
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode === null ? c.once('exit', resolve) : resolve(null)))));
    if (profile.length) console.log(`CPU profile written under ${path.join(os.tmpdir(), 'crieur-bench-site-prof')}`);
    const where = PINNED ? 'on one core' : 'unpinned';
    console.log(
      `site article page from the cache: ${int(m.on.rps)} req/s = ${Math.round(ratio * 100)}% of bare node:http (${int(m.bare.rps)} req/s, same run), p99 ${m.on.p99} ms`,
    );
    console.log(
      `site render: ${int(m.render.rps)} renders/s ${where}, ${renderCpuMs.toFixed(1)} ms of CPU each (bare node:http: ${int(m.bare.rps)} req/s ${where}, same run)`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Key = 'bare' | 'twin' | 'off' | 'on' | 'render' | 'renderBr';

interface Target {
  key: Key;
  label: string;
  url: string;
  headers?: Record<string, string>;
  before: () => Promise<void>;
}

interface Figures {
  m: Record<Key, { rps: number; p99: number }>;
  runs: Record<Key, Run[]>;
  targets: Target[];
  twinRatio: number;
  headerCount: number;
  size: number;
  brotliSize: number;
  weight: Awaited<ReturnType<typeof homeWeight>>;
  ratio: number;
  renderRatio: number;
  renderCpuMs: number;
  audienceCost: number;
  loadAtStart: string;
  counted: number;
}

/** Which side limited the cached article page's runs: Crieur's process or the load generator. */
function cpuNote(f: Figures): string {
  const server = median(f.runs.on.map((r) => r.serverCpu ?? 0));
  const client = median(f.runs.on.map((r) => r.clientCpu ?? 0));
  const limit =
    client >= 0.95 && server < 0.9
      ? `autocannon, not Crieur, was the limit (Crieur had CPU to spare). Part of the gap to the bare server is autocannon
parsing the page's ${f.headerCount} response headers (security headers, ETag…): the bare server sending those same headers
is the closer comparison of the servers themselves.`
      : server >= 0.9
        ? "Crieur's process was the limit."
        : 'neither process was saturated: the machine (other work, scheduling) was the limit.';
  const render = median(f.runs.render.map((r) => r.serverCpu ?? 0));
  return `During the cached article-page runs (counting on), Crieur's process used ${pct(server)} of a core and autocannon
${pct(client)} (medians): ${limit} During the renders Crieur used ${pct(render)} of its core: each render took
${f.renderCpuMs.toFixed(1)} ms of CPU, everything included (HTTP, Express, three SQLite queries on libuv's pool, EJS, the page's
ETag, audience counting).`;
}

/** Replaces the "## Site" section of docs/benchmarks.md, leaving other sections alone. */
function writeSection(f: Figures): void {
  const rows = f.targets
    .map(
      (t) =>
        `| ${t.label} | **${int(f.m[t.key].rps)}** | ${f.m[t.key].p99} ms | ${f.runs[t.key].map((r) => `${int(r.rps)} / ${r.p99} ms / ${pct(r.serverCpu)} / ${pct(r.clientCpu)}`).join(', ')} |`,
    )
    .join('\n');
  const ok = (b: boolean) => (b ? 'met' : '**missed**');
  const where = PINNED ? 'on one core' : 'unpinned';
  const section = `## Site

Command: \`${COMMAND}\` (bench/site.bench.ts). Crieur (production mode, SQLite, 1,000 published articles) and a
bare node:http server answering a string of the same size (${kb(f.size)}, the article page's uncompressed HTML) each
run in a child process; autocannon runs in the parent with ${CONNECTIONS} connections, ${SECONDS} s per measure after
${WARMUP_SECONDS} s of warm-up, ${ROUNDS} rounds, medians kept. ${PINNED ? "Every server runs pinned to core 0 (`taskset -c 0`, its threads included) and autocannon to core 1: a server's figure is what one core does." : 'taskset was not available: nothing was pinned.'}
Requests carry a browser User-Agent and no Accept-Encoding, except the last row (\`gzip, deflate, br\`, as browsers send).
"Rendered on every request" turns the page cache off with \`PageCache.setBypass\`, a switch only this benchmark uses: each
request goes through Express, the three queries of the article page (the article, its related news, its documents), EJS and the
page's ETag, as a miss does; the categories and static pages the cache keeps between changes stay kept.
${new Date().toISOString().slice(0, 10)}, ${CORES} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version};
load average ${f.loadAtStart} when the benchmark started, ${os.loadavg()[0]?.toFixed(2) ?? '?'} at the end (the benchmark itself keeps
both cores busy; more than that is other work on the machine, and shows as rounds that disagree).

| target | req/s | p99 | each round (req/s / p99 / server CPU / autocannon CPU) |
| --- | --- | --- | --- |
${rows}

| target | figure | goal |
| --- | --- | --- |
| cached article page ÷ bare node:http (counting on; median of the rounds' ratios) | **${Math.round(f.ratio * 100)} %** | ≥ 50 %: ${ok(f.ratio >= 0.5)} |
| cached article page ÷ bare node:http sending the page's own headers | ${Math.round(f.twinRatio * 100)} % | (diagnostic) |
| cached article page p99 (counting on) | **${f.m.on.p99} ms** | ≤ 50 ms: ${ok(f.m.on.p99 <= 50)} |
| throughput lost to audience counting (median of the rounds' on/off ratios${f.audienceCost < 0 ? '; below zero: smaller than the noise between runs' : ''}) | **${(f.audienceCost * 100).toFixed(1)} %** | ≤ 10 %: ${ok(f.audienceCost <= 0.1)} |
| article page rendered on every request, ${where} | **${int(f.m.render.rps)} renders/s** (bare node:http: ${int(f.m.bare.rps)} req/s, ${(f.renderRatio * 100).toFixed(1)} % of it) | ≥ 300: ${ok(f.m.render.rps >= 300)} |
| the same, Brotli asked (compressed at each render, quality 5: ${kb(f.size)} → ${kb(f.brotliSize)}) | ${int(f.m.renderBr.rps)} renders/s | (diagnostic) |
| home page: HTML + CSS + JS, uncompressed | **${kb(f.weight.total)}** (${kb(f.weight.brotli)} with Brotli) | ≤ 60 KB: ${ok(f.weight.total <= 60 * 1024)} |

${cpuNote(f)}

Home page files (uncompressed / Brotli): ${f.weight.files.map((x) => `\`${x.url.replace(/\?.*$/, '')}\` ${kb(x.bytes)} / ${kb(x.brotli)}`).join(', ')}.
With counting on, the audience counter recorded ${int(f.counted)} views: every request autocannon reported (warm-ups
included, rendered or from the cache) plus those still in flight when each run stopped, so the runs did count every view
once, buffered and written every 5 s.
`;
  const current = fs.existsSync(DOC)
    ? fs.readFileSync(DOC, 'utf8')
    : '# Benchmarks\n\nFigures measured on demand with `npm run bench:*`; each section is rewritten by its benchmark.\n';
  const re = /^## Site\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  const next = re.test(current) ? current.replace(re, `${section}\n`) : `${current.trimEnd()}\n\n${section}`;
  fs.mkdirSync(path.dirname(DOC), { recursive: true });
  fs.writeFileSync(DOC, next);
}

const [mode, arg] = process.argv.slice(2);
const task = mode === 'crieur' ? serveCrieur(arg as string) : mode === 'bare' ? serveBare(Number(arg), process.argv[4]) : main();
task.catch((err) => {
  console.error(err);
  process.exit(1);
});
