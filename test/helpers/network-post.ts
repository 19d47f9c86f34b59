import crypto from 'node:crypto';
import sharp from 'sharp';
import type { TestContext } from './context';
import { makeArticle } from './factories';

/**
 * A published article (site page online a minute ago) with one post due now on a network account,
 * for the Bluesky and X tests. The picture (a 1600×900 JPEG, or a noisy one over 1 MB) is
 * ingested through the media library like an upload.
 */
export async function networkPost(
  ctx: TestContext,
  account: { id: number; channel: string },
  opts: {
    title: string;
    summary?: string;
    picture?: 'plain' | 'heavy' | null;
    /** A picture already in the media library (ingestPicture), shown instead of a new one. */
    mediaId?: number;
    alt?: string;
    text?: string | null;
    asThread?: boolean;
  },
): Promise<{ article: number; post: number; slug: string }> {
  const now = ctx.clock.now();
  const siteAt = new Date(now.getTime() - 60_000);
  const article = await makeArticle(ctx.c, { title: opts.title, status: 'published', publishAt: siteAt });
  if (opts.summary) await ctx.c.db('articles').where({ id: article }).update({ summary: opts.summary });
  const mediaId = opts.mediaId ?? (opts.picture === null ? null : await ingestPicture(ctx, opts.picture ?? 'plain'));
  if (mediaId)
    await ctx.c
      .db('articles')
      .where({ id: article })
      .update({ hero_media_id: mediaId, hero_alt: opts.alt ?? 'Les chalets du marché de Noël sur la place de la mairie' });
  const siteAccount = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
  await ctx.c.publications.insert({ articleId: article, accountId: siteAccount, channel: 'site', textVariant: null, scheduledAt: siteAt }, now);
  const post = await ctx.c.publications.insert(
    { articleId: article, accountId: account.id, channel: account.channel, textVariant: opts.text ?? null, asThread: opts.asThread ?? false, scheduledAt: now },
    now,
  );
  const slug = ((await ctx.c.db('articles').where({ id: article }).first('slug')) as { slug: string }).slug;
  return { article, post, slug };
}

/**
 * A picture ingested through the media library like an upload, its variants ready: a plain
 * 1600×900 JPEG, or a heavy one. Random noise does not compress: a large JPEG at full quality is
 * heavy, and its stored variants stay heavy (hundreds of kB).
 */
export async function ingestPicture(ctx: TestContext, kind: 'plain' | 'heavy'): Promise<number> {
  const jpeg =
    kind === 'heavy'
      ? await sharp(crypto.randomBytes(2400 * 1600 * 3), { raw: { width: 2400, height: 1600, channels: 3 } })
          .jpeg({ quality: 100 })
          .toBuffer()
      : await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#3366aa' } })
          .jpeg()
          .toBuffer();
  const media = await ctx.c.media.ingest(jpeg, 'photo.jpg', { alt: 'Photo' }, { id: null, label: 'test' });
  await ctx.c.media.whenReady(media.id);
  return media.id;
}
