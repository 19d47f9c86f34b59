import path from 'node:path';
import type { Config } from './config';
import { systemClock, type Clock } from './clock';
import { createKnex, migrateLatest } from './db/knex';
import { createLogger, type Logger } from './logger';
import { resolveSecretKey } from './secret-key';
import type { Container } from './container.types';
import { buildCampaigns, buildCampaignSender, buildSubscriberList } from './container.newsletter';
import { buildAdapters, buildNetworkServices } from './container.channels';
import { buildAudience, buildEngagement, buildStats } from './container.stats';
import { AuditRepository } from './audit/audit.repository';
import { KnexSessionStore, SESSION_TTL_MS } from './auth/session-store';
import { UsersRepository } from './auth/users.repository';
import { TokensRepository } from './auth/tokens.repository';
import { ThrottleRepository } from './auth/throttle.repository';
import { LoginThrottle } from './auth/login-throttle';
import { AuthService } from './auth/auth.service';
import { UsersService } from './auth/users.service';
import { AccountService } from './auth/account.service';
import { AttachmentsService } from './attachments/attachments.service';
import { AttachmentsRepository } from './attachments/attachments.repository';
import { Mailer } from './mail/mailer';
import { OutboxRepository } from './mail/outbox.repository';
import { OutboxService } from './mail/outbox.service';
import { SettingsRepository } from './settings/settings.repository';
import { SettingsService } from './settings/settings.service';
import { MediaService } from './media/media.service';
import { ArticlesService } from './articles/articles.service';
import { mediaUsage, type MediaShownBy } from './media/media.usage';
import { MediaRepository } from './media/media.repository';
import { ArticlesRepository } from './articles/articles.repository';
import { ArticleRevisionsRepository } from './articles/article-revisions.repository';
import { PagesRepository } from './pages/pages.repository';
import { CategoriesRepository } from './articles/categories.repository';
import { CategoriesService } from './articles/categories.service';
import os from 'node:os';
import crypto from 'node:crypto';
import { SecretBox } from './crypto/secrets';
import { AccountsRepository } from './publishing/accounts.repository';
import { PublicationsRepository } from './publishing/publications.repository';
import { PublishingService } from './publishing/publishing.service';
import { articlePublicationPolicy } from './publishing/article-policy';
import { PublishingEvents } from './publishing/publishing.events';
import { Dispatcher } from './publishing/dispatcher';
import type { ChannelAdapter } from './publishing/channels/channel-adapter';
import { channelPorts } from './publishing/channel-ports';
import { HashtagsRepository } from './publishing/hashtags.repository';
import { HandoffService } from './publishing/handoff.service';
import { RetractService } from './publishing/retract.service';
import { JobsRepository } from './jobs/jobs.repository';
import { JobRunner } from './jobs/job-runner';
import { PageCache } from './site/page-cache';
import { PublicArticlesRepository } from './articles/public-articles.repository';
import { SiteService } from './site/site.service';
import { PublicArticlesSearch } from './articles/public-articles.search';
import { SearchService } from './site/search.service';
import { FeedsService } from './site/feeds.service';
import { OpenDataService } from './site/opendata.service';
import { PublicApiService } from './site/api.service';
import { ArticleRedirectsRepository } from './articles/article-redirects';
import { recordOldSlugs } from './articles/article-redirects';
import { PagesService } from './pages/pages.service';
import { MenuService } from './pages/menu.service';
import type { ListChange } from './newsletter/subscribers.repository';
import { DemoItemsRepository } from './demo/demo-items.repository';
import { DemoRemoval } from './demo/demo-removal';

export type { Container } from './container.types';

export function createContainer(config: Config, overrides: { clock?: Clock; log?: Logger; channels?: ChannelAdapter[] } = {}): Container {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? createLogger(config.logLevel, undefined, config.logFormat);
  const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  const db = createKnex(config);

  const audit = new AuditRepository(db);
  const mailer = new Mailer(
    { smtpUrl: config.smtpUrl, from: config.smtpFrom, mailboxDir: path.join(config.dataDir, 'mailbox') },
    log.child({ module: 'mail' }),
  );
  const outbox = new OutboxService(new OutboxRepository(db), mailer, clock, log.child({ module: 'outbox' }));
  const settings = new SettingsService(db, new SettingsRepository(db), audit, clock);
  const usersRepo = new UsersRepository(db);
  const tokens = new TokensRepository(db);
  const throttle = new LoginThrottle(new ThrottleRepository(db), clock, secretKey);
  const sessionStore = new KnexSessionStore(db, SESSION_TTL_MS);
  const auth = new AuthService(db, usersRepo, tokens, throttle, audit, settings, clock, sessionStore);
  const users = new UsersService(db, usersRepo, tokens, auth, audit, outbox, settings, clock, config.baseUrl, sessionStore);
  const account = new AccountService({ db, users: usersRepo, tokens, sessions: sessionStore, auth, audit, outbox, settings, clock, baseUrl: config.baseUrl });
  // Who wrote or decided what: the articles ask the accounts, which own the users table.
  const people = { displayNames: usersRepo.displayNames.bind(usersRepo), possibleAuthors: usersRepo.possibleAuthors.bind(usersRepo) };
  const articlesRepo = new ArticlesRepository(db, people);
  const revisions = new ArticleRevisionsRepository(db, people);
  const pagesRepo = new PagesRepository(db);
  // What shows an image (articles, pages, proposed changes), asked of their domains before it may be deleted.
  const shownBy: MediaShownBy = {
    articles: (id, limit, trx) => articlesRepo.showingMedia(id, limit, trx),
    pages: (id, limit, trx) => pagesRepo.showingMedia(id, limit, trx),
    proposals: (id, trx) => revisions.pendingShowingMedia(id, trx),
  };
  const media = new MediaService({
    db,
    repo: new MediaRepository(db),
    audit,
    clock,
    log: log.child({ module: 'media' }),
    dataDir: config.dataDir,
    usage: (id, trx) => mediaUsage(shownBy, id, trx),
  });
  const articles = new ArticlesService({ db, repo: articlesRepo, revisions, people, audit, settings, media, clock, log: log.child({ module: 'articles' }) });

  // The engagement store is fed by the site, the newsletter and the metrics job: built first.
  const { engagementRepo, engagement, engagementRollup } = buildEngagement({ db, config, clock, log, settings });
  // People joining or leaving the newsletter's list, counted (never named).
  const listChange = (change: ListChange) => engagement.record({ channel: 'newsletter', kind: change.kind, value: change.count, at: change.at });

  const instance = `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const secrets = new SecretBox(secretKey);
  // The newsletter's campaigns are built before the adapters: its adapter starts urgent alerts.
  // Filled once publishing exists (it reports the campaign's publications delivered).
  let publishingRef: PublishingService | null = null;
  const { campaigns, campaignRenderer } = buildCampaigns({
    db,
    config,
    secretKey,
    audit,
    clock,
    log,
    settings,
    articles,
    media,
    mailer,
    engagement,
    reportDelivery: (id, result) => publishingRef!.reportDelivery(id, result),
    // The subscribers domain is built further down; a click is read long after start-up.
    subscribers: () => container.subscribers,
  });
  // Networks without a connector hand the post to the officer (HandoffService, built below).
  let handoffRef: HandoffService | null = null;
  const adapters = buildAdapters({ config, campaigns, notifyHandoff: (notice) => handoffRef!.notify(notice), extra: overrides.channels ?? [] });
  const accounts = new AccountsRepository(db, secrets);
  const publications = new PublicationsRepository(db);
  const publishingEvents = new PublishingEvents().logTo(log.child({ module: 'events' }));
  const ports = channelPorts({ baseUrl: config.baseUrl, media, adapters, accounts, publications, clock, log: log.child({ module: 'channels' }) });
  const hashtags = new HashtagsRepository(db);
  // What a channel is handed of an article: its fields, and the hashtags of its category.
  const publishable = async (id: number) => {
    const a = await articles.publishable(id);
    return a && { ...a, hashtags: await hashtags.forCategory(a.categoryId) };
  };
  const publishing = new PublishingService(db, publications, accounts, adapters, audit, publishingEvents, clock, ports, publishable);
  const handoff = new HandoffService({
    db,
    pubs: publications,
    accounts,
    adapters,
    audit,
    outbox,
    users: async () => (await usersRepo.list({ limit: 500, offset: 0 })).rows,
    media,
    loadArticle: publishable,
    publishing: () => publishing,
    clock,
    log: log.child({ module: 'handoff' }),
    baseUrl: config.baseUrl,
  });
  handoffRef = handoff;
  const retractions = new RetractService(publications, accounts, adapters, () => publishing, audit, clock, log.child({ module: 'retract' }));
  publishingRef = publishing;
  const { avatars, networkAccounts, metrics } = buildNetworkServices({
    config,
    clock,
    log,
    accounts,
    publications,
    adapters,
    audit,
    publishable,
    ports,
    engagementRepo,
  });
  const dispatcher = new Dispatcher(publications, accounts, adapters, publishable, ports, publishingEvents, clock, log.child({ module: 'dispatcher' }), {
    instance,
    ...config.publishing,
    batchSize: 200,
  });
  const jobsRepo = new JobsRepository(db);
  const audience = buildAudience({ db, config, clock, log, settings, articles, engagement, adapters });
  articles.onChangeInTransaction(articlePublicationPolicy(publishing));
  // A renamed article keeps its old address as a permanent redirect, written with the rename.
  const redirects = new ArticleRedirectsRepository(db);
  articles.onChangeInTransaction(recordOldSlugs(redirects, clock));

  // The public site reads residents' articles through the articles domain, which asks publishing what is online.
  const siteCache = new PageCache({ clock, onView: (view) => audience.countView(view) }).watch({ articles, publishingEvents, settings });
  const publicArticles = new PublicArticlesRepository(db, publishing.onlineJoin());
  const attachments = new AttachmentsService({
    db,
    repo: new AttachmentsRepository(db),
    audit,
    clock,
    log: log.child({ module: 'attachments' }),
    dataDir: config.dataDir,
    settings,
  });
  // An article's files are public exactly when the article is on the site (the site's visibility rule).
  attachments.registerOwner('article', {
    exists: async (id) => !!(await articles.get(id)),
    isPublic: async (id) => {
      const a = await articles.get(id);
      return !!a && (await publicArticles.bySlug(a.slug))?.id === id;
    },
  });
  attachments.onChange(() => siteCache.clear());
  const pages = new PagesService({
    db,
    repo: pagesRepo,
    audit,
    clock,
    settings,
    baseUrl: config.baseUrl,
    log: log.child({ module: 'pages' }),
    memo: siteCache,
  });
  const menus = new MenuService({ db, pages, audit, clock, memo: siteCache });
  pages.events.on('changed', () => siteCache.clear());
  // A page's files are public exactly when residents can see the page (online, and every page above it).
  attachments.registerOwner('page', {
    exists: async (id) => !!(await pages.get(id)),
    isPublic: async (id) => (await pages.visible()).some((p) => p.id === id),
  });
  const site = new SiteService({
    repo: publicArticles,
    media,
    settings,
    clock,
    baseUrl: config.baseUrl,
    timeZone: config.timeZone,
    memo: siteCache,
    pages: () => pages.publicTree(),
  });
  const siteDeps = { site: publicArticles, media, settings, config, clock };
  const communeName = async () => (await settings.get()).name;
  const { subscriberLinks, subscribers, subscriberRows, subscriberUpkeep, subscribersAdmin } = buildSubscriberList({
    db,
    config,
    secretKey,
    clock,
    log,
    outbox,
    articles,
    audit,
    communeName,
    listChange,
  });
  // A merged or deleted category moves its subscribers' topic and its hashtags in its own transaction.
  const categories = new CategoriesService({
    db,
    repo: new CategoriesRepository(db),
    audit,
    clock,
    log: log.child({ module: 'categories' }),
    dependents: {
      followers: (id) => subscriberRows.topicFollowers(id),
      moveTopic: (from, to, trx) => subscriberRows.moveTopic(from, to, trx),
      moveHashtags: (from, to, now, trx) => hashtags.moveCategory(from, to, now, trx),
    },
  });
  categories.events.on('changed', () => siteCache.clear());

  const campaignSender = buildCampaignSender({
    db,
    config,
    mailer,
    subscribers,
    subscriberLinks,
    campaignRenderer,
    campaigns,
    settings,
    engagement,
    engagementRollup,
    audit,
    clock,
    log,
    instance,
  });
  campaigns.useStarter({ start: async (id) => void (await campaignSender.start(id)) });
  // An unsubscription is counted against the last campaign the person received.
  subscribers.events.on('unsubscribed', ({ subscriberId }) => campaignSender.noteUnsubscribe(subscriberId));
  const { stats, statsReports } = buildStats({
    db,
    config,
    secretKey,
    clock,
    log,
    articles,
    subscribers,
    engagement,
    publications,
    outbox,
    usersRepo,
    communeName,
    adapters,
  });

  const container: Container = {
    config,
    secretKey,
    db,
    clock,
    log,
    mailer,
    audit,
    outbox,
    settings,
    auth,
    users,
    account,
    attachments,
    usersRepo,
    sessionStore,
    media,
    articles,
    categories,
    instance,
    secrets,
    adapters,
    channelPorts: ports,
    publishable,
    accounts,
    publications,
    publishing,
    handoff,
    retractions,
    hashtags,
    networkAccounts,
    avatars,
    metrics,
    publishingEvents,
    dispatcher,
    jobsRepo,
    audience,
    publicArticles,
    site,
    search: new SearchService(new PublicArticlesSearch(db, publicArticles), publicArticles, pages),
    feeds: new FeedsService({ ...siteDeps, pages: () => pages.visible() }),
    openData: new OpenDataService(siteDeps),
    publicApi: new PublicApiService(siteDeps),
    redirects,
    siteCache,
    subscribers,
    subscriberLinks,
    campaigns,
    campaignRenderer,
    campaignSender,
    subscriberUpkeep,
    subscribersAdmin,
    pages,
    menus,
    engagement,
    engagementRollup,
    stats,
    statsReports,
    jobRunner: undefined as unknown as JobRunner<Container>,
    demoItems: new DemoItemsRepository(db),
    demoRemoval: undefined as unknown as DemoRemoval,
    async close() {
      await container.jobRunner.stop();
      await dispatcher.stop();
      await campaigns.idle();
      await campaignSender.stop();
      await outbox.idle();
      // Variants not started are left for the next start: a stop must not wait for dozens of encodes.
      await media.stop();
      mailer.close();
      await audience.close();
      // Last before the database: everything above may still have recorded counts.
      await engagement.close();
      await db.destroy();
    },
  };
  // A subscriber's data download includes their per-person newsletter figures (opted in only).
  subscribers.registerPersonalData('mesure_des_lettres', (id) => campaigns.tracking.personalTracking(id));
  // Withdrawing per-person measurement deletes what it allowed, not only what comes next.
  subscribers.onTrackingWithdrawn((id) => campaigns.tracking.forgetTrackingOf(id));
  container.demoRemoval = new DemoRemoval(container, container.demoItems);
  container.jobRunner = new JobRunner<Container>(jobsRepo, container, clock, log.child({ module: 'jobs' }), instance);
  return container;
}

export async function migrate(c: Container): Promise<void> {
  await migrateLatest(c.db);
}
