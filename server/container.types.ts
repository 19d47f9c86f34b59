import type { Knex } from 'knex';
import type { Config } from './config';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { AuditRepository } from './audit/audit.repository';
import type { KnexSessionStore } from './auth/session-store';
import type { UsersRepository } from './auth/users.repository';
import type { AuthService } from './auth/auth.service';
import type { UsersService } from './auth/users.service';
import type { AccountService } from './auth/account.service';
import type { AttachmentsService } from './attachments/attachments.service';
import type { Mailer } from './mail/mailer';
import type { OutboxService } from './mail/outbox.service';
import type { SettingsService } from './settings/settings.service';
import type { MediaService } from './media/media.service';
import type { ArticlesService } from './articles/articles.service';
import type { CategoriesService } from './articles/categories.service';
import type { SecretBox } from './crypto/secrets';
import type { AccountsRepository } from './publishing/accounts.repository';
import type { PublicationsRepository } from './publishing/publications.repository';
import type { PublishingService } from './publishing/publishing.service';
import type { AccountsService } from './publishing/accounts.service';
import type { MetricsService } from './publishing/metrics.service';
import type { PublishingEvents } from './publishing/publishing.events';
import type { Dispatcher, PortsFactory } from './publishing/dispatcher';
import type { AdapterRegistry } from './publishing/channels/registry';
import type { PublishableArticle } from './publishing/channels/channel-adapter';
import type { HashtagsRepository } from './publishing/hashtags.repository';
import type { AccountAvatars } from './publishing/account-avatars';
import type { HandoffService } from './publishing/handoff.service';
import type { RetractService } from './publishing/retract.service';
import type { JobsRepository } from './jobs/jobs.repository';
import type { JobRunner } from './jobs/job-runner';
import type { AudienceService } from './audience/audience.service';
import type { PageCache } from './site/page-cache';
import type { PublicArticlesRepository } from './articles/public-articles.repository';
import type { SiteService } from './site/site.service';
import type { SearchService } from './site/search.service';
import type { FeedsService } from './site/feeds.service';
import type { OpenDataService } from './site/opendata.service';
import type { PublicApiService } from './site/api.service';
import type { ArticleRedirectsRepository } from './articles/article-redirects';
import type { CampaignRenderer } from './newsletter/campaign-renderer';
import type { CampaignsService } from './newsletter/campaigns.service';
import type { CampaignSender } from './newsletter/campaign-sender';
import type { SubscribersService } from './newsletter/subscribers.service';
import type { SubscriberLinks } from './newsletter/subscriber-links';
import type { SubscriberUpkeep } from './newsletter/subscriber-upkeep';
import type { SubscribersAdminService } from './newsletter/subscribers-admin.service';
import type { PagesService } from './pages/pages.service';
import type { MenuService } from './pages/menu.service';
import type { EngagementStore } from './engagement/engagement.store';
import type { EngagementRollup } from './engagement/engagement.rollup';
import type { StatsService } from './stats/stats.service';
import type { StatsReportService } from './stats/stats-report.service';
import type { DemoItemsRepository } from './demo/demo-items.repository';
import type { DemoRemoval } from './demo/demo-removal';

/**
 * The composition root: every long-lived object is built here, once, and handed to whoever needs
 * it. Tests build the same container with a fresh database and a fake clock.
 */
export interface Container {
  config: Config;
  secretKey: string;
  db: Knex;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  audit: AuditRepository;
  outbox: OutboxService;
  settings: SettingsService;
  auth: AuthService;
  users: UsersService;
  /** What a person changes on their own account: name, confirmed address, printed password. */
  account: AccountService;
  /** Files attached to articles and pages (council minutes, arrêtés, menus), checked by content. */
  attachments: AttachmentsService;
  usersRepo: UsersRepository;
  /** The admin sessions (table sessions), for express-session. */
  sessionStore: KnexSessionStore;
  media: MediaService;
  articles: ArticlesService;
  /** The site's categories, managed in the admin (server/articles/categories.service.ts). */
  categories: CategoriesService;
  /** Identifies this process in leases and claims. */
  instance: string;
  secrets: SecretBox;
  adapters: AdapterRegistry;
  /** What adapters are handed besides the article (URL with ref, images, clock, logger, credentials). */
  channelPorts: PortsFactory;
  /** The article as channel adapters see it (asked of the articles domain). */
  publishable: (id: number) => Promise<PublishableArticle | null>;
  accounts: AccountsRepository;
  publications: PublicationsRepository;
  publishing: PublishingService;
  /** Posts a person makes by hand (the hand-off channel). */
  handoff: HandoffService;
  /** Removing an article's posts from the networks. */
  retractions: RetractService;
  hashtags: HashtagsRepository;
  /** The commune's accounts on the networks: connect, test, remove (administrators). */
  networkAccounts: AccountsService;
  /** Crieur's copies of the accounts' pictures (DATA_DIR/avatars), served by Crieur under its strict CSP. */
  avatars: AccountAvatars;
  /** Brings back the figures of posts (fetch-metrics job). */
  metrics: MetricsService;
  publishingEvents: PublishingEvents;
  dispatcher: Dispatcher;
  jobsRepo: JobsRepository;
  audience: AudienceService;
  /** Rendered public pages; `createHandler` (app.ts) serves them before Express (server/site/page-cache.ts). */
  /** The public site's reads (the visibility rule) and services. */
  publicArticles: PublicArticlesRepository;
  site: SiteService;
  search: SearchService;
  feeds: FeedsService;
  openData: OpenDataService;
  publicApi: PublicApiService;
  redirects: ArticleRedirectsRepository;
  siteCache: PageCache;
  /** The newsletter's subscribers: audience of a campaign, still-subscribed checks, suppression list. */
  subscribers: SubscribersService;
  /** Signed links of a subscriber's own pages (manage, one-click unsubscribe, confirm). */
  subscriberLinks: SubscriberLinks;
  /** Newsletter campaigns: digest, alerts, letters composed by hand, previews, web versions, figures. */
  campaigns: CampaignsService;
  /** Compiles a campaign once and personalises each copy (the sender calls prepare()). */
  campaignRenderer: CampaignRenderer;
  /** Sends campaigns: frozen audience, guarded deliveries, window and hourly cap, pause/resume, webhooks. */
  campaignSender: CampaignSender;
  /** The list's scheduled upkeep: unconfirmed requests, re-consent after 3 years. */
  subscriberUpkeep: SubscriberUpkeep;
  /** Staff tools on the list: search, import, export, erasure on request. */
  subscribersAdmin: SubscribersAdminService;
  /** The commune's own pages, in a tree, with their addresses and redirects. */
  pages: PagesService;
  /** The site's main menu and footer, built from the pages and the fixed sections. */
  menus: MenuService;
  /** Anonymous counts of what each channel reached (server/engagement): written in batches. */
  engagement: EngagementStore;
  /** The nightly daily totals and the purge of raw events past the retention. */
  engagementRollup: EngagementRollup;
  /** The reach dashboard's figures (reads of the engagement store), for élus and administrators. */
  stats: StatsService;
  /** The monthly figures report e-mailed to the élus, and each person's opt-out. */
  statsReports: StatsReportService;
  jobRunner: JobRunner<Container>;
  /** The list of what the demo commune loaded, and its removal (admin page and CLI alike). */
  demoItems: DemoItemsRepository;
  demoRemoval: DemoRemoval;
  close(): Promise<void>;
}
