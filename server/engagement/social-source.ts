import type { Logger } from '../logger';
import type { EngagementRepository } from './engagement.repository';
import { ingestEvents } from './engagement.store';
import type { EngagementEvent, SocialKind } from './engagement.types';

/**
 * Each network's own names for its figures (what its adapter's fetchMetrics returns), mapped to
 * the dashboard's kinds in this one place. A name not listed is kept in the snapshot but not
 * counted.
 */
export const METRIC_KINDS: Record<string, SocialKind> = {
  // Facebook Pages: reactions, comments, shares, post_impressions.
  reactions: 'reaction',
  comments: 'reply',
  shares: 'share',
  impressions: 'impression',
  // Mastodon: favourites, reblogs, replies, quotes.
  favourites: 'reaction',
  reblogs: 'share',
  // Bluesky and X: likes, reposts, replies, quotes (X: impressions too).
  likes: 'reaction',
  reposts: 'share',
  replies: 'reply',
  quotes: 'quote',
  clicks: 'click',
};

export interface SnapshotPublication {
  id: number;
  articleId: number;
  channel: string;
}

/**
 * Turns the snapshots the metrics job stores (publication_metrics) into events: for each kind,
 * the growth since what was already recorded for the post (the sum of its earlier deltas), so
 * that the sums of the events always equal the latest figures. A figure missing from a snapshot
 * (Facebook's impressions when the Page refuses insights) leaves that kind unchanged; a figure
 * that went down (a like withdrawn) gives a negative growth.
 */
export class SocialSource {
  constructor(
    private readonly repo: EngagementRepository,
    private readonly timeZone: string,
    private readonly log: Logger,
  ) {}

  async snapshot(p: SnapshotPublication, figures: Record<string, number>, at: Date): Promise<number> {
    const current = new Map<SocialKind, number>();
    for (const [name, value] of Object.entries(figures)) {
      const kind = METRIC_KINDS[name];
      if (!kind || typeof value !== 'number' || !Number.isFinite(value)) continue;
      current.set(kind, (current.get(kind) ?? 0) + Math.trunc(value));
    }
    if (!current.size) return 0;
    const recorded = (await this.repo.publicationTotals([p.id])).get(p.id) ?? new Map<string, number>();
    const events: EngagementEvent[] = [];
    for (const [kind, value] of current) {
      const growth = value - (recorded.get(kind) ?? 0);
      if (growth) events.push({ channel: p.channel, kind, articleId: p.articleId, publicationId: p.id, value: growth, at });
    }
    // Written at once (a few rows per post and run): the next snapshot's growth is computed
    // from them, so they cannot wait in a buffer.
    const n = await ingestEvents(this.repo, events, this.timeZone, at);
    if (n) this.log.debug({ publicationId: p.id, kinds: n }, 'engagement: social figures recorded');
    return n;
  }
}
