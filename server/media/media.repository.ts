import type { Knex } from 'knex';
import { escapeLike, fromDbCount, fromDbTime, LIKE_ESCAPE, likeOperator, toDbTime } from '../db/dialect';
import type { MediaItem, MediaVariant } from './media.types';
import { MediaFiles } from './media.files';

type Status = MediaItem['status'];

interface MediaRow {
  id: number;
  original_name: string;
  sha256: string;
  width: number;
  height: number;
  bytes: number;
  alt: string;
  credit: string;
  status: Status;
  uploaded_by: number | null;
  created_at: unknown;
}

interface VariantRow {
  id: number;
  media_id: number;
  kind: MediaVariant['kind'];
  format: MediaVariant['format'];
  width: number;
  height: number;
  bytes: number;
  path: string;
}

export interface NewVariant {
  kind: MediaVariant['kind'];
  format: MediaVariant['format'];
  width: number;
  height: number;
  bytes: number;
  path: string;
}

function toVariant(r: VariantRow): MediaVariant {
  return { kind: r.kind, format: r.format, width: r.width, height: r.height, bytes: r.bytes, url: MediaFiles.url(r.path) };
}

/** Smallest first, so that "the first JPEG" is the lightest fallback and srcset lists read in order. */
function byWidth(a: MediaVariant, b: MediaVariant): number {
  return a.width - b.width || a.format.localeCompare(b.format);
}

function toItem(r: MediaRow, variants: MediaVariant[]): MediaItem {
  const sorted = [...variants].sort(byWidth);
  return {
    id: r.id,
    originalName: r.original_name,
    width: r.width,
    height: r.height,
    bytes: r.bytes,
    alt: r.alt,
    credit: r.credit,
    status: r.status,
    createdAt: fromDbTime(r.created_at),
    previewUrl: sorted.find((v) => v.kind === 'preview')?.url ?? null,
    variants: sorted,
  };
}

/** The only code that touches `media` and `media_variants`. */
export class MediaRepository {
  constructor(private readonly db: Knex) {}

  async insert(
    m: { originalName: string; sha256: string; width: number; height: number; bytes: number; alt: string; credit: string; uploadedBy: number | null },
    now: Date,
    trx: Knex = this.db,
  ): Promise<number> {
    const [row] = await trx('media')
      .insert({
        original_name: m.originalName,
        sha256: m.sha256,
        width: m.width,
        height: m.height,
        bytes: m.bytes,
        alt: m.alt,
        credit: m.credit,
        status: 'processing',
        uploaded_by: m.uploadedBy,
        created_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async insertVariants(mediaId: number, variants: NewVariant[], trx: Knex = this.db): Promise<void> {
    if (!variants.length) return;
    // Re-processing after a crash may meet rows it already wrote: the newest file wins.
    await trx('media_variants')
      .insert(variants.map((v) => ({ media_id: mediaId, ...v })))
      .onConflict(['media_id', 'kind', 'format', 'width'])
      .merge(['height', 'bytes', 'path']);
  }

  /** Guarded transition: true only if the row was in `from` (a deleted row or a second worker changes nothing). */
  async setStatus(id: number, from: Status, to: Status, trx: Knex = this.db): Promise<boolean> {
    const n = await trx('media').where({ id, status: from }).update({ status: to });
    return n === 1;
  }

  async updateMeta(id: number, meta: { alt: string; credit: string }, trx: Knex = this.db): Promise<boolean> {
    return (await trx('media').where({ id }).update({ alt: meta.alt, credit: meta.credit })) === 1;
  }

  async delete(id: number, trx: Knex = this.db): Promise<boolean> {
    await trx('media_variants').where({ media_id: id }).del();
    return (await trx('media').where({ id }).del()) === 1;
  }

  async findById(id: number, trx: Knex = this.db): Promise<MediaItem | null> {
    const row = (await trx('media').where({ id }).first()) as MediaRow | undefined;
    if (!row) return null;
    const variants = (await trx('media_variants').where({ media_id: id })) as VariantRow[];
    return toItem(row, variants.map(toVariant));
  }

  async list(f: { q?: string; limit: number; offset: number }): Promise<{ rows: MediaItem[]; total: number }> {
    const q = f.q?.trim();
    const base = this.db('media').modify((qb) => {
      if (q) {
        const op = likeOperator(this.db) === 'ilike' ? 'ILIKE' : 'LIKE';
        const term = `%${escapeLike(q)}%`;
        qb.where((w) => w.whereRaw(`original_name ${op} ? ${LIKE_ESCAPE}`, [term]).orWhereRaw(`alt ${op} ? ${LIKE_ESCAPE}`, [term]));
      }
    });
    const [rows, count] = await Promise.all([
      base
        .clone()
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(f.limit)
        .offset(f.offset) as Promise<MediaRow[]>,
      base.clone().count({ n: '*' }).first(),
    ]);
    const ids = rows.map((r) => r.id);
    const variants = ids.length ? ((await this.db('media_variants').whereIn('media_id', ids)) as VariantRow[]) : [];
    const byMedia = new Map<number, MediaVariant[]>();
    for (const v of variants) byMedia.set(v.media_id, [...(byMedia.get(v.media_id) ?? []), toVariant(v)]);
    return { total: fromDbCount((count as { n?: unknown } | undefined)?.n), rows: rows.map((r) => toItem(r, byMedia.get(r.id) ?? [])) };
  }

  /** Ids with this status; `createdBefore` (ISO UTC) leaves out images another instance may be working on. */
  async idsWithStatus(status: Status, createdBefore?: string): Promise<number[]> {
    const q = this.db('media').where({ status });
    if (createdBefore) q.andWhere('created_at', '<', createdBefore);
    const rows = (await q.orderBy('id').select('id')) as { id: number }[];
    return rows.map((r) => r.id);
  }
}
