import type { AtpAgent } from '@atproto/api';
import sharp from 'sharp';
import type { ChannelImage, PublishableArticle } from './channel-adapter';

/**
 * What goes under a Bluesky post: the article's picture with its alt text and its proportions
 * (so that apps reserve the right space before it loads), or a link card with the article's
 * title, summary and social card as thumbnail.
 */

// Bluesky refuses image blobs over 1,000,000 bytes; keep a margin.
export const MAX_IMAGE_BYTES = 976_000;

/** The picture under the limit: re-encoded smaller (narrower, then lower quality) when it is not. */
export async function fitImage(
  bytes: Buffer,
  image: { width: number; height: number; contentType: string },
): Promise<{ bytes: Buffer; width: number; height: number; contentType: string }> {
  if (bytes.length <= MAX_IMAGE_BYTES) return { bytes, width: image.width, height: image.height, contentType: image.contentType };
  // Bounded: a few widths and qualities; the last one is small enough for any photograph.
  for (const [maxWidth, quality] of [
    [2000, 82],
    [1600, 78],
    [1200, 72],
    [1000, 65],
    [800, 60],
  ] as const) {
    const { data, info } = await sharp(bytes)
      .rotate()
      .resize({ width: maxWidth, height: maxWidth, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    if (data.length <= MAX_IMAGE_BYTES) return { bytes: data, width: info.width, height: info.height, contentType: 'image/jpeg' };
  }
  throw new Error('bluesky: the picture stays over 1 MB after re-encoding');
}

async function upload(agent: AtpAgent, bytes: Buffer, contentType: string) {
  const res = await agent.uploadBlob(new Uint8Array(bytes), { encoding: contentType });
  return res.data.blob;
}

/** The picture, as an `app.bsky.embed.images` with alt text and aspect ratio. */
export async function imageEmbed(agent: AtpAgent, image: ChannelImage): Promise<Record<string, unknown>> {
  const fitted = await fitImage(await image.read(), image);
  const blob = await upload(agent, fitted.bytes, fitted.contentType);
  return {
    $type: 'app.bsky.embed.images',
    images: [{ image: blob, alt: image.alt, aspectRatio: { width: fitted.width, height: fitted.height } }],
  };
}

/** A link card (`app.bsky.embed.external`): the article's address, title, summary and thumbnail. */
export async function cardEmbed(agent: AtpAgent, article: PublishableArticle, url: string, thumb: ChannelImage | undefined): Promise<Record<string, unknown>> {
  const external: Record<string, unknown> = { uri: url, title: article.title.slice(0, 300), description: article.summary.slice(0, 1000) };
  if (thumb) {
    const fitted = await fitImage(await thumb.read(), thumb);
    external.thumb = await upload(agent, fitted.bytes, fitted.contentType);
  }
  return { $type: 'app.bsky.embed.external', external };
}
