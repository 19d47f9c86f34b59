/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../db/dialect';
import type { ArticleSnapshot, PeopleNames } from './articles.types';

export type RevisionStatus = 'pending' | 'approved' | 'refused';

/** A change proposed to an online article, waiting for (or given) an elected member's decision. */
export interface ArticleRevision {
  id: number;
  articleId: number;
  baseVersion: number;
  snapshot: ArticleSnapshot;
  authorId: number | null;
  authorName: string | null;
  status: RevisionStatus;
  reason: string | null;
  decidedBy: number | null;
  deciderName: string | null;
  decidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

function toRevision(r: Record<string, any>): ArticleRevision {
  return {
    id: r.id,
    articleId: r.article_id,
    baseVersion: Number(r.base_version),
    snapshot: JSON.parse(r.snapshot) as ArticleSnapshot,
    authorId: r.author_id ?? null,
    authorName: r.author_name ?? null,
    status: r.status as RevisionStatus,
    reason: r.reason ?? null,
    decidedBy: r.decided_by ?? null,
    deciderName: r.decider_name ?? null,
    decidedAt: fromDbTimeOrNull(r.decided_at),
    createdAt: fromDbTime(r.created_at),
    updatedAt: fromDbTime(r.updated_at),
  };
}

/** Only this repository touches article_revisions. */
export class ArticleRevisionsRepository {
  constructor(
    private readonly db: Knex,
    private readonly people: PeopleNames,
  ) {}

  private query(trx: Knex) {
    return trx('article_revisions as r').select('r.*');
  }

  /** The proposal with the names of who wrote it and who decided (asked of the accounts). */
  private async withNames(row: Record<string, any> | undefined, trx: Knex): Promise<ArticleRevision | null> {
    if (!row) return null;
    const names = await this.people.displayNames([row.author_id ?? null, row.decided_by ?? null], trx);
    return toRevision({ ...row, author_name: names.get(row.author_id), decider_name: names.get(row.decided_by) });
  }

  async pending(articleId: number, trx: Knex = this.db): Promise<ArticleRevision | null> {
    return this.withNames(await this.query(trx).where({ 'r.article_id': articleId, 'r.status': 'pending' }).first(), trx);
  }

  /**
   * The pending proposals whose snapshot shows an image (approving one would bring it back), most
   * recently changed first: the media library asks before deleting one.
   */
  async pendingShowingMedia(mediaId: number, trx: Knex = this.db): Promise<{ articleId: number; title: string }[]> {
    // At most one pending proposal per article: few rows, read whole and looked into here.
    const rows: { articleId: number; snapshot: string; title: string }[] = await trx('article_revisions as r')
      .join('articles as a', 'a.id', 'r.article_id')
      .where('r.status', 'pending')
      .orderBy('r.updated_at', 'desc')
      .select('r.article_id as articleId', 'r.snapshot', 'a.title');
    return rows
      .filter((r) => {
        const s = JSON.parse(r.snapshot) as { heroMediaId?: unknown; bodyMd?: unknown };
        return s.heroMediaId === mediaId || (typeof s.bodyMd === 'string' && s.bodyMd.includes(`/media/${mediaId}/`));
      })
      .map((r) => ({ articleId: r.articleId, title: r.title }));
  }

  /** The latest proposal of an article, whatever became of it. */
  async latest(articleId: number): Promise<ArticleRevision | null> {
    return this.withNames(await this.query(this.db).where('r.article_id', articleId).orderBy('r.id', 'desc').first(), this.db);
  }

  /** One pending proposal per article: a new save replaces its content (and names its last author). */
  async propose(articleId: number, baseVersion: number, snapshot: ArticleSnapshot, authorId: number | null, now: Date, trx: Knex): Promise<number> {
    const existing = await trx('article_revisions').where({ article_id: articleId, status: 'pending' }).first('id');
    const fields = { base_version: baseVersion, snapshot: JSON.stringify(snapshot), author_id: authorId, updated_at: toDbTime(now) };
    if (existing) {
      await trx('article_revisions').where({ id: existing.id }).update(fields);
      return existing.id as number;
    }
    const [row] = await trx('article_revisions')
      .insert({ ...fields, article_id: articleId, status: 'pending', created_at: toDbTime(now) })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  /** Guarded: only a pending proposal is decided, so two clicks cannot both win. */
  async decide(id: number, status: 'approved' | 'refused', reason: string | null, by: number | null, now: Date, trx: Knex): Promise<boolean> {
    const n = await trx('article_revisions')
      .where({ id, status: 'pending' })
      .update({ status, reason, decided_by: by, decided_at: toDbTime(now), updated_at: toDbTime(now) });
    return n === 1;
  }
}
