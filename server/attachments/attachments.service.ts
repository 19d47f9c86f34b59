import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import { NotFoundError, ValidationError } from '../http/errors';
import type { Logger } from '../logger';
import type { SettingsService } from '../settings/settings.service';
import type { Attachment, AttachmentsRepository, OwnerType } from './attachments.repository';
import { KIND_INFO, sniffFile } from './attachments.sniff';

/**
 * What the attachments domain asks of an owner's domain (articles, pages): whether it exists, and
 * whether a reader may see it now (a draft's files are not public).
 */
export interface AttachmentOwner {
  exists(id: number): Promise<boolean>;
  isPublic(id: number): Promise<boolean>;
}

export interface ReceivedFile {
  path: string;
  originalName: string;
  size: number;
}

/** "240 Ko", "1,5 Mo": the size as RGAA asks to show it beside a link. */
export function humanSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} Ko`;
  const mb = (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '').replace('.', ',');
  return `${mb} Mo`;
}

/** "PDF, 240 Ko". */
export function describeAttachment(a: Pick<Attachment, 'kind' | 'sizeBytes'>): string {
  return `${KIND_INFO[a.kind].label}, ${humanSize(a.sizeBytes)}`;
}

/** A download name made of ASCII letters, digits and dashes only: nothing for a header to choke on. */
export function downloadName(a: Pick<Attachment, 'title' | 'kind'>): string {
  const base =
    a.title
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'document';
  return `${base}.${KIND_INFO[a.kind].ext}`;
}

export function publicPath(a: Pick<Attachment, 'id' | 'title' | 'kind'>): string {
  return `/documents/${a.id}/${downloadName(a)}`;
}

const STORAGE_KEY = /^[a-f0-9]{32}$/;

/** Files attached to articles and pages: checked by content, stored under DATA_DIR/attachments. */
export class AttachmentsService {
  private readonly owners = new Map<OwnerType, AttachmentOwner>();
  private readonly listeners: (() => void)[] = [];
  readonly dir: string;
  readonly incomingDir: string;

  constructor(
    private readonly d: {
      db: Knex;
      repo: AttachmentsRepository;
      audit: AuditRepository;
      clock: Clock;
      log: Logger;
      dataDir: string;
      settings: SettingsService;
    },
  ) {
    this.dir = path.join(d.dataDir, 'attachments');
    this.incomingDir = path.join(this.dir, '.incoming');
  }

  /** Articles register at start-up; pages call `registerOwner('page', …)` the same way. */
  registerOwner(type: OwnerType, owner: AttachmentOwner): this {
    this.owners.set(type, owner);
    return this;
  }

  /** Called after every change (the page cache forgets the owner's page). */
  onChange(listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  async maxBytes(): Promise<number> {
    return (await this.d.settings.attachments()).maxMb * 1024 * 1024;
  }

  private owner(type: OwnerType): AttachmentOwner {
    const o = this.owners.get(type);
    if (!o) throw new NotFoundError();
    return o;
  }

  async list(ownerType: OwnerType, ownerId: number): Promise<Attachment[]> {
    return this.d.repo.forOwner(ownerType, ownerId);
  }

  /** What a reader may download: the owner's files when the owner is public, else nothing. */
  async publicList(ownerType: OwnerType, ownerId: number): Promise<Attachment[]> {
    if (!this.owners.has(ownerType)) return [];
    return this.d.repo.forOwner(ownerType, ownerId);
  }

  async get(id: number): Promise<Attachment> {
    const a = await this.d.repo.byId(id);
    if (!a) throw new NotFoundError('Ce document n’existe pas ou plus.');
    return a;
  }

  /** The attachment if a reader may have it now, else null (a draft's files stay private). */
  async publicFile(id: number): Promise<Attachment | null> {
    const a = await this.d.repo.byId(id);
    if (!a || !this.owners.has(a.ownerType)) return null;
    return (await this.owner(a.ownerType).isPublic(a.ownerId)) ? a : null;
  }

  filePath(a: Attachment): string {
    if (!STORAGE_KEY.test(a.storageKey)) throw new NotFoundError('Ce document n’existe pas ou plus.');
    return path.join(this.dir, a.storageKey);
  }

  /**
   * Keeps a received file when its content is one of the accepted kinds; anything else is
   * deleted and refused with the reason. The temporary file never stays behind.
   */
  async add(ownerType: OwnerType, ownerId: number, title: string, file: ReceivedFile, actor: Actor): Promise<Attachment> {
    try {
      if (!(await this.owner(ownerType).exists(ownerId))) throw new NotFoundError();
      const sniffed = await sniffFile(file.path, file.originalName);
      if ('refused' in sniffed) throw new ValidationError(sniffed.refused, { file: sniffed.refused });
      const sha256 = await hashFile(file.path);
      const storageKey = crypto.randomBytes(16).toString('hex');
      await fs.mkdir(this.dir, { recursive: true });
      const final = path.join(this.dir, storageKey);
      await fs.rename(file.path, final);
      const now = this.d.clock.now();
      let id: number;
      try {
        id = await this.d.db.transaction(async (trx) => {
          const newId = await this.d.repo.insert({ ownerType, ownerId, title, kind: sniffed.kind, sizeBytes: file.size, storageKey, sha256 }, now, trx);
          await this.d.audit.append(
            {
              actor,
              action: 'attachment.added',
              targetType: ownerType,
              targetId: ownerId,
              details: { title, kind: KIND_INFO[sniffed.kind].label, bytes: file.size },
            },
            now,
            trx,
          );
          return newId;
        });
      } catch (err) {
        await fs.rm(final, { force: true });
        throw err;
      }
      this.changed();
      return this.get(id);
    } finally {
      await fs.rm(file.path, { force: true });
    }
  }

  async remove(id: number, actor: Actor): Promise<Attachment> {
    const a = await this.get(id);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.repo.delete(id, trx);
      await this.d.audit.append({ actor, action: 'attachment.removed', targetType: a.ownerType, targetId: a.ownerId, details: { title: a.title } }, now, trx);
    });
    // After the commit: a crash in between leaves an unused file, never a link to a missing one.
    await fs.rm(this.filePath(a), { force: true }).catch((err: unknown) => this.d.log.warn({ err }, 'attachment file not removed'));
    this.changed();
    return a;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
