import sharp from 'sharp';
import type TestAgent from 'supertest/lib/agent';
import { PigeonAdapter } from '../fixtures/pigeon.adapter';
import { createTestContext, loginAs, type TestContext } from './context';
import { makeArticle } from './factories';
import { startPigeonPeer, type PigeonPeer } from './pigeon-peer';

/** A Crieur that knows the Pigeon network, its local peer, a signed-in administrator and a connected account. */
export interface PigeonSetup {
  peer: PigeonPeer;
  ctx: TestContext;
  admin: { agent: TestAgent; csrf: string };
  accountId: number;
}

/** For beforeAll: the peer keeps the Crieur's fake clock, so that a rate limit's reset is the time the test moves to. */
export async function startPigeonSetup(): Promise<PigeonSetup> {
  const peer = await startPigeonPeer();
  try {
    const ctx = await createTestContext({}, { channels: [new PigeonAdapter(peer.url)] });
    peer.now = () => ctx.clock.now().getTime();
    const admin = await loginAs(ctx, 'admin');
    return { peer, ctx, admin, accountId: await connectPigeon(ctx, peer) };
  } catch (err) {
    await peer.close();
    throw err;
  }
}

/** For afterAll: the pictures' variants are finished before the database goes. */
export async function stopPigeonSetup(peer: PigeonPeer, ctx: TestContext): Promise<void> {
  await ctx.c.media.idle();
  await ctx.close();
  await peer.close();
}

/** A Pigeon account connected with a token the peer issued, as the OAuth callback would leave it. */
export async function connectPigeon(ctx: TestContext, peer: PigeonPeer, label = '@villeneuve'): Promise<number> {
  const t = peer.issue();
  return ctx.c.accounts.insert(
    { channel: 'pigeon', label, settings: { nest: 'villeneuve' }, credentials: { accessToken: t.access, refreshToken: t.refresh } },
    ctx.clock.now(),
  );
}

/**
 * A published article with a picture (alt text "Les chalets du marché sur la place"), its site
 * page at `siteAt` and a post of the Pigeon account `accountId` due at `pigeonAt`.
 */
export async function pigeonArticle(ctx: TestContext, accountId: number, siteAt: Date, pigeonAt: Date, title = 'Marché de Noël') {
  const article = await makeArticle(ctx.c, { title, status: 'published', publishAt: siteAt });
  const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#3366aa' } })
    .jpeg()
    .toBuffer();
  const media = await ctx.c.media.ingest(jpeg, 'marche.jpg', { alt: 'Les chalets du marché' }, { id: null, label: 'test' });
  await ctx.c.media.whenReady(media.id);
  await ctx.c.db('articles').where({ id: article }).update({ hero_media_id: media.id, hero_alt: 'Les chalets du marché sur la place' });
  const siteAccount = (await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number };
  const site = await ctx.c.publications.insert(
    { articleId: article, accountId: siteAccount.id, channel: 'site', textVariant: null, scheduledAt: siteAt },
    ctx.clock.now(),
  );
  const post = await ctx.c.publications.insert({ articleId: article, accountId, channel: 'pigeon', textVariant: null, scheduledAt: pigeonAt }, ctx.clock.now());
  return { article, site, post };
}
