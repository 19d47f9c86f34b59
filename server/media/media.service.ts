import fs from 'node:fs/promises';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import {
  AbandonedError,
  backgroundSpecs,
  decodeMaster,
  EncodeQueue,
  encodeVariant,
  inspect,
  previewSpec,
  type EncodedVariant,
  type Master,
} from './image-processing';
import { MediaFiles } from './media.files';
import type { MediaRepository, NewVariant } from './media.repository';
import type { MediaItem } from './media.types';
import type { MediaUsage } from './media.usage';

export interface MediaDeps {
  db: Knex;
  repo: MediaRepository;
  audit: AuditRepository;
  clock: Clock;
  log: Logger;
  dataDir: string;
  /** What shows an image: articles, pages, proposed changes (media.usage.ts). */
  usage: (id: number, trx?: Knex) => Promise<MediaUsage>;
}

/** Deleting an image still shown somewhere would leave a broken image on the site: said, by name. */
function inUse(used: MediaUsage): ConflictError {
  const first = used.uses[0];
  const title = first?.title ?? '';
  if (used.count === 1 && first?.kind === 'page') {
    return new ConflictError('Cette image est utilisée par la page « {title} » : retirez-la de la page avant de la supprimer.', { title });
  }
  if (used.count === 1 && first?.kind === 'proposal') {
    return new ConflictError(
      'Cette image est utilisée par la modification proposée de l’article « {title} » : retirez-la de cette modification, ou refusez-la, avant de supprimer l’image.',
      { title },
    );
  }
  if (used.count === 1) {
    return new ConflictError('Cette image est utilisée par l’article « {title} » : retirez-la de l’article avant de la supprimer.', { title });
  }
  return new ConflictError('Cette image est utilisée à {count} endroits, dont « {title} » : retirez-la de chacun avant de la supprimer.', {
    count: used.count,
    title,
  });
}

export const ALT_MAX = 500;
export const CREDIT_MAX = 200;

/** A file name fit for display: no folders, no control characters, no absurd length. */
export function cleanName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).normalize('NFC');
  const clean = base
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return clean || 'image';
}

function cleanMeta(meta: { alt?: string; credit?: string }): { alt: string; credit: string } {
  const alt = (meta.alt ?? '').trim();
  const credit = (meta.credit ?? '').trim();
  const fields: Record<string, string> = {};
  if (alt.length > ALT_MAX) fields.alt = 'Le texte alternatif doit tenir en 500 caractères.';
  if (credit.length > CREDIT_MAX) fields.credit = 'Le crédit doit tenir en 200 caractères.';
  if (Object.keys(fields).length) throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', fields);
  return { alt, credit };
}

function variantRow(v: EncodedVariant, relPath: string): NewVariant {
  return { kind: v.kind, format: v.format, width: v.width, height: v.height, bytes: v.data.length, path: relPath };
}

/**
 * The media library. An upload is checked and decoded before anything is written; the preview is
 * made at once so that the editor sees the image immediately, and the other variants are encoded
 * in the background, in this process (whenReady() waits for them).
 */
export class MediaService {
  private readonly repo: MediaRepository;
  private readonly files: MediaFiles;
  private readonly queue = new EncodeQueue();
  private readonly jobs = new Map<number, Promise<void>>();
  private stopping = false;

  constructor(private readonly d: MediaDeps) {
    this.repo = d.repo;
    this.files = new MediaFiles(path.join(d.dataDir, 'media'));
  }

  get mediaDir(): string {
    return this.files.root;
  }

  /** Decodes, re-encodes and stores an upload; returns once the preview exists (other variants follow). */
  async ingest(file: Buffer, originalName: string, meta: { alt?: string; credit?: string }, actor: Actor): Promise<MediaItem> {
    const { alt, credit } = cleanMeta(meta);
    if (!file.length) throw new ValidationError('Choisissez une image à envoyer.', { file: 'Choisissez une image à envoyer.' });
    const size = await inspect(file);
    const master = await decodeMaster(file, size);
    const preview = await encodeVariant(master, previewSpec(master));
    const name = cleanName(originalName);
    const now = this.d.clock.now();

    let id = 0;
    try {
      await this.d.db.transaction(async (trx) => {
        id = await this.repo.insert(
          {
            originalName: name,
            sha256: crypto.createHash('sha256').update(file).digest('hex'),
            width: size.width,
            height: size.height,
            bytes: file.length,
            alt,
            credit,
            uploadedBy: actor.id,
          },
          now,
          trx,
        );
        const rel = await this.files.write(id, preview);
        await this.files.writeSource(id, master);
        await this.repo.insertVariants(id, [variantRow(preview, rel)], trx);
        await this.d.audit.append(
          { actor, action: 'media.uploaded', targetType: 'media', targetId: id, details: { name, bytes: file.length, width: size.width, height: size.height } },
          now,
          trx,
        );
      });
    } catch (err) {
      if (id) await this.files.removeAll(id).catch(() => undefined);
      throw err;
    }
    const item = await this.repo.findById(id);
    this.startVariants(id, master);
    return item as MediaItem;
  }

  /**
   * Resolves when every variant of the image exists (the demo loader and tests wait on it). It
   * resolves, never rejects, when processing failed: the status then says 'failed'.
   */
  async whenReady(id: number): Promise<void> {
    await this.jobs.get(id);
  }

  /** Resolves when no background work is left (tests; stop() for a shutdown). */
  async idle(): Promise<void> {
    while (this.jobs.size) await Promise.all([...this.jobs.values()]);
  }

  /**
   * For a shutdown: variants not started yet are abandoned, not made (dozens of encodes would
   * outlast any stop timeout on a busy machine); the images keep their source and status
   * 'processing', marked so that the next start finishes them at once. Encodes already running
   * are waited for, at most `graceMs`: a stop takes a bounded time whatever the machine's speed.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.queue.close();
    const left = [...this.jobs.keys()];
    await Promise.all(left.map((id) => this.files.markLeftAtStop(id)));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.idle(), grace]);
    clearTimeout(timer);
    if (left.length) this.d.log.info({ ids: left }, 'media variants left for the next start');
  }

  async findById(id: number): Promise<MediaItem | null> {
    return this.repo.findById(id);
  }

  /**
   * The files a social network is sent: the 1200×630 card and the largest JPEG, each readable
   * from disk, with the article's alt text. Empty while the variants are not ready.
   */
  async channelFiles(
    id: number,
  ): Promise<{ role: 'card' | 'largest'; contentType: string; width: number; height: number; bytes: number; read(): Promise<Buffer> }[]> {
    const item = await this.repo.findById(id);
    if (!item || item.status !== 'ready') return [];
    const jpegs = item.variants.filter((v) => v.format === 'jpeg');
    const card = jpegs.find((v) => v.kind === 'social');
    const largest = jpegs.filter((v) => v.kind === 'responsive').sort((a, b) => b.width - a.width)[0];
    const file = (role: 'card' | 'largest', v: typeof card & object) => ({
      role,
      contentType: 'image/jpeg',
      width: v.width,
      height: v.height,
      bytes: v.bytes,
      read: () => fs.readFile(path.join(this.files.root, v.url.replace(/^\/media\//, ''))),
    });
    return [...(card ? [file('card', card)] : []), ...(largest ? [file('largest', largest)] : [])];
  }

  /** Like findById, for pages: a missing image is a 404. */
  async get(id: number): Promise<MediaItem> {
    const item = await this.repo.findById(id);
    if (!item) throw new NotFoundError('Cette image n’existe pas ou plus.');
    return item;
  }

  /** The image and the articles that show it (they prevent its deletion). */
  async details(id: number): Promise<{ item: MediaItem; usedBy: MediaUsage }> {
    const item = await this.get(id);
    return { item, usedBy: await this.d.usage(id) };
  }

  /** For the file route: the stored file a URL names, or null (see MediaFiles.servedFile). */
  servedFile(id: string, file: string): string | null {
    return this.files.servedFile(id, file);
  }

  async list(f: { q?: string; limit: number; offset: number }): Promise<{ rows: MediaItem[]; total: number }> {
    return this.repo.list(f);
  }

  async updateMeta(id: number, meta: { alt?: string; credit?: string }, actor: Actor): Promise<MediaItem> {
    const clean = cleanMeta(meta);
    await this.d.db.transaction(async (trx) => {
      const before = await this.repo.findById(id, trx);
      if (!before) throw new NotFoundError('Cette image n’existe pas ou plus.');
      await this.repo.updateMeta(id, clean, trx);
      const changed = (['alt', 'credit'] as const).filter((k) => before[k] !== clean[k]);
      await this.d.audit.append({ actor, action: 'media.updated', targetType: 'media', targetId: id, details: { changed } }, this.d.clock.now(), trx);
    });
    return (await this.repo.findById(id)) as MediaItem;
  }

  /** Refused while an article shows the image; otherwise rows, files and an audit entry go together. */
  async delete(id: number, actor: Actor): Promise<void> {
    // Let a running background job finish first, or it would write files into a folder just removed.
    await this.whenReady(id);
    await this.d.db.transaction(async (trx) => {
      const item = await this.repo.findById(id, trx);
      if (!item) throw new NotFoundError('Cette image n’existe pas ou plus.');
      const used = await this.d.usage(id, trx);
      if (used.count > 0) throw inUse(used);
      await this.deleteRow(item, actor, trx);
    });
    await this.removeFiles([id]);
  }

  /**
   * Deletes the images of `ids` that nothing shows any more, inside the caller's transaction (the
   * demo's removal, all or nothing); an image still shown (by an article or a page the commune
   * wrote) is kept. The caller removes the files of `deleted` with `removeFiles` once it has
   * committed. Images still being prepared are waited for first (see `delete`).
   */
  async deleteUnusedIn(ids: number[], actor: Actor, trx: Knex.Transaction): Promise<{ deleted: number[]; kept: number[] }> {
    const deleted: number[] = [];
    const kept: number[] = [];
    for (const id of ids) {
      const item = await this.repo.findById(id, trx);
      if (!item) continue;
      if ((await this.d.usage(id, trx)).count > 0) {
        kept.push(id);
        continue;
      }
      await this.deleteRow(item, actor, trx);
      deleted.push(id);
    }
    return { deleted, kept };
  }

  /** After the commit: a failure here leaves unreachable files, never a row pointing at nothing. */
  async removeFiles(ids: number[]): Promise<void> {
    for (const id of ids) await this.files.removeAll(id).catch((err) => this.d.log.warn({ err, id }, 'media files could not be removed'));
  }

  private async deleteRow(item: MediaItem, actor: Actor, trx: Knex.Transaction): Promise<void> {
    await this.repo.delete(item.id, trx);
    await this.d.audit.append(
      { actor, action: 'media.deleted', targetType: 'media', targetId: item.id, details: { name: item.originalName } },
      this.d.clock.now(),
      trx,
    );
  }

  /**
   * Called once at start: images left 'processing' by a crash are finished from the decoded
   * master kept on disk, or marked 'failed' when it is gone. Returns what was done.
   * Only images older than ten minutes are taken: a younger one may still be in the hands of
   * another instance (variants take seconds), and doing it twice would only waste CPU.
   */
  async resumeUnfinished(now: Date = this.d.clock.now()): Promise<{ resumed: number[]; failed: number[] }> {
    const resumed: number[] = [];
    const failed: number[] = [];
    const before = new Date(now.getTime() - 10 * 60_000).toISOString();
    const processing = await this.repo.idsWithStatus('processing');
    const old = new Set(await this.repo.idsWithStatus('processing', before));
    for (const id of processing) {
      if (this.jobs.has(id)) continue;
      // A younger image may be in another instance's hands, unless a stop left it on purpose.
      if (!old.has(id) && !(await this.files.leftAtStop(id))) continue;
      const master = await this.files.readSource(id);
      if (master) {
        resumed.push(id);
        this.startVariants(id, master);
      } else {
        failed.push(id);
        await this.repo.setStatus(id, 'processing', 'failed');
        this.d.log.error({ id }, 'media left processing without its source: marked failed');
      }
    }
    if (resumed.length || failed.length) this.d.log.info({ resumed, failed }, 'unfinished media handled at start');
    return { resumed, failed };
  }

  private startVariants(id: number, master: Master): void {
    const job = this.makeVariants(id, master).finally(() => this.jobs.delete(id));
    this.jobs.set(id, job);
  }

  private async makeVariants(id: number, master: Master): Promise<void> {
    const started = performance.now();
    try {
      // Settled, not all: when a stop abandons the waiting encodes, the running ones still end here.
      const results = await Promise.allSettled(
        backgroundSpecs(master).map((spec) =>
          this.queue.run(async () => {
            const v = await encodeVariant(master, spec);
            return variantRow(v, await this.files.write(id, v));
          }),
        ),
      );
      const refused = results.find((r) => r.status === 'rejected');
      if (refused) throw refused.reason;
      const rows = results.map((r) => (r as PromiseFulfilledResult<NewVariant>).value);
      const done = await this.d.db.transaction(async (trx) => {
        if (!(await this.repo.setStatus(id, 'processing', 'ready', trx))) return false;
        await this.repo.insertVariants(id, rows, trx);
        return true;
      });
      await this.files.removeSource(id);
      this.d.log.info(
        { id, variants: rows.length, ms: Math.round(performance.now() - started) },
        done ? 'media variants ready' : 'media changed meanwhile: variants dropped',
      );
    } catch (err) {
      // Left for the next start (source kept, still 'processing'): not a failure.
      if (err instanceof AbandonedError || this.stopping) {
        await this.files.markLeftAtStop(id);
        return;
      }
      this.d.log.error({ err, id }, 'media variants failed');
      try {
        await this.repo.setStatus(id, 'processing', 'failed');
        await this.files.removeSource(id);
      } catch (e) {
        this.d.log.error({ err: e, id }, 'media could not be marked failed');
      }
    }
  }
}
