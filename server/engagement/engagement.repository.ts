import type { Knex } from 'knex';
import { fromDbCount, isPostgres } from '../db/dialect';
import type { EventRow } from './engagement.types';

// Ids asked about at once (whereIn): below SQLite's (32,766) and PostgreSQL's (65,535) bound-variable limits.
const CHUNK = 1000;
const COLUMNS = ['occurred_at', 'day', 'article_id', 'publication_id', 'campaign_id', 'channel', 'kind', 'source', 'value', 'demo'] as const;
const PG_CHUNK = 10_000;
const SQLITE_CHUNK = 10_000;
// Column i of each JSON row ('->>' gives SQL values: text, integer, NULL).
const JSON_COLUMNS = COLUMNS.map((_, i) => `value ->> ${i}`).join(', ');
// A purge deletes this many events per statement, so that another writer never waits long.
const PURGE_BATCH = 10_000;
const PURGE_MAX_BATCHES = 100_000;

/**
 * The engagement tables (server/db/migrations/20261202200000_engagement.ts, 20261203050000_engagement_monthly.ts):
 * only this file writes them.
 */
export class EngagementRepository {
  constructor(private readonly db: Knex) {}

  /** Appends events: a few large inserts in one transaction, all or nothing. */
  async insert(rows: EventRow[]): Promise<void> {
    if (!rows.length) return;
    if (isPostgres(this.db)) return this.insertPostgres(rows);
    await this.db.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += SQLITE_CHUNK) {
        // The rows travel as one JSON text that SQLite takes apart itself (json_each): binding ten
        // values a row one by one, and knex scanning thousands of placeholders, cost more than
        // the database's own work.
        const chunk = rows.slice(i, i + SQLITE_CHUNK);
        const json = JSON.stringify(
          chunk.map((r) => [r.occurred_at, r.day, r.article_id, r.publication_id, r.campaign_id, r.channel, r.kind, r.source, r.value, r.demo ? 1 : 0]),
        );
        await trx.raw(`INSERT INTO engagement_events (${COLUMNS.join(', ')}) SELECT ${JSON_COLUMNS} FROM json_each(?)`, [json]);
      }
    });
  }

  /**
   * PostgreSQL takes a column as one array: ten parameters per statement whatever the number of
   * rows, which spares the server parsing thousands of placeholders.
   */
  private async insertPostgres(rows: EventRow[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += PG_CHUNK) {
        const chunk = rows.slice(i, i + PG_CHUNK);
        const column = <K extends keyof EventRow>(k: K) => chunk.map((r) => r[k]);
        await trx.raw(
          `INSERT INTO engagement_events (${COLUMNS.join(', ')})
           SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], ?::int[], ?::boolean[])`,
          COLUMNS.map((k) => column(k)) as unknown as Knex.RawBinding[],
        );
      }
    });
  }

  /**
   * Replaces a day's totals by the sums of its events and lists the day as complete, then
   * rewrites its month's totals, in one transaction: running it twice gives the same totals.
   */
  async rollUpDay(day: string, at: string): Promise<number> {
    return this.rollUpDays([day], at);
  }

  /**
   * rollUpDay for several days: one transaction per month, whose monthly totals are rewritten
   * once after its days (a month of daily rows summed once, not once a day). Returns how many
   * daily rows the days have.
   */
  async rollUpDays(days: string[], at: string): Promise<number> {
    const months = new Map<string, string[]>();
    for (const day of days) months.set(day.slice(0, 7), [...(months.get(day.slice(0, 7)) ?? []), day]);
    let rows = 0;
    for (const [month, own] of months) {
      rows += await this.db.transaction(async (trx) => {
        let n = 0;
        for (const day of own) {
          await trx('engagement_daily').where({ day }).del();
          await trx.raw(
            `INSERT INTO engagement_daily (day, article_id, channel, kind, source, demo, total)
             SELECT day, COALESCE(article_id, 0), channel, kind, source, demo, SUM(value)
             FROM engagement_events WHERE day = ?
             GROUP BY day, COALESCE(article_id, 0), channel, kind, source, demo`,
            [day],
          );
          await trx('engagement_rollup_days').insert({ day, rolled_up_at: at }).onConflict('day').merge({ rolled_up_at: at });
          const row = await trx('engagement_daily').where({ day }).count({ n: '*' }).first();
          n += fromDbCount((row as { n?: unknown } | undefined)?.n);
        }
        await rewriteMonth(trx, month);
        await nextGeneration(trx);
        return n;
      });
    }
    return rows;
  }

  /** Days before `day` that have events and no complete totals yet. */
  async daysToRollUp(before: string): Promise<string[]> {
    const rows: { day: string }[] = await this.db('engagement_events')
      .where('day', '<', before)
      .whereNotIn('day', this.db('engagement_rollup_days').select('day'))
      .distinct('day')
      .orderBy('day');
    return rows.map((r) => r.day);
  }

  /** Deletes the events of days before `day`, a batch at a time; their daily totals stay. */
  async purgeBefore(day: string): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < PURGE_MAX_BATCHES; i++) {
      const n = await this.db('engagement_events')
        .whereIn('id', this.db('engagement_events').where('day', '<', day).select('id').limit(PURGE_BATCH))
        .del();
      deleted += n;
      if (n < PURGE_BATCH) break;
    }
    return deleted;
  }

  /**
   * What has been recorded so far for each publication and kind (the sum of its deltas): the
   * social source subtracts it from a new snapshot to get the growth.
   */
  async publicationTotals(publicationIds: number[]): Promise<Map<number, Map<string, number>>> {
    const out = new Map<number, Map<string, number>>();
    for (let i = 0; i < publicationIds.length; i += CHUNK) {
      const rows: { publication_id: number; kind: string; n: unknown }[] = await this.db('engagement_events')
        .whereIn('publication_id', publicationIds.slice(i, i + CHUNK))
        .andWhere('demo', false)
        .select('publication_id', 'kind')
        .sum({ n: 'value' })
        .groupBy('publication_id', 'kind');
      for (const r of rows) {
        const id = Number(r.publication_id);
        const kinds = out.get(id) ?? new Map<string, number>();
        kinds.set(r.kind, fromDbCount(r.n));
        out.set(id, kinds);
      }
    }
    return out;
  }

  /**
   * Removes the demo commune's generated history, raw and rolled up; real figures stay. The days
   * it touched stop being listed as totalled when nothing real is left in them, and the others
   * are stamped `at`: the dashboard's processes remember totals of listed days until the listing
   * changes (engagement.queries.ts), and the CLI that runs this is not the process serving them.
   */
  async removeDemo(at: string, outer?: Knex.Transaction): Promise<number> {
    const remove = async (trx: Knex.Transaction) => {
      const days = ((await trx('engagement_daily').where('demo', true).distinct('day')) as { day: string }[]).map((r) => r.day);
      const events = await trx('engagement_events').where('demo', true).del();
      await trx('engagement_daily').where('demo', true).del();
      await trx('engagement_monthly').where('demo', true).del();
      for (let i = 0; i < days.length; i += CHUNK) {
        const chunk = days.slice(i, i + CHUNK);
        await trx('engagement_rollup_days')
          .whereIn('day', chunk)
          .whereNotExists(trx('engagement_daily').whereRaw('engagement_daily.day = engagement_rollup_days.day').select(trx.raw('1')))
          .del();
        await trx('engagement_rollup_days').whereIn('day', chunk).update({ rolled_up_at: at });
      }
      await nextGeneration(trx);
      return events;
    };
    return outer ? remove(outer) : this.db.transaction(remove);
  }

  async demoEvents(): Promise<number> {
    const row = (await this.db('engagement_events').where('demo', true).count({ n: '*' }).first()) as { n: unknown } | undefined;
    return fromDbCount(row?.n);
  }

  /** The demo list's net subscriptions (all its days are totalled when the demo is loaded). */
  async demoSubscribers(): Promise<number> {
    const rows = (await this.db('engagement_daily')
      .where({ demo: true, channel: 'newsletter' })
      .whereIn('kind', ['subscribe', 'unsubscribe'])
      .groupBy('kind')
      .select('kind')
      .sum({ total: 'total' })) as { kind: string; total: unknown }[];
    return rows.reduce((n, r) => n + (r.kind === 'subscribe' ? 1 : -1) * Number(r.total ?? 0), 0);
  }

  async hasDemo(): Promise<boolean> {
    return Boolean(await this.db('engagement_events').where('demo', true).first('id'));
  }
}

/** A month's totals: the sums of the daily totals of its rolled-up days (always in the same transaction as they change). */
async function rewriteMonth(trx: Knex.Transaction, month: string): Promise<void> {
  await trx('engagement_monthly').where({ month }).del();
  await trx.raw(
    `INSERT INTO engagement_monthly (month, article_id, channel, kind, demo, total)
     SELECT ?, article_id, channel, kind, demo, SUM(total)
     FROM engagement_daily WHERE day BETWEEN ? AND ?
     GROUP BY article_id, channel, kind, demo`,
    [month, `${month}-01`, `${month}-31`],
  );
}

/** The totals changed: what the dashboard remembered of them is stale (EngagementQueries.stamp). */
async function nextGeneration(trx: Knex.Transaction): Promise<void> {
  const n = await trx('engagement_rollup_state')
    .where({ id: 1 })
    .update({ generation: trx.raw('generation + 1') });
  if (!n) await trx('engagement_rollup_state').insert({ id: 1, generation: 1 });
}
