import type { MediaItem } from '../media/media.types';
import { pictureOf } from '../media/media.picture';
import { absolute } from './metadata';

export interface AbsoluteImage {
  url: string;
  width: number;
  height: number;
}

/**
 * The images of a list of articles, for feeds, exports and the API: each media item is read once
 * per request however many articles share it, and URLs are absolute (they leave the site).
 */
export class ImageLookup {
  private readonly items = new Map<number, Promise<MediaItem | null>>();

  constructor(
    private readonly media: { findById(id: number): Promise<MediaItem | null> },
    private readonly baseUrl: string,
  ) {}

  private item(id: number): Promise<MediaItem | null> {
    let p = this.items.get(id);
    if (!p) {
      p = this.media.findById(id);
      this.items.set(id, p);
    }
    return p;
  }

  /** The largest JPEG (every reader can show it), or null while none exists. */
  async main(id: number | null): Promise<AbsoluteImage | null> {
    if (!id) return null;
    const item = await this.item(id);
    const picture = item ? pictureOf(item) : null;
    return picture ? { url: absolute(this.baseUrl, picture.src), width: picture.width, height: picture.height } : null;
  }

  /** The 1200×630 card for feeds and social networks, with its size in bytes (RSS enclosures need it). */
  async social(id: number | null): Promise<(AbsoluteImage & { bytes: number; type: string }) | null> {
    if (!id) return null;
    const variant = (await this.item(id))?.variants.find((v) => v.kind === 'social');
    return variant
      ? { url: absolute(this.baseUrl, variant.url), width: variant.width, height: variant.height, bytes: variant.bytes, type: `image/${variant.format}` }
      : null;
  }
}
