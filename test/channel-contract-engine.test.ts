import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { toDbTime } from '../server/db/dialect';
import type { TestContext } from './helpers/context';
import { pigeonArticle, startPigeonSetup, stopPigeonSetup, type PigeonSetup } from './helpers/pigeon-articles';
import type { PigeonPeer } from './helpers/pigeon-peer';

/**
 * The channel contract, continued (test/channel-contract.test.ts drives the outcomes): what the
 * engine does the same for any adapter, seen through the made-up "Pigeon" network. The engine
 * reads capabilities, never a channel's name; an expired account says what to do; adapters get
 * the social card and the largest JPEG with their alt text; figures stop after 30 days; errors
 * are stored as codes and shown in the reader's language.
 */
let peer: PigeonPeer;
let ctx: TestContext;
let admin: PigeonSetup['admin'];
let accountId: number;

const minutes = (m: number) => m * 60_000;
const days = (d: number) => d * 86_400_000;
const statusOf = async (id: number) => (await ctx.c.publications.get(id))!;

/** A published article with a picture, its site page and a Pigeon post all due now. */
async function postDueNow(title: string) {
  const now = ctx.clock.now();
  return pigeonArticle(ctx, accountId, new Date(now.getTime() - minutes(1)), now, title);
}

async function inEnglish<T>(fn: () => Promise<T>): Promise<T> {
  await admin.agent.post('/admin/account/locale').type('form').send({ _csrf: admin.csrf, locale: 'en' }).expect(302);
  try {
    return await fn();
  } finally {
    await admin.agent.post('/admin/account/locale').type('form').send({ _csrf: admin.csrf, locale: 'fr' }).expect(302);
  }
}

beforeAll(async () => {
  ({ peer, ctx, admin, accountId } = await startPigeonSetup());
});
afterAll(() => stopPigeonSetup(peer, ctx));

const ROOT = path.join(__dirname, '..');

/** The files of `dir` ending with `ext`, as paths from the project's root. */
function filesIn(dir: string, ext: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .map((f) => `${dir}/${f}`);
}

/** Every line of `files` that `pattern` matches, with where it is. */
function linesMatching(files: string[], pattern: RegExp): { where: string; line: string }[] {
  return files.flatMap((f) =>
    fs
      .readFileSync(path.join(ROOT, f), 'utf8')
      .split('\n')
      .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
      .filter(({ line }) => pattern.test(line)),
  );
}

describe('the engine reads capabilities', () => {
  it('never branches on a channel’s name: only the adapters and their own files name a channel', () => {
    const files = [
      ...filesIn('server/publishing', '.ts'),
      'server/publishing/channels/registry.ts',
      'server/publishing/channels/channel-adapter.ts',
      ...filesIn('jobs', '.ts'),
      ...filesIn('views/admin/publishing', '.ejs'),
      ...filesIn('views/admin/networks', '.ejs'),
    ].filter((f) => fs.existsSync(path.join(ROOT, f)));
    expect(files.length).toBeGreaterThan(20); // the scan itself found the engine
    const names = 'site|newsletter|mastodon|bluesky|facebook|x|handoff|test|pigeon|heron';
    const branch = new RegExp(
      `(channel\\s*[!=]==?\\s*['"\`])|([!=]==?\\s*['"\`](${names})['"\`])|(['"\`](${names})['"\`]\\s*[!=]==?)|(\\[[^\\]]*['"](${names})['"][^\\]]*\\]\\.includes\\(\\s*[\\w.]*channel)`,
    );
    // The pattern catches what it is for.
    expect(branch.test("<%= ch.account.channel === 'site' ? 'a' : 'b' %>")).toBe(true);
    expect(branch.test('if (p.channel !== `newsletter`) return;')).toBe(true);
    expect(branch.test("['mastodon', 'bluesky'].includes(p.publication.channel)")).toBe(true);
    expect(branch.test('if (adapter.capabilities.followsArticle) return;')).toBe(false);
    expect(linesMatching(files, branch)).toEqual([]);
  });

  it('neither do the figures pages: they name no network at all, and read labels and what each reports from the registry', () => {
    const files = [...filesIn('server/stats', '.ts'), ...filesIn('views/admin/stats', '.ejs'), 'server/container.stats.ts'];
    expect(files.length).toBeGreaterThan(15); // the scan itself found the figures pages
    // The site and the newsletter are the commune's own channels, with their own kinds of
    // figures: the figures pages may name those two. A network's name, quoted, is a list waiting
    // to miss the next one.
    const network = /['"`](mastodon|bluesky|facebook|x|handoff|test|pigeon|heron)['"`]/;
    expect(network.test("['mastodon', 'bluesky', 'handoff'].includes(p.publication.channel)")).toBe(true);
    expect(network.test("case 'x':")).toBe(true);
    expect(network.test("if (channel === 'site') return t('Site internet');")).toBe(false);
    expect(linesMatching(files, network)).toEqual([]);
  });

  it('offers a sent post to be sent again, not put back online: only a channel that follows the article is', async () => {
    const { article, post } = await postDueNow('Fête de la musique');
    await ctx.c.dispatcher.dispatchDue();
    await admin.agent.post(`/admin/publications/${post}`).type('form').send({ _csrf: admin.csrf, action: 'retract' }).expect(302);
    expect((await statusOf(post)).status).toBe('retracted');
    const page = await admin.agent.get(`/admin/articles/${article}/channels`);
    expect(page.text).toContain('Publier de nouveau');
    expect(page.text).toContain('Retirer cette publication du réseau ?');
    expect(page.text).not.toContain('Remettre en ligne');
  });
});

describe('what an adapter is given', () => {
  it('the 1200×630 social card and the largest JPEG of the picture, each with the article’s alt text', async () => {
    const { article, post } = await postDueNow('Images');
    await ctx.c.publications.transition(post, ['pending'], { status: 'cancelled' }, ctx.clock.now());
    const publishable = (await ctx.c.publishable(article))!;
    const ports = ctx.c.channelPorts(publishable, { id: post, channel: 'pigeon', accountId });
    const images = await ports.images();
    expect(images.map((i) => i.role)).toEqual(['card', 'largest']);
    for (const image of images) {
      expect(image.alt).toBe('Les chalets du marché sur la place');
      expect(image.contentType).toBe('image/jpeg');
      const bytes = await image.read();
      expect(bytes.length).toBe(image.bytes);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', image.width, image.height]);
    }
    expect([images[0]!.width, images[0]!.height]).toEqual([1200, 630]);
    expect(images[1]!.width).toBeGreaterThanOrEqual(1200);
    expect(ports.articleUrl()).toBe(`http://crieur.test/actualites/${publishable.slug}?ref=pigeon`);
  });
});

describe('an account whose authorization ended', () => {
  it('is shown as expired, and its posts wait, spending no attempt, with a message that says what to do', async () => {
    const now = ctx.clock.now();
    await ctx.c
      .db('channel_accounts')
      .where({ id: accountId })
      .update({ expires_at: toDbTime(new Date(now.getTime() - minutes(1))) });
    try {
      const before = peer.posts.length;
      const { article, post } = await postDueNow('Compte expiré');
      expect((await ctx.c.dispatcher.dispatchDue()).waiting).toBe(1);
      expect(peer.posts.length).toBe(before);
      expect(await statusOf(post)).toMatchObject({ status: 'pending', attempts: 0, lastError: { code: 'account.expired' } });
      const panel = await admin.agent.get(`/admin/articles/${article}/channels`);
      expect(panel.text).toContain(
        'L’accès du compte @villeneuve a expiré : un administrateur doit le reconnecter (page « Comptes des réseaux »). Les publications en attente partiront ensuite.',
      );
      const networks = await admin.agent.get('/admin/networks');
      expect(networks.text).toContain('<strong>Expiré</strong>');
      expect(networks.text).toContain('Reconnectez le compte.');
      await inEnglish(async () => {
        const page = await admin.agent.get(`/admin/articles/${article}/channels`);
        expect(page.text).toContain('The access of the account @villeneuve has expired: an administrator must reconnect it');
      });
    } finally {
      await ctx.c.db('channel_accounts').where({ id: accountId }).update({ expires_at: null });
    }
    ctx.clock.advance(minutes(15));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
  });
});

describe('messages as codes', () => {
  it('stores a failed publication’s error as a code, and the English admin shows it in English', async () => {
    const { article, post } = await postDueNow('Refus du réseau');
    peer.script.push(422);
    expect((await ctx.c.dispatcher.dispatchDue()).failed).toBe(1);
    const raw = (await ctx.c.db('publications').where({ id: post }).first('last_error')) as { last_error: string };
    expect(JSON.parse(raw.last_error)).toEqual({ code: 'network.refused', values: { status: 422 } });

    const french = await admin.agent.get(`/admin/articles/${article}/channels`);
    expect(french.text).toContain('Le réseau a refusé la publication (erreur 422).');
    await inEnglish(async () => {
      const panel = await admin.agent.get(`/admin/articles/${article}/channels`);
      expect(panel.text).toContain('The network refused the post (error 422).');
      expect(panel.text).not.toContain('Le réseau a refusé');
      const attention = await admin.agent.get('/admin/publications');
      expect(attention.text).toContain('Refus du réseau');
      expect(attention.text).toContain('The network refused the post (error 422).');
      const json = (await admin.agent.get(`/admin/articles/${article}/publications.json`)).body as { publications: { id: number; lastError: string }[] };
      expect(json.publications.find((x) => x.id === post)?.lastError).toBe('The network refused the post (error 422).');
    });
  });

  it('keeps the code of an error whose network sent a very long explanation: the explanation is cut, not the code', async () => {
    const { article, post } = await postDueNow('Explication interminable');
    const detail = 'Invalid record: '.padEnd(10_000, 'x');
    await ctx.c.publications.transition(post, ['pending'], { status: 'failed', lastError: { code: 'bluesky.refused', values: { detail } } }, ctx.clock.now());
    await ctx.c.dispatcher.dispatchDue(); // the article's site page
    const stored = (await statusOf(post)).lastError!;
    expect(stored.code).toBe('bluesky.refused');
    expect(String(stored.values?.detail)).toBe(`${detail.slice(0, 500)}…`);
    const panel = await admin.agent.get(`/admin/articles/${article}/channels`);
    expect(panel.text).toContain('Bluesky a refusé la publication. Son message : « Invalid record: xxx');
  });
});

describe('figures', () => {
  it('are fetched for posts sent in the last 30 days only, and each snapshot keeps its time', async () => {
    const { post: old } = await postDueNow('Ancien message');
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(2);
    await ctx.c.metrics.collect();
    const firstAt = ctx.clock.now();
    expect((await ctx.c.publications.metricsOf(old)).map((m) => m.takenAt.toISOString())).toEqual([firstAt.toISOString()]);

    ctx.clock.advance(days(30) + minutes(1));
    const { post: recent } = await postDueNow('Message récent');
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(2);
    const report = await ctx.c.metrics.collect();
    expect(report).toEqual({ fetched: 1, failed: 0 });
    expect(await ctx.c.publications.metricsOf(old)).toHaveLength(1);
    expect((await ctx.c.publications.metricsOf(recent)).map((m) => [m.takenAt.toISOString(), m.metrics])).toEqual([
      [ctx.clock.now().toISOString(), { likes: 3, reposts: 1 }],
    ]);
  });
});
