import type { Knex } from 'knex';
import type { Config } from './config';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { AuditRepository } from './audit/audit.repository';
import type { Mailer } from './mail/mailer';
import type { SettingsService } from './settings/settings.service';
import type { EngagementStore } from './engagement/engagement.store';
import type { EngagementRollup } from './engagement/engagement.rollup';
import { CampaignSender } from './newsletter/campaign-sender';
import { CampaignTransport } from './newsletter/campaign-transport';
import crypto from 'node:crypto';
import { CampaignRenderer } from './newsletter/campaign-renderer';
import { CampaignsService, type CampaignsDeps } from './newsletter/campaigns.service';
import { CampaignsRepository } from './newsletter/campaigns.repository';
import { PublicationsRepository } from './publishing/publications.repository';
import { DeliveriesRepository } from './newsletter/deliveries.repository';
import { SubscribersService } from './newsletter/subscribers.service';
import { SubscriberLinks } from './newsletter/subscriber-links';
import { SubscribersRepository, type ListChange } from './newsletter/subscribers.repository';
import { SubscriberUpkeep } from './newsletter/subscriber-upkeep';
import { SubscribersAdminService } from './newsletter/subscribers-admin.service';
import { SubscribersAdminRepository } from './newsletter/subscribers-admin.repository';
import { newsletterKey } from './newsletter/keys';
import { ThrottleRepository } from './auth/throttle.repository';
import type { OutboxService } from './mail/outbox.service';
import type { ArticlesService } from './articles/articles.service';

/**
 * The newsletter's campaigns and their renderer. Built before the channel adapters (the newsletter
 * adapter starts urgent alerts); publishing and the list are built later, hence the functions.
 */
export function buildCampaigns(d: {
  db: Knex;
  config: Config;
  secretKey: string;
  audit: AuditRepository;
  clock: Clock;
  log: Logger;
  settings: CampaignsDeps['settings'];
  articles: CampaignsDeps['articles'] & ConstructorParameters<typeof CampaignRenderer>[0]['articles'];
  media: ConstructorParameters<typeof CampaignRenderer>[0]['media'];
  mailer: CampaignsDeps['mailer'];
  engagement: EngagementStore;
  reportDelivery: CampaignsDeps['reportDelivery'];
  subscribers: () => SubscribersService;
}): { campaigns: CampaignsService; campaignRenderer: CampaignRenderer } {
  const { db, config, settings, articles } = d;
  const repo = new CampaignsRepository(db);
  const trackingSecret = crypto.createHmac('sha256', d.secretKey).update('newsletter-tracking').digest('base64url');
  const campaignRenderer = new CampaignRenderer({ baseUrl: config.baseUrl, trackingSecret, repo, articles, media: d.media, settings });
  const publications = new PublicationsRepository(db);
  const campaigns = new CampaignsService({
    repo,
    renderer: campaignRenderer,
    audit: d.audit,
    clock: d.clock,
    log: d.log.child({ module: 'campaigns' }),
    baseUrl: config.baseUrl,
    timeZone: config.timeZone,
    smtpFrom: config.smtpFrom,
    trackingSecret,
    settings,
    articles,
    queuedPublications: async () => (await publications.listByStatus(['queued'], 5000)).filter((p) => p.channel === 'newsletter'),
    reportDelivery: d.reportDelivery,
    mailer: d.mailer,
    recordActivity: (id, at) => d.subscribers().recordActivity(id, at),
    stillSubscribed: (ids) => d.subscribers().stillSubscribed(ids),
    engagement: d.engagement,
  });
  return { campaigns, campaignRenderer };
}

/**
 * The newsletter's sender, wired to the campaigns, the list, the settings' window and hourly cap,
 * and the engagement store (server/container.ts builds everything else).
 */
export function buildCampaignSender(d: {
  db: Knex;
  config: Config;
  mailer: Mailer;
  subscribers: SubscribersService;
  subscriberLinks: SubscriberLinks;
  campaignRenderer: CampaignRenderer;
  campaigns: CampaignsService;
  settings: SettingsService;
  engagement: EngagementStore;
  engagementRollup: EngagementRollup;
  audit: AuditRepository;
  clock: Clock;
  log: Logger;
  instance: string;
}): CampaignSender {
  const { db, config, mailer, subscribers, subscriberLinks, campaignRenderer, campaigns, settings, engagement, engagementRollup, audit, clock, log, instance } =
    d;
  return new CampaignSender(
    new DeliveriesRepository(db),
    new CampaignTransport({ smtpUrl: config.smtpUrl, poolSize: config.newsletter.poolSize, dkim: config.newsletter.dkim }, mailer),
    {
      subscribers,
      links: subscriberLinks,
      campaigns: {
        prepare: (id) => campaignRenderer.prepare(id),
        markStarted: (id, at) => campaigns.markStarted(id, at),
        markSent: (id, at) => campaigns.markSent(id, at),
        kind: async (id) => (await campaigns.get(id))?.kind ?? null,
      },
      limits: async () => {
        const [n, from] = await Promise.all([settings.newsletter(), campaigns.sender()]);
        return { windowStart: n.windowStart, windowEnd: n.windowEnd, hourlyCap: n.hourlyCap, fromName: from.name, fromAddress: from.address };
      },
      engagement: { record: (...events) => engagement.record(...events), correct: (events) => engagementRollup.correct(events) },
    },
    audit,
    clock,
    log.child({ module: 'sender' }),
    {
      instance,
      timeZone: config.timeZone,
      batchSize: config.newsletter.batchSize,
      maxAttempts: config.newsletter.maxAttempts,
      retryBaseMs: config.newsletter.retryBaseMs,
      maxConsecutiveErrors: config.newsletter.maxConsecutiveErrors,
      sendingTimeoutMs: config.publishing.sendingTimeoutMs,
      inFlight: config.newsletter.poolSize,
      unsubscribeMailto: config.newsletter.unsubscribeMailto,
    },
  );
}

/** The newsletter's list: subscriptions, the signed links of a subscriber's pages, upkeep, staff tools. */
export function buildSubscriberList(d: {
  db: Knex;
  config: Config;
  secretKey: string;
  clock: Clock;
  log: Logger;
  outbox: OutboxService;
  articles: ArticlesService;
  audit: AuditRepository;
  communeName: () => Promise<string>;
  /** People joining or leaving the list, counted (never named). */
  listChange: (change: ListChange) => void;
}) {
  const { db, config, secretKey, clock, log, outbox, articles, audit, communeName, listChange } = d;
  const subscriberLinks = new SubscriberLinks(secretKey, config.baseUrl, clock);
  const subscribers = new SubscribersService({
    db,
    repo: new SubscribersRepository(db, newsletterKey(secretKey, 'suppressions'), listChange),
    clock,
    log: log.child({ module: 'subscribers' }),
    links: subscriberLinks,
    outbox,
    communeName,
    topics: async () => (await articles.listCategories()).map((k) => ({ id: k.id, name: k.name, slug: k.slug })),
    throttle: new ThrottleRepository(db),
    throttleKey: newsletterKey(secretKey, 'throttle'),
  });
  const subscriberRows = new SubscribersRepository(db, newsletterKey(secretKey, 'suppressions'), listChange);
  const subscriberUpkeep = new SubscriberUpkeep({ db, repo: subscriberRows, clock, links: subscriberLinks, outbox, communeName });
  const subscribersAdmin = new SubscribersAdminService({
    db,
    repo: subscriberRows,
    admin: new SubscribersAdminRepository(db),
    subscribers,
    audit,
    clock,
    communeName,
  });
  return { subscriberLinks, subscribers, subscriberRows, subscriberUpkeep, subscribersAdmin };
}
