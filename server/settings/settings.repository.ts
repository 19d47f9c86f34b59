import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';

export class SettingsRepository {
  constructor(private readonly db: Knex) {}

  async get<T>(key: string): Promise<T | null> {
    const row = await this.db('settings').where({ key }).first('value');
    return row ? (JSON.parse(row.value as string) as T) : null;
  }

  async put(key: string, value: unknown, now: Date, trx: Knex = this.db): Promise<void> {
    await trx('settings')
      .insert({ key, value: JSON.stringify(value), updated_at: toDbTime(now) })
      .onConflict('key')
      .merge(['value', 'updated_at']);
  }
}
