import type { Knex } from 'knex';
import { lockingRows } from '../db/dialect';

export type DemoKind = 'article' | 'page' | 'image';

/** The list of what the demo commune put in the database (table demo_items, this module's own). */
export class DemoItemsRepository {
  constructor(private readonly db: Knex) {}

  async record(kind: DemoKind, ids: number[], trx: Knex = this.db): Promise<void> {
    for (let i = 0; i < ids.length; i += 200) {
      const rows = ids.slice(i, i + 200).map((id) => ({ kind, item_id: id }));
      if (rows.length) await trx('demo_items').insert(rows).onConflict(['kind', 'item_id']).ignore();
    }
  }

  async ids(kind: DemoKind, trx: Knex = this.db): Promise<number[]> {
    const rows = (await trx('demo_items').where({ kind }).orderBy('item_id').select('item_id')) as { item_id: unknown }[];
    return rows.map((r) => Number(r.item_id));
  }

  /**
   * Taken first by the demo's removal: two administrators pressing the button at once do it one
   * after the other, and the second finds the list already empty.
   */
  async lock(trx: Knex.Transaction): Promise<void> {
    await lockingRows(trx, trx('demo_items').select('kind'));
  }

  async any(): Promise<boolean> {
    return Boolean(await this.db('demo_items').first('kind'));
  }

  /** The demo's removal forgets its list in the same transaction as it deletes the rows. */
  async forget(kind: DemoKind, ids: number[], trx: Knex): Promise<void> {
    for (let i = 0; i < ids.length; i += 200)
      await trx('demo_items')
        .where({ kind })
        .whereIn('item_id', ids.slice(i, i + 200))
        .del();
  }
}
