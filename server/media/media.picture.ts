import type { MediaItem } from './media.types';

export interface Picture {
  /** <source type srcset> entries, best format first (AVIF, then WebP). */
  sources: { type: string; srcset: string }[];
  /** The JPEG fallback for <img src srcset width height>. */
  src: string;
  srcset: string;
  width: number;
  height: number;
  /** 1200×630 (or smaller for a small original) JPEG for og:image / social posts. */
  social: { url: string; width: number; height: number } | null;
}

const TYPES = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' } as const;

/**
 * What a page needs to show an image responsively:
 * `<picture><source type srcset sizes>…<img src srcset sizes width height alt></picture>`.
 * While the variants are still being made, only the preview exists and is used alone.
 */
export function pictureOf(item: MediaItem): Picture | null {
  const responsive = item.variants.filter((v) => v.kind === 'responsive');
  const social = item.variants.find((v) => v.kind === 'social');
  const srcset = (format: keyof typeof TYPES) =>
    responsive
      .filter((v) => v.format === format)
      .sort((a, b) => a.width - b.width)
      .map((v) => `${v.url} ${v.width}w`)
      .join(', ');
  const jpegs = responsive.filter((v) => v.format === 'jpeg').sort((a, b) => a.width - b.width);
  const fallback = jpegs[jpegs.length - 1] ?? item.variants.find((v) => v.kind === 'preview');
  if (!fallback) return null;
  return {
    sources: (['avif', 'webp'] as const).map((f) => ({ type: TYPES[f], srcset: srcset(f) })).filter((s) => s.srcset),
    src: fallback.url,
    srcset: srcset('jpeg'),
    width: fallback.width,
    height: fallback.height,
    social: social ? { url: social.url, width: social.width, height: social.height } : null,
  };
}
