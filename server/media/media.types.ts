/** An image of the media library, as the rest of Crieur sees it. */
export interface MediaVariant {
  kind: 'responsive' | 'social' | 'preview';
  format: 'avif' | 'webp' | 'jpeg';
  width: number;
  height: number;
  bytes: number;
  url: string; // served by mediaFilesRoutes, cacheable forever
}

export interface MediaItem {
  id: number;
  originalName: string;
  width: number; // upright, as uploaded
  height: number;
  bytes: number; // size of the upload as received
  alt: string;
  credit: string;
  status: 'processing' | 'ready' | 'failed';
  createdAt: Date;
  /** The small JPEG made at upload time; null only for an upload that failed before it. */
  previewUrl: string | null;
  variants: MediaVariant[];
}
