import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';

/** The monthly report's opt-outs and sends (stats_report_optouts, stats_report_sends). */
export class StatsReportRepository {
  constructor(private readonly db: Knex) {}

  async optedOut(userId: number): Promise<boolean> {
    return Boolean(await this.db('stats_report_optouts').where('user_id', userId).first('user_id'));
  }

  async setOptOut(userId: number, out: boolean, now: Date): Promise<void> {
    if (!out) {
      await this.db('stats_report_optouts').where('user_id', userId).del();
      return;
    }
    await this.db('stats_report_optouts')
      .insert({ user_id: userId, created_at: toDbTime(now) })
      .onConflict('user_id')
      .ignore();
  }

  async optedOutIds(): Promise<Set<number>> {
    return new Set((await this.db('stats_report_optouts').select('user_id')).map((r: { user_id: unknown }) => Number(r.user_id)));
  }

  /** Records the send; false when this month's report already went to this person. */
  async claimSend(userId: number, month: string, now: Date, trx: Knex): Promise<boolean> {
    const inserted = await trx('stats_report_sends')
      .insert({ user_id: userId, month, sent_at: toDbTime(now) })
      .onConflict(['user_id', 'month'])
      .ignore()
      .returning('user_id');
    return (inserted as unknown[]).length > 0;
  }
}
