/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbBool, toDbTime } from '../db/dialect';
import type { SecretBox } from '../crypto/secrets';

export interface ChannelAccount {
  id: number;
  channel: string;
  label: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
}

function toAccount(r: any): ChannelAccount {
  return {
    id: r.id,
    channel: r.channel,
    label: r.label,
    enabled: fromDbBool(r.enabled),
    settings: JSON.parse(r.settings || '{}') as Record<string, unknown>,
    hasCredentials: !!r.credentials,
  };
}

export class AccountsRepository {
  constructor(
    private readonly db: Knex,
    private readonly box: SecretBox,
  ) {}

  async list(trx: Knex = this.db): Promise<ChannelAccount[]> {
    return (await trx('channel_accounts').orderBy('id')).map(toAccount);
  }

  async get(id: number, trx: Knex = this.db): Promise<ChannelAccount | null> {
    const r = await trx('channel_accounts').where({ id }).first();
    return r ? toAccount(r) : null;
  }

  async credentials(id: number): Promise<Record<string, unknown> | null> {
    const r = await this.db('channel_accounts').where({ id }).first('credentials');
    return r?.credentials ? (JSON.parse(this.box.open(r.credentials)) as Record<string, unknown>) : null;
  }

  async insert(a: { channel: string; label: string; settings?: Record<string, unknown>; credentials?: Record<string, unknown> | null; enabled?: boolean }, now: Date, trx: Knex = this.db): Promise<number> {
    const [row] = await trx('channel_accounts')
      .insert({
        channel: a.channel,
        label: a.label,
        enabled: a.enabled ?? true,
        settings: JSON.stringify(a.settings ?? {}),
        credentials: a.credentials ? this.box.seal(JSON.stringify(a.credentials)) : null,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }
}
