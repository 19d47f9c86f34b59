import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../db/dialect';
import type { AttachmentKind } from './attachments.sniff';

export type OwnerType = 'article' | 'page';

export interface Attachment {
  id: number;
  ownerType: OwnerType;
  ownerId: number;
  title: string;
  kind: AttachmentKind;
  sizeBytes: number;
  storageKey: string;
  sha256: string;
  position: number;
  createdAt: Date;
}

interface Row {
  id: number;
  owner_type: OwnerType;
  owner_id: number;
  title: string;
  kind: AttachmentKind;
  size_bytes: number | string;
  storage_key: string;
  sha256: string;
  position: number;
  created_at: string;
}

function toAttachment(r: Row): Attachment {
  return {
    id: r.id,
    ownerType: r.owner_type,
    ownerId: r.owner_id,
    title: r.title,
    kind: r.kind,
    sizeBytes: Number(r.size_bytes),
    storageKey: r.storage_key,
    sha256: r.sha256,
    position: r.position,
    createdAt: fromDbTime(r.created_at),
  };
}

/** The attachments table, and nothing else. */
export class AttachmentsRepository {
  constructor(private readonly db: Knex) {}

  async forOwner(ownerType: OwnerType, ownerId: number): Promise<Attachment[]> {
    const rows = await this.db<Row>('attachments').where({ owner_type: ownerType, owner_id: ownerId }).orderBy(['position', 'id']);
    return rows.map(toAttachment);
  }

  async byId(id: number): Promise<Attachment | null> {
    const row = await this.db<Row>('attachments').where({ id }).first();
    return row ? toAttachment(row) : null;
  }

  async insert(a: Omit<Attachment, 'id' | 'position' | 'createdAt'>, now: Date, trx: Knex = this.db): Promise<number> {
    const last = await trx('attachments').where({ owner_type: a.ownerType, owner_id: a.ownerId }).max({ p: 'position' }).first();
    const [row] = await trx('attachments')
      .insert({
        owner_type: a.ownerType,
        owner_id: a.ownerId,
        title: a.title,
        kind: a.kind,
        size_bytes: a.sizeBytes,
        storage_key: a.storageKey,
        sha256: a.sha256,
        position: Number(last?.p ?? 0) + 1,
        created_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async delete(id: number, trx: Knex = this.db): Promise<void> {
    await trx('attachments').where({ id }).del();
  }

  /** Every file name in use, to find files left by a crash between writing and recording. */
  async storageKeys(): Promise<Set<string>> {
    return new Set((await this.db('attachments').select('storage_key')).map((r: { storage_key: string }) => r.storage_key));
  }
}
