import type { AtpAgent } from '@atproto/api';
import type { ChannelImage, PublishableArticle } from './channel-adapter';

/**
 * What goes under a Bluesky post: the article's picture with its alt text and its proportions
 * (so that apps reserve the right space before it loads), or a link card with the article's
 * title, summary and social card as thumbnail. The engine hands pictures within the adapter's
 * `capabilities.images` (1,000,000 bytes, the lexicon's maxSize): nothing is re-encoded here.
 */

async function upload(agent: AtpAgent, bytes: Buffer, contentType: string) {
  const res = await agent.uploadBlob(new Uint8Array(bytes), { encoding: contentType });
  return res.data.blob;
}

/** The picture, as an `app.bsky.embed.images` with alt text and aspect ratio. */
export async function imageEmbed(agent: AtpAgent, image: ChannelImage): Promise<Record<string, unknown>> {
  const blob = await upload(agent, await image.read(), image.contentType);
  return {
    $type: 'app.bsky.embed.images',
    images: [{ image: blob, alt: image.alt, aspectRatio: { width: image.width, height: image.height } }],
  };
}

/** A link card (`app.bsky.embed.external`): the article's address, title, summary and thumbnail. */
export async function cardEmbed(agent: AtpAgent, article: PublishableArticle, url: string, thumb: ChannelImage | undefined): Promise<Record<string, unknown>> {
  const external: Record<string, unknown> = { uri: url, title: article.title.slice(0, 300), description: article.summary.slice(0, 1000) };
  if (thumb) external.thumb = await upload(agent, await thumb.read(), thumb.contentType);
  return { $type: 'app.bsky.embed.external', external };
}
