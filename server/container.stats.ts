import type { Knex } from 'knex';
import type { Config } from './config';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { ArticlesService } from './articles/articles.service';
import type { UsersRepository } from './auth/users.repository';
import type { OutboxService } from './mail/outbox.service';
import { EngagementStore } from './engagement/engagement.store';
import { EngagementRepository } from './engagement/engagement.repository';
import { EngagementRollup } from './engagement/engagement.rollup';
import type { SettingsService } from './settings/settings.service';
import { EngagementQueries } from './engagement/engagement.queries';
import type { SubscribersService } from './newsletter/subscribers.service';
import type { PublicationsRepository } from './publishing/publications.repository';
import type { AdapterRegistry } from './publishing/channels/registry';
import { StatsService } from './stats/stats.service';
import { StatsChannels } from './stats/stats.channels';
import { StatsReportService } from './stats/stats-report.service';
import { StatsReportRepository } from './stats/stats-report.repository';
import { StatsReportLinks } from './stats/stats-report-links';
import { AudienceRepository } from './audience/audience.repository';
import { AudienceService } from './audience/audience.service';

/** The anonymous counts of what each channel reached: the batched store and its nightly totals. */
export function buildEngagement(d: { db: Knex; config: Config; clock: Clock; log: Logger; settings: SettingsService }) {
  const { db, config, clock, log, settings } = d;
  const engagementRepo = new EngagementRepository(db);
  const engagement = new EngagementStore(engagementRepo, clock, log.child({ module: 'engagement' }), { timeZone: config.timeZone });
  const engagementRollup = new EngagementRollup({
    repo: engagementRepo,
    store: engagement,
    clock,
    timeZone: config.timeZone,
    retentionMonths: async () => (await settings.get()).statsRetentionMonths,
  });
  return { engagementRepo, engagement, engagementRollup };
}

/** The site's audience measurement: views counted on the server, each credited to where the reader came from. */
export function buildAudience(d: {
  db: Knex;
  config: Config;
  clock: Clock;
  log: Logger;
  settings: SettingsService;
  articles: ArticlesService;
  engagement: EngagementStore;
  adapters: AdapterRegistry;
}): AudienceService {
  const { db, config } = d;
  return new AudienceService({
    db,
    repo: new AudienceRepository(db),
    clock: d.clock,
    log: d.log.child({ module: 'audience' }),
    timeZone: config.timeZone,
    baseUrl: config.baseUrl,
    settings: d.settings,
    articles: d.articles,
    engagement: d.engagement,
    // Every registered network, the newsletter too: a link it carries (`ref=<channel>`) credits the
    // visit to it. Not the site: it is the article itself (a visit from it is internal).
    channels: d.adapters.all().filter((a) => !a.capabilities.followsArticle),
  });
}

/** The mayor's figures: the dashboard's reads and the monthly report e-mailed to the élus. */
export function buildStats(d: {
  db: Knex;
  config: Config;
  secretKey: string;
  clock: Clock;
  log: Logger;
  articles: ArticlesService;
  subscribers: SubscribersService;
  engagement: EngagementStore;
  publications: PublicationsRepository;
  outbox: OutboxService;
  usersRepo: UsersRepository;
  communeName: () => Promise<string>;
  adapters: AdapterRegistry;
}): { stats: StatsService; statsReports: StatsReportService } {
  const { db, config, secretKey, clock, log, articles, subscribers, engagement, publications, outbox, usersRepo, communeName } = d;
  // What the figures need of each channel, from its adapter: the pages name no network.
  const channels = new StatsChannels(
    d.adapters.all().map((a) => ({ channel: a.channel, label: a.label, reportsImpressions: a.capabilities.reportsImpressions })),
  );
  const stats = new StatsService({
    queries: new EngagementQueries(db),
    clock,
    timeZone: config.timeZone,
    articles,
    subscriberCount: () => subscribers.confirmedCount(),
    demoSubscriberCount: () => engagement.demoSubscribers(),
    publicationsOf: (id) => publications.forArticle(id),
    channels,
  });
  const statsReports = new StatsReportService({
    db,
    repo: new StatsReportRepository(db),
    stats,
    outbox,
    clock,
    log: log.child({ module: 'stats-report' }),
    timeZone: config.timeZone,
    baseUrl: config.baseUrl,
    users: async () => (await usersRepo.list({ limit: 1000, offset: 0 })).rows,
    userById: (id) => usersRepo.findById(id),
    communeName,
    links: new StatsReportLinks(secretKey, config.baseUrl, clock),
  });
  return { stats, statsReports };
}
