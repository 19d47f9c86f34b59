import sharp from 'sharp';
import type TestAgent from 'supertest/lib/agent';
import type { TestContext } from './context';
import { makeArticle } from './factories';

/**
 * Published articles with a post due on one social account, for the network adapters' tests: the
 * site page goes online at `siteAt` (default: a minute ago), the post is due now. The picture is
 * made once per context and shared.
 */
const pictures = new WeakMap<TestContext, Promise<number>>();

async function picture(ctx: TestContext): Promise<number> {
  if (!pictures.has(ctx)) {
    pictures.set(
      ctx,
      (async () => {
        const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#3366aa' } })
          .jpeg()
          .toBuffer();
        const media = await ctx.c.media.ingest(jpeg, 'marche.jpg', { alt: 'Les chalets du marché' }, { id: null, label: 'test' });
        await ctx.c.media.whenReady(media.id);
        return media.id;
      })(),
    );
  }
  return pictures.get(ctx)!;
}

export async function socialPost(
  ctx: TestContext,
  account: { id: number; channel: string },
  opts: { title: string; image?: boolean; alt?: string; textVariant?: string | null; asThread?: boolean; siteAt?: Date; postAt?: Date },
): Promise<{ article: number; site: number; post: number; slug: string }> {
  const now = ctx.clock.now();
  const siteAt = opts.siteAt ?? new Date(now.getTime() - 60_000);
  const article = await makeArticle(ctx.c, { title: opts.title, status: 'published', publishAt: siteAt });
  if (opts.image !== false) {
    await ctx.c
      .db('articles')
      .where({ id: article })
      .update({ hero_media_id: await picture(ctx), hero_alt: opts.alt ?? 'Les chalets du marché sur la place de la mairie' });
  }
  const siteAccount = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
  const site = await ctx.c.publications.insert({ articleId: article, accountId: siteAccount, channel: 'site', textVariant: null, scheduledAt: siteAt }, now);
  const post = await ctx.c.publications.insert(
    {
      articleId: article,
      accountId: account.id,
      channel: account.channel,
      textVariant: opts.textVariant ?? null,
      asThread: opts.asThread ?? false,
      scheduledAt: opts.postAt ?? now,
    },
    now,
  );
  const slug = ((await ctx.c.db('articles').where({ id: article }).first('slug')) as { slug: string }).slug;
  return { article, site, post, slug };
}

/** The publication as the article's panel shows it (its error in words, in French). */
export async function panelRow(agent: TestAgent, article: number, post: number) {
  const res = await agent.get(`/admin/articles/${article}/publications.json`);
  return (res.body as { publications: { id: number; status: string; lastError: string | null }[] }).publications.find((p) => p.id === post);
}
