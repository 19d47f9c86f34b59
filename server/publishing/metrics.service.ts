import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { AccountsRepository } from './accounts.repository';
import type { PublishableArticle } from './channels/channel-adapter';
import type { AdapterRegistry } from './channels/registry';
import type { PortsFactory } from './dispatcher';
import { publicationContext } from './publication-context';
import type { PublicationsRepository } from './publications.repository';

// Figures of a post stop moving after a few weeks; the mayor's report looks back a month.
const WINDOW_MS = 30 * 86_400_000;
const CALL_TIMEOUT_MS = 20_000;

export interface MetricsReport {
  fetched: number;
  failed: number;
}

/**
 * Brings back the figures of posts sent in the last 30 days, each at the cadence its adapter
 * declares (`capabilities.metricsEveryMs`), and stores each answer as a snapshot with its time.
 * A network that fails is asked again at the next run; one failure stops nothing else.
 */
export class MetricsService {
  constructor(
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly loadArticle: (id: number) => Promise<PublishableArticle | null>,
    private readonly ports: PortsFactory,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Told of every snapshot stored (the engagement store turns it into growth events). */
    private readonly snapshots?: {
      snapshot(p: { id: number; articleId: number; channel: string }, figures: Record<string, number>, at: Date): Promise<unknown>;
    },
  ) {}

  async collect(): Promise<MetricsReport> {
    const now = this.clock.now();
    const report: MetricsReport = { fetched: 0, failed: 0 };
    const channels = this.adapters.all().filter((a) => a.fetchMetrics && a.capabilities.metricsEveryMs);
    const sent = await this.pubs.sentSince(
      new Date(now.getTime() - WINDOW_MS),
      channels.map((a) => a.channel),
    );
    const last = await this.pubs.lastMetricsAt(sent.map((p) => p.id));
    for (const p of sent) {
      const adapter = this.adapters.get(p.channel);
      const every = adapter?.capabilities.metricsEveryMs;
      if (!adapter?.fetchMetrics || !every || !p.externalId) continue;
      const previous = last.get(p.id);
      if (previous && now.getTime() - previous.getTime() < every) continue;
      const [account, article] = await Promise.all([this.accounts.get(p.accountId), this.loadArticle(p.articleId)]);
      if (!account || account.removedAt || account.connection !== 'connected' || !article) continue;
      try {
        const ports = this.ports(article, p);
        const account_ = { id: account.id, label: account.label, settings: account.settings, credentials: await this.accounts.credentials(account.id) };
        const context = { ...publicationContext(p, account_, article, adapter, ports), externalId: p.externalId };
        const figures = await adapter.fetchMetrics(context, ports, AbortSignal.timeout(CALL_TIMEOUT_MS));
        if (!figures) continue;
        await this.pubs.insertMetrics(p.id, figures, now);
        report.fetched++;
        // The snapshot is stored: a failure to count its growth is logged and caught up next time.
        await this.snapshots
          ?.snapshot(p, figures, now)
          .catch((err: unknown) => this.log.warn({ err, publicationId: p.id }, 'social figures not recorded as engagement'));
      } catch (err) {
        report.failed++;
        this.log.warn({ err, publicationId: p.id, channel: p.channel }, 'metrics could not be fetched');
      }
    }
    return report;
  }
}
