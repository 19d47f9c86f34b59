import type { Actor } from '../audit/audit.repository';
import type { MediaItem } from './media.types';

/** Placeholder until the media library lands: the contract other domains rely on. */
export class MediaService {
  /** Decodes, re-encodes and stores an upload; returns once the preview exists (other variants follow). */
  async ingest(_file: Buffer, _originalName: string, _meta: { alt?: string; credit?: string }, _actor: Actor): Promise<MediaItem> {
    throw new Error('not implemented');
  }

  /** Resolves when every variant of the image exists (the demo loader and tests wait on it). */
  async whenReady(_id: number): Promise<void> {}

  async findById(_id: number): Promise<MediaItem | null> {
    return null;
  }

  async list(_f: { q?: string; limit: number; offset: number }): Promise<{ rows: MediaItem[]; total: number }> {
    return { rows: [], total: 0 };
  }
}
