import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { readTrackingToken } from './campaign-template';
import type { CampaignsDeps } from './campaigns.service';

/**
 * A campaign's anonymous counts (opens, clicks per link, fed to the engagement store) and, for
 * the subscribers who opted in, who opened and clicked: kept while they stay subscribed and
 * consenting, forgotten otherwise, and part of their data download.
 */
export class CampaignTracking {
  constructor(
    private readonly d: Pick<CampaignsDeps, 'repo' | 'trackingSecret' | 'engagement' | 'recordActivity' | 'stillSubscribed'> & { clock: Clock; log: Logger },
  ) {}

  /**
   * Per-person figures of people who unsubscribed or were erased: forgotten, in pages (their
   * consent ended with their subscription). Answers how many rows went.
   */
  async forgetDeparted(): Promise<number> {
    if (!this.d.stillSubscribed) return 0;
    let removed = 0;
    let after = 0;
    for (let page = 0; page < 1000; page++) {
      const ids = await this.d.repo.trackedSubscribers(after, 500);
      if (!ids.length) break;
      const still = await this.d.stillSubscribed(ids);
      removed += await this.d.repo.forgetTracking(ids.filter((id) => !still.has(id)));
      after = ids[ids.length - 1] as number;
    }
    return removed;
  }

  /** Someone withdrew their consent to per-person measurement: their opens and clicks go. */
  async forgetTrackingOf(subscriberId: number): Promise<number> {
    return this.d.repo.forgetTracking([subscriberId]);
  }

  /** A subscriber's per-person opens and clicks, for their own data download (GDPR art. 15, 20). */
  async personalTracking(subscriberId: number) {
    return (await this.d.repo.trackingOf(subscriberId)).map((e) => ({
      lettre: e.campaignId,
      type: e.kind === 'open' ? 'ouverture' : 'clic',
      lien: e.linkId,
      date: e.at.toISOString(),
    }));
  }

  /** The click redirect: only to an address this campaign holds. Null: unknown link (404). */
  async click(campaignId: number, linkId: number, token: unknown): Promise<string | null> {
    const link = await this.d.repo.link(campaignId, linkId);
    if (!link) return null;
    await this.d.repo.countClick(campaignId, linkId);
    this.d.engagement?.record({ channel: 'newsletter', kind: 'click', campaignId, articleId: link.articleId });
    const person = readTrackingToken(this.d.trackingSecret, campaignId, token);
    if (person !== null) {
      const at = this.d.clock.now();
      await this.d.repo.track({ campaignId, subscriberId: person, kind: 'click', linkId }, at);
      await this.d.recordActivity?.(person, at).catch((err: unknown) => this.d.log.warn({ err }, 'could not record a subscriber’s click'));
    }
    return link.url;
  }

  /** The open pixel: a campaign-level count; a person only with their opted-in token. */
  async open(campaignId: number, token: unknown): Promise<void> {
    if (!(await this.d.repo.countOpen(campaignId))) return;
    this.d.engagement?.record({ channel: 'newsletter', kind: 'open', campaignId });
    const person = readTrackingToken(this.d.trackingSecret, campaignId, token);
    if (person !== null) await this.d.repo.track({ campaignId, subscriberId: person, kind: 'open', linkId: null }, this.d.clock.now());
  }
}
