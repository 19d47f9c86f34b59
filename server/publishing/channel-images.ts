import sharp from 'sharp';
import type { Logger } from '../logger';
import type { ChannelCapabilities, ChannelImage } from './channels/channel-adapter';

/** A file of the article's picture as the media library gives it: a ChannelImage before its alt text. */
export type PictureFile = Omit<ChannelImage, 'alt'>;

/**
 * Re-encodings tried, in order, for a file over a channel's limit: a lower quality first (the
 * picture keeps its size; the stored JPEGs are quality 80), then smaller dimensions. Bounded: at
 * most this many encodes per file, whatever the limit.
 */
const STEPS = [
  { scale: 1, quality: 72 },
  { scale: 1, quality: 62 },
  { scale: 0.8, quality: 62 },
  { scale: 0.64, quality: 62 },
  { scale: 0.5, quality: 62 },
  { scale: 0.4, quality: 62 },
] as const;
/** Narrower than this, a picture says too little: the post goes without it. */
const MIN_WIDTH = 320;

interface Fitted {
  data: Buffer;
  width: number;
  height: number;
  contentType: string;
}

/** The file as it is when within `maxBytes`, else the first re-encoding that is; null when none is. */
export async function fitToLimit(data: Buffer, file: Pick<PictureFile, 'width' | 'height' | 'contentType'>, maxBytes: number): Promise<Fitted | null> {
  if (data.length <= maxBytes) return { data, width: file.width, height: file.height, contentType: file.contentType };
  for (const { scale, quality } of STEPS) {
    const width = Math.round(file.width * scale);
    if (width < MIN_WIDTH) break;
    let img = sharp(data);
    if (scale < 1) img = img.resize({ width });
    const out = await img.jpeg({ quality, progressive: true }).toBuffer({ resolveWithObject: true });
    if (out.data.length <= maxBytes) return { data: out.data, width: out.info.width, height: out.info.height, contentType: 'image/jpeg' };
  }
  return null;
}

/**
 * What an adapter is handed of the article's picture, within its `capabilities.images`: at most
 * `max` files, the role it prefers first, each at most `maxBytes` (re-encoded smaller when the
 * stored file is larger). A file that cannot be brought under the limit is left out, and the next
 * role is tried in its place; the post then goes without its picture rather than failing, and a
 * log line says so (sizes and roles only).
 */
export async function imagesWithin(
  files: PictureFile[],
  alt: string,
  limits: ChannelCapabilities['images'],
  prefer: ChannelImage['role'] | undefined,
  log: Logger,
): Promise<ChannelImage[]> {
  if (!limits || limits.max < 1 || !files.length) return [];
  const ordered = prefer ? [...files.filter((f) => f.role === prefer), ...files.filter((f) => f.role !== prefer)] : files;
  const handed: ChannelImage[] = [];
  const leftOut: { role: string; bytes: number; width: number; height: number }[] = [];
  for (const file of ordered) {
    if (handed.length >= limits.max) break;
    const fitted = await fitToLimit(await file.read(), file, limits.maxBytes);
    if (!fitted) {
      leftOut.push({ role: file.role, bytes: file.bytes, width: file.width, height: file.height });
      continue;
    }
    const { data, ...size } = fitted;
    handed.push({ role: file.role, ...size, bytes: data.length, alt, read: async () => data });
  }
  if (leftOut.length)
    log.warn(
      { maxBytes: limits.maxBytes, leftOut, handed: handed.map((i) => i.role) },
      handed.length
        ? 'picture file over the channel’s size limit even re-encoded: another one is handed instead'
        : 'picture over the channel’s size limit even re-encoded: the post goes without it',
    );
  return handed;
}
