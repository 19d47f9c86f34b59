import type { Knex } from 'knex';
import { fromDbCount } from '../db/dialect';
import type { Source } from './audience.classify';

export interface ViewCount {
  day: string;
  articleId: number; // 0: a page that is not an article
  source: Source;
  views: number;
}

export interface VisitorHash {
  day: string;
  hash: string;
}

const CHUNK = 200; // rows per statement: well under SQLite's bound-variable limit

/** The audience tables: counts per day, today's visitor hashes, per-day visitor totals, salts. */
export class AudienceRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Adds the counts to what is stored, in one transaction. Answers how many of the visitors were
   * new on their day (not counted yet, by this instance or another), per day.
   */
  async write(views: ViewCount[], visitors: VisitorHash[]): Promise<Map<string, number>> {
    const fresh = new Map<string, number>();
    await this.db.transaction(async (trx) => {
      fresh.clear(); // a retried transaction counts again
      for (let i = 0; i < views.length; i += CHUNK) {
        const rows = views.slice(i, i + CHUNK).map((v) => ({ day: v.day, article_id: v.articleId, source: v.source, views: v.views }));
        // ON CONFLICT … DO UPDATE is spelled the same on SQLite (3.24+) and PostgreSQL; the
        // stored value must be named with its table, which PostgreSQL requires.
        await trx('audience_views')
          .insert(rows)
          .onConflict(['day', 'article_id', 'source'])
          .merge({ views: trx.raw('?? + ??', ['audience_views.views', 'excluded.views']) });
      }
      for (let i = 0; i < visitors.length; i += CHUNK) {
        // RETURNING names the rows actually inserted (SQLite 3.35+ and PostgreSQL alike).
        const inserted: { day: string }[] = await trx('audience_visitors')
          .insert(visitors.slice(i, i + CHUNK))
          .onConflict(['day', 'hash'])
          .ignore()
          .returning('day');
        for (const r of inserted) fresh.set(r.day, (fresh.get(r.day) ?? 0) + 1);
      }
    });
    return fresh;
  }

  async salt(day: string): Promise<string | null> {
    const row = await this.db('audience_salts').where({ day }).first('salt');
    return (row?.salt as string | undefined) ?? null;
  }

  /** The day's salt: ours if we are first, otherwise the one another instance stored. */
  async saltOrCreate(day: string, candidate: string): Promise<string> {
    await this.db('audience_salts').insert({ day, salt: candidate }).onConflict('day').ignore();
    return (await this.salt(day)) ?? candidate;
  }

  async deleteSaltsBefore(day: string): Promise<number> {
    return this.db('audience_salts').where('day', '<', day).del();
  }

  /**
   * Turns the visitor hashes of finished days into a count per day and deletes them. The purge
   * job runs it under its lease, so no two instances count the same hashes.
   */
  async rollUpVisitorsBefore(day: string): Promise<number> {
    return this.db.transaction(async (trx): Promise<number> => {
      const counts: { day: string; n: unknown }[] = await trx('audience_visitors').where('day', '<', day).select('day').count({ n: '*' }).groupBy('day');
      for (const c of counts) {
        await trx('audience_days')
          .insert({ day: c.day, visitors: fromDbCount(c.n) })
          .onConflict('day')
          .merge({ visitors: trx.raw('?? + ??', ['audience_days.visitors', 'excluded.visitors']) });
      }
      return trx('audience_visitors').where('day', '<', day).del();
    });
  }

  /** Deletes everything measured before `day`. */
  async purgeBefore(day: string): Promise<number> {
    return this.db.transaction(async (trx): Promise<number> => {
      const views = await trx('audience_views').where('day', '<', day).del();
      const days = await trx('audience_days').where('day', '<', day).del();
      const visitors = await trx('audience_visitors').where('day', '<', day).del();
      return views + days + visitors;
    });
  }

  async viewsByDay(from: string): Promise<Map<string, number>> {
    const rows: { day: string; n: unknown }[] = await this.db('audience_views').where('day', '>=', from).select('day').sum({ n: 'views' }).groupBy('day');
    return new Map(rows.map((r) => [r.day, fromDbCount(r.n)]));
  }

  /** Unique visitors per day: counted days plus the hashes not yet counted. */
  async visitorsByDay(from: string): Promise<Map<string, number>> {
    const [counted, pending] = await Promise.all([
      this.db('audience_days').where('day', '>=', from).select('day', 'visitors'),
      this.db('audience_visitors').where('day', '>=', from).select('day').count({ n: '*' }).groupBy('day'),
    ]);
    const out = new Map<string, number>();
    for (const r of counted as { day: string; visitors: unknown }[]) out.set(r.day, fromDbCount(r.visitors));
    for (const r of pending as { day: string; n: unknown }[]) out.set(r.day, (out.get(r.day) ?? 0) + fromDbCount(r.n));
    return out;
  }

  async viewsBySource(from: string): Promise<Map<Source, number>> {
    const rows: { source: Source; n: unknown }[] = await this.db('audience_views')
      .where('day', '>=', from)
      .select('source')
      .sum({ n: 'views' })
      .groupBy('source');
    return new Map(rows.map((r) => [r.source, fromDbCount(r.n)]));
  }

  /** Views of pages that are not articles (home, lists, search…). */
  async otherPageViews(from: string): Promise<number> {
    const row = await this.db('audience_views').where('day', '>=', from).andWhere('article_id', 0).sum({ n: 'views' }).first();
    return fromDbCount((row as { n?: unknown } | undefined)?.n);
  }

  /** Articles by number of views, most read first. */
  async topArticles(from: string, limit: number, offset: number): Promise<{ rows: { articleId: number; views: number }[]; total: number }> {
    const base = this.db('audience_views').where('day', '>=', from).andWhere('article_id', '>', 0);
    const [rows, count] = await Promise.all([
      base
        .clone()
        .select('article_id')
        .sum({ n: 'views' })
        .groupBy('article_id')
        .orderBy([
          { column: 'n', order: 'desc' },
          { column: 'article_id', order: 'desc' },
        ])
        .limit(limit)
        .offset(offset),
      base.clone().countDistinct({ n: 'article_id' }).first(),
    ]);
    return {
      rows: (rows as { article_id: number; n: unknown }[]).map((r) => ({ articleId: Number(r.article_id), views: fromDbCount(r.n) })),
      total: fromDbCount((count as { n?: unknown } | undefined)?.n),
    };
  }

  async sourcesOf(from: string, articleIds: number[]): Promise<{ articleId: number; source: Source; views: number }[]> {
    if (!articleIds.length) return [];
    const rows: { article_id: number; source: Source; n: unknown }[] = await this.db('audience_views')
      .where('day', '>=', from)
      .whereIn('article_id', articleIds)
      .select('article_id', 'source')
      .sum({ n: 'views' })
      .groupBy('article_id', 'source');
    return rows.map((r) => ({ articleId: Number(r.article_id), source: r.source, views: fromDbCount(r.n) }));
  }
}
