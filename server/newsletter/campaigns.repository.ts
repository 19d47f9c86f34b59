/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbCount, fromDbTimeOrNull, fromDbTime, toDbTime } from '../db/dialect';

export const CAMPAIGN_KINDS = ['digest', 'alert', 'manual'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];
export type CampaignStatus = 'draft' | 'scheduled' | 'started' | 'sent' | 'cancelled';

export interface Campaign {
  id: number;
  number: number | null;
  kind: CampaignKind;
  status: CampaignStatus;
  subject: string;
  intro: string;
  createdBy: number | null;
  digestSlot: string | null;
  opens: number;
  createdAt: Date;
  scheduledFor: Date | null;
  startedAt: Date | null;
  sentAt: Date | null;
}

export interface CampaignArticle {
  articleId: number;
  publicationId: number | null;
  position: number;
}

export interface CampaignLink {
  id: number;
  url: string;
  clicks: number;
}

function toCampaign(r: any): Campaign {
  return {
    id: r.id,
    number: r.number ?? null,
    kind: r.kind,
    status: r.status,
    subject: r.subject,
    intro: r.intro ?? '',
    createdBy: r.created_by ?? null,
    digestSlot: r.digest_slot ?? null,
    opens: fromDbCount(r.opens),
    createdAt: fromDbTime(r.created_at),
    scheduledFor: fromDbTimeOrNull(r.scheduled_for),
    startedAt: fromDbTimeOrNull(r.started_at),
    sentAt: fromDbTimeOrNull(r.sent_at),
  };
}

/** The newsletter campaigns' tables: campaigns, their articles, their links, per-person tracking. */
export class CampaignsRepository {
  constructor(private readonly db: Knex) {}

  async get(id: number, trx: Knex = this.db): Promise<Campaign | null> {
    const r = await trx('campaigns').where({ id }).first();
    return r ? toCampaign(r) : null;
  }

  async byNumber(number: number): Promise<Campaign | null> {
    const r = await this.db('campaigns').where({ number, status: 'sent' }).first();
    return r ? toCampaign(r) : null;
  }

  async list(opts: { limit: number; offset: number; status?: CampaignStatus }): Promise<{ rows: Campaign[]; total: number }> {
    const base = () => {
      const q = this.db('campaigns');
      if (opts.status) q.where({ status: opts.status });
      return q;
    };
    const [rows, total] = await Promise.all([
      base().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset),
      base().count({ n: '*' }).first(),
    ]);
    return { rows: rows.map(toCampaign), total: fromDbCount((total as any)?.n) };
  }

  /** Sent campaigns with a public number, newest first: the archive. */
  async archive(opts: { limit: number; offset: number }): Promise<{ rows: Campaign[]; total: number }> {
    const base = () => this.db('campaigns').where({ status: 'sent' }).whereNotNull('number');
    const [rows, total] = await Promise.all([base().orderBy('number', 'desc').limit(opts.limit).offset(opts.offset), base().count({ n: '*' }).first()]);
    return { rows: rows.map(toCampaign), total: fromDbCount((total as any)?.n) };
  }

  /**
   * A campaign with its articles, in one transaction. A digest's slot is unique: a second
   * instance building the same week's digest gets null instead of a copy.
   */
  async insert(
    c: {
      kind: CampaignKind;
      subject: string;
      intro: string;
      createdBy: number | null;
      digestSlot?: string | null;
      status?: CampaignStatus;
      scheduledFor?: Date | null;
    },
    articles: { articleId: number; publicationId: number | null }[],
    now: Date,
  ): Promise<number | null> {
    try {
      return await this.db.transaction(async (trx) => {
        const [row] = await trx('campaigns')
          .insert({
            kind: c.kind,
            status: c.status ?? 'draft',
            subject: c.subject,
            intro: c.intro,
            created_by: c.createdBy,
            digest_slot: c.digestSlot ?? null,
            scheduled_for: c.scheduledFor ? toDbTime(c.scheduledFor) : null,
            created_at: toDbTime(now),
          })
          .returning('id');
        const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
        if (articles.length)
          await trx('campaign_articles').insert(
            articles.map((a, i) => ({ campaign_id: id, article_id: a.articleId, publication_id: a.publicationId, position: i })),
          );
        return id;
      });
    } catch (err) {
      if (c.digestSlot && /unique|duplicate/i.test(String((err as Error).message))) return null;
      throw err;
    }
  }

  async update(id: number, patch: { subject: string; intro: string; articleIds: number[] }): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('campaigns').where({ id }).update({ subject: patch.subject, intro: patch.intro });
      await trx('campaign_articles').where({ campaign_id: id }).delete();
      if (patch.articleIds.length)
        await trx('campaign_articles').insert(patch.articleIds.map((a, i) => ({ campaign_id: id, article_id: a, publication_id: null, position: i })));
    });
  }

  async articles(campaignId: number): Promise<CampaignArticle[]> {
    const rows = await this.db('campaign_articles').where({ campaign_id: campaignId }).orderBy('position');
    return rows.map((r: any) => ({ articleId: r.article_id, publicationId: r.publication_id ?? null, position: r.position }));
  }

  /**
   * Which of these publications some campaign already holds (a publication goes out once). A
   * cancelled campaign holds nothing: its articles wait for the next letter.
   */
  async publicationsInCampaigns(publicationIds: number[]): Promise<Set<number>> {
    if (!publicationIds.length) return new Set();
    const rows = await this.db('campaign_articles')
      .join('campaigns', 'campaigns.id', 'campaign_articles.campaign_id')
      .whereIn('campaign_articles.publication_id', publicationIds)
      .whereNot('campaigns.status', 'cancelled')
      .select('campaign_articles.publication_id');
    return new Set(rows.map((r: any) => r.publication_id as number));
  }

  /** The campaign holding a publication, if any; a cancelled one holds it no more. */
  async campaignOfPublication(publicationId: number): Promise<Campaign | null> {
    const r = await this.db('campaigns')
      .join('campaign_articles', 'campaign_articles.campaign_id', 'campaigns.id')
      .where('campaign_articles.publication_id', publicationId)
      .whereNot('campaigns.status', 'cancelled')
      .first('campaigns.*');
    return r ? toCampaign(r) : null;
  }

  /** Moves a campaign between states; true when this call moved it. */
  async transition(
    id: number,
    from: CampaignStatus[],
    patch: Partial<{ status: CampaignStatus; scheduledFor: Date | null; startedAt: Date; sentAt: Date }>,
  ): Promise<boolean> {
    const row: Record<string, unknown> = {};
    if (patch.status) row.status = patch.status;
    if (patch.scheduledFor !== undefined) row.scheduled_for = patch.scheduledFor ? toDbTime(patch.scheduledFor) : null;
    if (patch.startedAt) row.started_at = toDbTime(patch.startedAt);
    if (patch.sentAt) row.sent_at = toDbTime(patch.sentAt);
    return (await this.db('campaigns').where({ id }).whereIn('status', from).update(row)) === 1;
  }

  /**
   * Gives the campaign the next public number if it has none. Two instances may race: the unique
   * index refuses the loser, which reads the number again and tries the next one.
   */
  /** How many subscribers the campaign was frozen for when it started (0: nobody to send it to). */
  async recipientCount(id: number): Promise<number> {
    const r = await this.db('campaign_deliveries').where({ campaign_id: id }).count({ n: '*' }).first();
    return fromDbCount((r as { n?: unknown } | undefined)?.n);
  }

  /** Takes back a number given before the audience was known: a campaign that reached nobody has none. */
  async dropNumber(id: number): Promise<void> {
    await this.db('campaigns').where({ id }).update({ number: null });
  }

  async assignNumber(id: number): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.db('campaigns').where({ id }).first('number');
      if (!current) throw new Error(`campaign ${id} not found`);
      if (current.number !== null && current.number !== undefined) return current.number as number;
      const max = await this.db('campaigns').max({ n: 'number' }).first();
      const next = fromDbCount((max as any)?.n) + 1;
      try {
        await this.db('campaigns').where({ id }).whereNull('number').update({ number: next });
      } catch (err) {
        if (!/unique|duplicate/i.test(String((err as Error).message))) throw err;
      }
    }
    throw new Error(`could not number campaign ${id}`);
  }

  /** Scheduled campaigns whose time has come. */
  async dueScheduled(now: Date): Promise<Campaign[]> {
    const rows = await this.db('campaigns').where({ status: 'scheduled' }).andWhere('scheduled_for', '<=', toDbTime(now)).orderBy('scheduled_for');
    return rows.map(toCampaign);
  }

  /** The campaign's link table, replaced as a whole while it is a draft (the links follow its articles). */
  async saveLinks(campaignId: number, urls: string[], articleIds: (number | null)[] = []): Promise<CampaignLink[]> {
    return this.db.transaction(async (trx) => {
      const existing = await trx('campaign_links').where({ campaign_id: campaignId }).orderBy('id');
      const byUrl = new Map(existing.map((r: any) => [r.url as string, r as { id: number; url: string; clicks: number; article_id: number | null }]));
      let next = existing.reduce((m: number, r: any) => Math.max(m, r.id as number), 0);
      const out: CampaignLink[] = [];
      for (const [i, url] of urls.entries()) {
        // The article the link leads to, so that its clicks count for it (the engagement store).
        const articleId = articleIds[i] ?? null;
        let row = byUrl.get(url);
        if (!row) {
          row = { id: ++next, url, clicks: 0, article_id: articleId };
          await trx('campaign_links').insert({ campaign_id: campaignId, id: row.id, url, clicks: 0, article_id: articleId });
          byUrl.set(url, row);
        } else if (articleId !== null && (row.article_id ?? null) === null) {
          await trx('campaign_links').where({ campaign_id: campaignId, id: row.id }).update({ article_id: articleId });
          row.article_id = articleId;
        }
        out.push({ id: row.id, url: row.url, clicks: fromDbCount(row.clicks) });
      }
      return out;
    });
  }

  async links(campaignId: number): Promise<CampaignLink[]> {
    const rows = await this.db('campaign_links').where({ campaign_id: campaignId }).orderBy('id');
    return rows.map((r: any) => ({ id: r.id, url: r.url, clicks: fromDbCount(r.clicks) }));
  }

  async link(campaignId: number, linkId: number): Promise<(CampaignLink & { articleId: number | null }) | null> {
    const r = await this.db('campaign_links').where({ campaign_id: campaignId, id: linkId }).first();
    return r ? { id: r.id, url: r.url, clicks: fromDbCount(r.clicks), articleId: r.article_id ?? null } : null;
  }

  async countClick(campaignId: number, linkId: number): Promise<void> {
    await this.db('campaign_links').where({ campaign_id: campaignId, id: linkId }).increment('clicks', 1);
  }

  async countOpen(campaignId: number): Promise<boolean> {
    return (await this.db('campaigns').where({ id: campaignId }).whereIn('status', ['started', 'sent']).increment('opens', 1)) === 1;
  }

  async track(e: { campaignId: number; subscriberId: number; kind: 'open' | 'click'; linkId: number | null }, at: Date): Promise<void> {
    await this.db('campaign_tracking').insert({ campaign_id: e.campaignId, subscriber_id: e.subscriberId, kind: e.kind, link_id: e.linkId, at: toDbTime(at) });
  }

  /** Per-person figures (opted-in subscribers only): distinct people who opened, who clicked. */
  async trackedPeople(campaignId: number): Promise<{ opened: number; clicked: number }> {
    const rows = await this.db('campaign_tracking').where({ campaign_id: campaignId }).select('kind').countDistinct({ n: 'subscriber_id' }).groupBy('kind');
    const by = Object.fromEntries(rows.map((r: any) => [r.kind, fromDbCount(r.n)]));
    return { opened: by.open ?? 0, clicked: by.click ?? 0 };
  }

  /** A subscriber's own per-person figures (their data download). */
  async trackingOf(subscriberId: number): Promise<{ campaignId: number; kind: string; linkId: number | null; at: Date }[]> {
    const rows = await this.db('campaign_tracking').where({ subscriber_id: subscriberId }).orderBy('id');
    return rows.map((r: any) => ({ campaignId: r.campaign_id, kind: r.kind, linkId: r.link_id ?? null, at: fromDbTime(r.at) }));
  }

  /** Subscribers with per-person figures, a page at a time (for the sweep of departed ones). */
  async trackedSubscribers(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db('campaign_tracking').where('subscriber_id', '>', afterId).distinct('subscriber_id').orderBy('subscriber_id').limit(limit);
    return rows.map((r: any) => r.subscriber_id as number);
  }

  async forgetTracking(subscriberIds: number[]): Promise<number> {
    if (!subscriberIds.length) return 0;
    return this.db('campaign_tracking').whereIn('subscriber_id', subscriberIds).delete();
  }

  /** Totals of clicks per campaign, for the list. */
  async clickTotals(campaignIds: number[]): Promise<Map<number, number>> {
    if (!campaignIds.length) return new Map();
    const rows = await this.db('campaign_links').whereIn('campaign_id', campaignIds).select('campaign_id').sum({ n: 'clicks' }).groupBy('campaign_id');
    return new Map(rows.map((r: any) => [r.campaign_id as number, fromDbCount(r.n)]));
  }
}
