/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { escapeLike, fromDbBool, fromDbCount, fromDbTime, fromDbTimeOrNull, LIKE_ESCAPE, likeOperator, toDbTime, toDbTimeOrNull } from '../db/dialect';
import { shownFromRow } from './article-row';
import type {
  Article,
  ArticleContent,
  ArticleFilters,
  ArticleListItem,
  ArticleSnapshot,
  ArticleStatus,
  ArticleVersion,
  Category,
  PeopleNames,
} from './articles.types';

/** The columns an insert or a content update writes. */
export interface ArticleRowInput extends ArticleContent {
  bodyMd: string;
  bodyHtml: string;
  publishAt: Date | null;
}

/** The fields every reader is shown (article-row.ts), and those only the team sees. */
function toArticle(r: Record<string, any>): Article {
  return {
    ...shownFromRow(r),
    bodyMd: r.body_md,
    status: r.status as ArticleStatus,
    publishAt: fromDbTimeOrNull(r.publish_at),
    scheduleRequested: fromDbBool(r.schedule_requested),
    authorId: r.author_id ?? null,
    approvedBy: r.approved_by ?? null,
    approvedAt: fromDbTimeOrNull(r.approved_at),
    version: Number(r.version),
    createdAt: fromDbTime(r.created_at),
  };
}

function toRow(a: ArticleRowInput): Record<string, unknown> {
  return {
    slug: a.slug,
    title: a.title,
    summary: a.summary,
    body_md: a.bodyMd,
    body_html: a.bodyHtml,
    category_id: a.categoryId,
    hero_media_id: a.heroMediaId,
    hero_alt: a.heroAlt,
    event_start: toDbTimeOrNull(a.eventStart),
    event_end: toDbTimeOrNull(a.eventEnd),
    event_place: a.eventPlace,
    urgent: a.urgent,
    publish_at: toDbTimeOrNull(a.publishAt),
  };
}

function insertedId(row: unknown): number {
  return typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number);
}

/** Only this repository touches articles, article_versions and categories. */
export class ArticlesRepository {
  constructor(
    private readonly db: Knex,
    private readonly people: PeopleNames,
  ) {}

  async findById(id: number, trx: Knex = this.db): Promise<Article | null> {
    const row = await trx('articles').where({ id }).first();
    return row ? toArticle(row) : null;
  }

  async findBySlug(slug: string, trx: Knex = this.db): Promise<Article | null> {
    const row = await trx('articles').where({ slug }).first();
    return row ? toArticle(row) : null;
  }

  /** The id of the article that holds `slug`, if any. */
  async slugOwner(slug: string, trx: Knex = this.db): Promise<number | null> {
    const row = await trx('articles').where({ slug }).first('id');
    return row ? (row.id as number) : null;
  }

  async insert(a: ArticleRowInput, meta: { status: ArticleStatus; authorId: number | null }, now: Date, trx: Knex): Promise<number> {
    const [row] = await trx('articles')
      .insert({ ...toRow(a), status: meta.status, author_id: meta.authorId, version: 1, created_at: toDbTime(now), updated_at: toDbTime(now) })
      .returning('id');
    return insertedId(row);
  }

  async setSlug(id: number, slug: string, trx: Knex): Promise<void> {
    await trx('articles').where({ id }).update({ slug });
  }

  /** Guarded write: only lands on the version the editor started from. Returns false when it moved on. */
  async updateContent(
    id: number,
    expectedVersion: number,
    a: ArticleRowInput,
    extra: { status?: ArticleStatus; clearApproval?: boolean },
    now: Date,
    trx: Knex,
  ): Promise<boolean> {
    const patch: Record<string, unknown> = { ...toRow(a), version: expectedVersion + 1, updated_at: toDbTime(now) };
    if (extra.status) patch.status = extra.status;
    if (extra.clearApproval) Object.assign(patch, { approved_by: null, approved_at: null });
    const n = await trx('articles').where({ id, version: expectedVersion }).update(patch);
    return n === 1;
  }

  /** Guarded status change: "set status to `to` where it is `from`", so two clicks cannot both win. */
  async updateStatus(
    id: number,
    from: ArticleStatus,
    patch: { status: ArticleStatus; publishAt?: Date | null; approvedBy?: number | null; approvedAt?: Date | null; scheduleRequested?: boolean },
    now: Date,
    trx: Knex,
  ): Promise<boolean> {
    const row: Record<string, unknown> = { status: patch.status, updated_at: toDbTime(now) };
    if (patch.publishAt !== undefined) row.publish_at = toDbTimeOrNull(patch.publishAt);
    if (patch.approvedBy !== undefined) row.approved_by = patch.approvedBy;
    if (patch.approvedAt !== undefined) row.approved_at = toDbTimeOrNull(patch.approvedAt);
    if (patch.scheduleRequested !== undefined) row.schedule_requested = patch.scheduleRequested;
    const n = await trx('articles').where({ id, status: from }).update(row);
    return n === 1;
  }

  /** Moves a scheduled article's date (the guard: still published and not yet out at `now`). */
  async movePublishAt(id: number, at: Date, now: Date, trx: Knex): Promise<boolean> {
    const n = await trx('articles')
      .where({ id, status: 'published' })
      .where('publish_at', '>', toDbTime(now))
      .update({ publish_at: toDbTime(at), updated_at: toDbTime(now) });
    return n === 1;
  }

  /** "Alerte : envoyer partout maintenant" makes the article urgent (guarded: only once). */
  async markUrgent(id: number, now: Date, trx: Knex): Promise<boolean> {
    const n = await trx('articles')
      .where({ id })
      .whereNot({ urgent: true })
      .update({ urgent: true, updated_at: toDbTime(now) });
    return n === 1;
  }

  /** The date and the request of a "Programmer" waiting for approval (the status is changed apart). */
  async setScheduleRequest(id: number, at: Date | null, requested: boolean, trx: Knex): Promise<void> {
    await trx('articles')
      .where({ id })
      .update({ publish_at: toDbTimeOrNull(at), schedule_requested: requested });
  }

  async delete(id: number, trx: Knex): Promise<void> {
    await trx('article_previews').where({ article_id: id }).delete();
    await trx('article_revisions').where({ article_id: id }).delete();
    await trx('article_versions').where({ article_id: id }).delete();
    await trx('articles').where({ id }).delete();
  }

  async list(f: ArticleFilters, now: Date): Promise<{ rows: ArticleListItem[]; total: number }> {
    const op = likeOperator(this.db);
    const base = this.db('articles as a').modify((q) => {
      const term = f.q?.trim();
      if (term) {
        const pattern = `%${escapeLike(term)}%`;
        // Bindings only: whatever is typed in the search box is data, never SQL.
        q.where((w) => {
          for (const col of ['a.title', 'a.summary', 'a.body_md']) w.orWhereRaw(`?? ${op} ? ${LIKE_ESCAPE}`, [col, pattern]);
        });
      }
      if (f.status === 'scheduled') q.where('a.status', 'published').where('a.publish_at', '>', toDbTime(now));
      else if (f.status === 'published')
        q.where('a.status', 'published').where((w) => w.whereNull('a.publish_at').orWhere('a.publish_at', '<=', toDbTime(now)));
      else if (f.status === 'proposed') q.whereExists(this.db('article_revisions as r').whereRaw('r.article_id = a.id').where('r.status', 'pending'));
      else if (f.status) q.where('a.status', f.status);
      if (f.categoryId) q.where('a.category_id', f.categoryId);
      if (f.authorId) q.where('a.author_id', f.authorId);
    });
    const [rows, count] = await Promise.all([
      base
        .clone()
        .leftJoin('categories as c', 'c.id', 'a.category_id')
        .select(
          'a.*',
          'c.name as category_name',
          this.db.raw("exists (select 1 from article_revisions r where r.article_id = a.id and r.status = 'pending') as has_proposal"),
          // The date that says where an article stands: when it goes or went out, else its last change.
          this.db.raw("case when a.status = 'published' and a.publish_at is not null then a.publish_at else a.updated_at end as list_date"),
        )
        .modify((q) => {
          // What is scheduled is read in the order it will go out.
          if (f.status === 'scheduled')
            q.orderBy([
              { column: 'a.publish_at', order: 'asc' },
              { column: 'a.id', order: 'asc' },
            ]);
          else if (f.sort === 'updated')
            q.orderBy([
              { column: 'a.updated_at', order: 'desc' },
              { column: 'a.id', order: 'desc' },
            ]);
          else q.orderByRaw('list_date desc, a.id desc');
        })
        .limit(f.limit)
        .offset(f.offset),
      base.clone().count({ n: '*' }).first(),
    ]);
    const names = await this.people.displayNames(rows.map((r: Record<string, any>) => r.author_id ?? null));
    return {
      total: fromDbCount(count?.n),
      rows: rows.map((r: Record<string, any>) => ({
        ...toArticle(r),
        authorName: names.get(r.author_id) ?? null,
        categoryName: r.category_name ?? null,
        hasProposal: fromDbBool(r.has_proposal),
      })),
    };
  }

  async insertVersion(articleId: number, version: number, snapshot: ArticleSnapshot, authorId: number | null, now: Date, trx: Knex): Promise<void> {
    await trx('article_versions').insert({
      article_id: articleId,
      version,
      snapshot: JSON.stringify(snapshot),
      author_id: authorId,
      created_at: toDbTime(now),
    });
  }

  async versions(articleId: number): Promise<ArticleVersion[]> {
    const rows = await this.db('article_versions').where('article_id', articleId).orderBy('version', 'desc');
    const names = await this.people.displayNames(rows.map((r: Record<string, any>) => r.author_id ?? null));
    return rows.map((r: Record<string, any>) => toVersion({ ...r, author_name: names.get(r.author_id) }));
  }

  async version(articleId: number, version: number): Promise<ArticleVersion | null> {
    const row = await this.db('article_versions').where({ article_id: articleId, version }).first();
    if (!row) return null;
    const names = await this.people.displayNames([row.author_id ?? null]);
    return toVersion({ ...row, author_name: names.get(row.author_id) });
  }

  async categories(): Promise<Category[]> {
    const rows = await this.db('categories').orderBy([{ column: 'position' }, { column: 'name' }]);
    return rows.map((r: Record<string, any>) => ({ id: r.id, slug: r.slug, name: r.name }));
  }

  async categoryExists(id: number, trx: Knex = this.db): Promise<boolean> {
    return !!(await trx('categories').where({ id }).first('id'));
  }

  /** The people who may appear as authors, for the list's filter: who wrote an article is asked of the accounts. */
  async authors(): Promise<{ id: number; name: string }[]> {
    const rows: { author_id: number }[] = await this.db('articles').distinct('author_id').whereNotNull('author_id');
    return this.people.possibleAuthors(rows.map((r) => Number(r.author_id)));
  }

  async userName(id: number | null): Promise<string | null> {
    if (!id) return null;
    return (await this.people.displayNames([id])).get(id) ?? null;
  }

  /**
   * Articles that show an image, as hero or inside their text (Markdown links to /media/<id>/…),
   * the `limit` most recently changed and how many in all: the media library asks before
   * deleting one, in its own transaction.
   */
  async showingMedia(mediaId: number, limit: number, trx: Knex = this.db): Promise<{ rows: { id: number; title: string }[]; count: number }> {
    const op = likeOperator(trx) === 'ilike' ? 'ILIKE' : 'LIKE';
    const q = trx('articles').where((w) => w.where('hero_media_id', mediaId).orWhereRaw(`body_md ${op} ? ${LIKE_ESCAPE}`, [`%/media/${mediaId}/%`]));
    const [rows, count] = await Promise.all([
      q.clone().orderBy('updated_at', 'desc').limit(limit).select('id', 'title') as Promise<{ id: number; title: string }[]>,
      q.clone().count({ n: '*' }).first(),
    ]);
    return { rows, count: fromDbCount(count?.n) };
  }

  /** Title, address and status of the given articles (figures pages list articles by id). */
  async summaries(ids: number[]): Promise<Map<number, { id: number; title: string; slug: string; status: ArticleStatus }>> {
    const out = new Map<number, { id: number; title: string; slug: string; status: ArticleStatus }>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db('articles')
        .whereIn('id', ids.slice(i, i + 500))
        .select('id', 'title', 'slug', 'status');
      for (const r of rows as any[]) out.set(Number(r.id), { id: Number(r.id), title: r.title, slug: r.slug, status: r.status as ArticleStatus });
    }
    return out;
  }

  /** The few fields a channel adapter needs, in one query (the dispatcher's hot path). */
  async publishable(id: number): Promise<{
    id: number;
    slug: string;
    title: string;
    summary: string;
    bodyHtml: string;
    heroMediaId: number | null;
    heroAlt: string;
    urgent: boolean;
    categoryId: number | null;
  } | null> {
    const r = await this.db('articles')
      .where({ id })
      .first('id', 'slug', 'title', 'summary', 'body_html', 'hero_media_id', 'hero_alt', 'urgent', 'category_id');
    if (!r) return null;
    return {
      id: r.id,
      slug: r.slug,
      title: r.title,
      summary: r.summary,
      bodyHtml: r.body_html,
      heroMediaId: r.hero_media_id,
      heroAlt: r.hero_alt,
      urgent: fromDbBool(r.urgent),
      categoryId: r.category_id ?? null,
    };
  }

  /** What the channel panel needs to know of an article: its status and default time. */
  async state(id: number): Promise<{ id: number; title: string; slug: string; status: string; publishAt: Date | null; urgent: boolean } | null> {
    const r = await this.db('articles').where({ id }).first('id', 'title', 'slug', 'status', 'publish_at', 'urgent');
    if (!r) return null;
    return { id: r.id, title: r.title, slug: r.slug, status: r.status, publishAt: fromDbTimeOrNull(r.publish_at), urgent: fromDbBool(r.urgent) };
  }

  async count(): Promise<number> {
    return fromDbCount((await this.db('articles').count({ n: '*' }).first())?.n);
  }
}

function toVersion(r: Record<string, any>): ArticleVersion {
  return {
    version: Number(r.version),
    authorId: r.author_id ?? null,
    authorName: r.author_name ?? null,
    createdAt: fromDbTime(r.created_at),
    snapshot: JSON.parse(r.snapshot) as ArticleSnapshot,
  };
}
