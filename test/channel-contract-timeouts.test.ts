import pino from 'pino';
import { Dispatcher } from '../server/publishing/dispatcher';
import type { TestContext } from './helpers/context';
import { pigeonArticle, startPigeonSetup, stopPigeonSetup, type PigeonSetup } from './helpers/pigeon-articles';
import type { PigeonPeer } from './helpers/pigeon-peer';

/**
 * The channel contract (test/channel-contract.test.ts), when a send's answer never came: on a
 * network that is not repeatable and can be asked what went out (`findSent`), the engine asks
 * before any retry. Driven through the made-up "Pigeon" network and its local peer.
 */
let peer: PigeonPeer;
let ctx: TestContext;
let admin: PigeonSetup['admin'];
let accountId: number;

const minutes = (m: number) => m * 60_000;
const statusOf = async (id: number) => (await ctx.c.publications.get(id))!;
const articleWithPost = (siteAt: Date, pigeonAt: Date, title: string) => pigeonArticle(ctx, accountId, siteAt, pigeonAt, title);

beforeAll(async () => {
  ({ peer, ctx, admin, accountId } = await startPigeonSetup());
});
afterAll(() => stopPigeonSetup(peer, ctx));

describe('a timeout on a network that can be asked what went out', () => {
  const quick = () =>
    new Dispatcher(
      ctx.c.publications,
      ctx.c.accounts,
      ctx.c.adapters,
      ctx.c.publishable,
      ctx.c.channelPorts,
      ctx.c.publishingEvents,
      ctx.c.clock,
      pino({ level: 'silent' }),
      { ...ctx.c.dispatcher.opts, adapterTimeoutMs: 300 },
    );

  it('looks the post up after the network’s own timeout: taken means sent, never posted twice', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Délai du réseau');
    const before = peer.posts.length;
    peer.script.push(504); // the post is taken, the answer is a gateway timeout
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.sent).toBe(2); // the page and the post, found by its text
    expect(peer.posts.length).toBe(before + 1);
    expect(await statusOf(post)).toMatchObject({ status: 'sent', externalId: peer.posts.at(-1)!.id });
    ctx.clock.advance(minutes(30));
    await ctx.c.dispatcher.dispatchDue();
    expect(peer.posts.length).toBe(before + 1);
  });

  it('looks the post up after the engine’s own timeout (a network that never answers)', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), new Date(now.getTime() + minutes(5)), 'Réseau muet');
    await ctx.c.dispatcher.dispatchDue(); // the page; the post is not due yet
    ctx.clock.advance(minutes(5));
    const before = peer.posts.length;
    peer.script.push(0); // taken, and the answer never comes
    expect((await quick().dispatchDue()).sent).toBe(1);
    expect(peer.posts.length).toBe(before + 1);
    expect((await statusOf(post)).status).toBe('sent');
  });

  it('sends again when the look-up finds nothing, and leaves it to a person when the network cannot tell', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Rien reçu');
    const before = peer.posts.length;
    peer.script.push(408); // a timeout, and nothing was taken
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    expect(peer.posts.length).toBe(before);
    expect((await statusOf(post)).status).toBe('pending');
    ctx.clock.advance(minutes(10));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect(peer.posts.length).toBe(before + 1);

    const other = await articleWithPost(new Date(ctx.clock.now().getTime() - minutes(1)), ctx.clock.now(), 'Incertain');
    peer.script.push(504);
    peer.listStatus = 503;
    try {
      expect((await ctx.c.dispatcher.dispatchDue()).uncertain).toBe(1);
    } finally {
      peer.listStatus = 200;
    }
    const p = await statusOf(other.post);
    expect(p.status).toBe('uncertain');
    const page = await admin.agent.get(`/admin/articles/${other.article}/channels`);
    expect(page.text).toContain('Le réseau n’a pas répondu à temps et ne permet pas de vérifier si la publication est partie.');
    expect(page.text).toContain('Elle est bien partie');
  });
});
