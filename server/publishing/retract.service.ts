import type { Actor, AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { AccountsRepository } from './accounts.repository';
import type { AdapterRegistry } from './channels/registry';
import type { Publication, PublicationsRepository } from './publications.repository';
import type { PublishingService } from './publishing.service';
import { RETRACT_FAILED } from './social.messages';

/** One post of the article on a network, as the retraction page lists it. */
export interface PostOnNetwork {
  publication: Publication;
  network: string;
  account: string;
  url: string | null;
}

export interface RetractPlan {
  /** Crieur can delete these itself (the adapter has `canRetract` and `retract`). */
  automatic: PostOnNetwork[];
  /** These must be removed by hand on the network (no way to delete them from here). */
  byHand: PostOnNetwork[];
}

export interface RetractReport {
  retracted: PostOnNetwork[];
  failed: PostOnNetwork[];
  markedByHand: PostOnNetwork[];
}

/**
 * When an article is unpublished or deleted, its posts on the networks: those Crieur can delete,
 * deleted on request, each outcome recorded on its publication (`retracted`, or the failure
 * beside it) and in the audit log; the others listed, with their links, to remove by hand.
 * The site's own page is not a post: withdrawing the article already takes it off.
 */
export class RetractService {
  constructor(
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly publishing: () => PublishingService,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async plan(articleId: number): Promise<RetractPlan> {
    const plan: RetractPlan = { automatic: [], byHand: [] };
    const accounts = new Map((await this.accounts.list(undefined, { withRemoved: true })).map((a) => [a.id, a]));
    for (const p of await this.pubs.forArticle(articleId)) {
      if (p.status !== 'sent') continue;
      const adapter = this.adapters.get(p.channel);
      if (adapter?.capabilities.followsArticle) continue;
      const account = accounts.get(p.accountId);
      const item = { publication: p, network: adapter?.label ?? p.channel, account: account?.label ?? '', url: p.externalUrl };
      // A removed account has no credentials left: its posts can only be removed by hand.
      if (adapter?.capabilities.canRetract && adapter.retract && p.externalId && account && !account.removedAt) plan.automatic.push(item);
      else plan.byHand.push(item);
    }
    return plan;
  }

  async hasPosts(articleId: number): Promise<boolean> {
    const plan = await this.plan(articleId);
    return plan.automatic.length + plan.byHand.length > 0;
  }

  /**
   * Deletes the chosen posts (`ids`, among the automatic ones) and records those the officer
   * removed by hand (`byHandIds`). A network that fails leaves its post `sent`, with the reason
   * beside it and in the audit log, so that the page lists it again.
   */
  async retract(articleId: number, ids: number[], byHandIds: number[], actor: Actor): Promise<RetractReport> {
    const plan = await this.plan(articleId);
    const report: RetractReport = { retracted: [], failed: [], markedByHand: [] };
    for (const item of plan.automatic.filter((i) => ids.includes(i.publication.id))) {
      try {
        await this.publishing().retract(item.publication.id, actor);
        report.retracted.push(item);
      } catch (err) {
        this.log.warn({ err, publicationId: item.publication.id, channel: item.publication.channel }, 'a post could not be retracted');
        const now = this.clock.now();
        await this.pubs.transition(item.publication.id, ['sent'], { lastError: { code: RETRACT_FAILED, values: { network: item.network } } }, now);
        await this.audit.append(
          {
            actor,
            action: 'publication.retract_failed',
            targetType: 'publication',
            targetId: item.publication.id,
            details: { article: articleId, channel: item.publication.channel },
          },
          now,
        );
        report.failed.push(item);
      }
    }
    for (const item of plan.byHand.filter((i) => byHandIds.includes(i.publication.id))) {
      const now = this.clock.now();
      if (!(await this.pubs.transition(item.publication.id, ['sent'], { status: 'retracted', lastError: null }, now))) continue;
      await this.audit.append(
        {
          actor,
          action: 'publication.retracted_by_hand',
          targetType: 'publication',
          targetId: item.publication.id,
          details: { article: articleId, channel: item.publication.channel },
        },
        now,
      );
      report.markedByHand.push(item);
    }
    return report;
  }
}
