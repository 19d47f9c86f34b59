import type { Config } from './config';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { AuditRepository } from './audit/audit.repository';
import type { EngagementRepository } from './engagement/engagement.repository';
import { SocialSource } from './engagement/social-source';
import { AccountAvatars } from './publishing/account-avatars';
import type { AccountsRepository } from './publishing/accounts.repository';
import { AccountsService } from './publishing/accounts.service';
import type { PublishableArticle } from './publishing/channels/channel-adapter';
import type { PortsFactory } from './publishing/dispatcher';
import { MetricsService } from './publishing/metrics.service';
import type { PublicationsRepository } from './publishing/publications.repository';
import type { CampaignsService } from './newsletter/campaigns.service';
import type { ChannelAdapter } from './publishing/channels/channel-adapter';
import { AdapterRegistry } from './publishing/channels/registry';
import { SiteAdapter } from './publishing/channels/site.adapter';
import { NewsletterAdapter } from './publishing/channels/newsletter.adapter';
import { MastodonAdapter } from './publishing/channels/mastodon.adapter';
import { FacebookAdapter } from './publishing/channels/facebook.adapter';
import { BlueskyAdapter } from './publishing/channels/bluesky.adapter';
import { XAdapter } from './publishing/channels/x.adapter';
import { HandoffAdapter } from './publishing/channels/handoff.adapter';
import { extraChannels } from './publishing/channels/extra-channels';

/** The channels this installation ships; tests add their own (`extra`, or extra-channels.ts). */
export function buildAdapters(d: {
  config: Config;
  campaigns: CampaignsService;
  notifyHandoff: ConstructorParameters<typeof HandoffAdapter>[0];
  extra: ChannelAdapter[];
}): AdapterRegistry {
  const { config } = d;
  const adapters = new AdapterRegistry().register(new SiteAdapter()).register(new NewsletterAdapter(d.campaigns));
  // Mastodon and Facebook Pages: offered on the networks page, used once an account is connected.
  adapters.register(new MastodonAdapter({ website: config.baseUrl })).register(new FacebookAdapter({ graphUrl: config.facebook.graphUrl }));
  // Bluesky: handle and app password; figures from the public AppView. X: the commune's own developer app.
  adapters.register(new BlueskyAdapter({ appViewUrl: config.bluesky.appViewUrl })).register(new XAdapter());
  // Networks without a connector: the officer posts by hand when told.
  adapters.register(new HandoffAdapter(d.notifyHandoff));
  for (const extra of [...extraChannels(), ...d.extra]) adapters.register(extra);
  return adapters;
}

/** The networks' accounts (connect, test, avatars) and their figures, fed to the engagement store. */
export function buildNetworkServices(d: {
  config: Config;
  clock: Clock;
  log: Logger;
  accounts: AccountsRepository;
  publications: PublicationsRepository;
  adapters: AdapterRegistry;
  audit: AuditRepository;
  publishable: (id: number) => Promise<PublishableArticle | null>;
  ports: PortsFactory;
  engagementRepo: EngagementRepository;
}): { avatars: AccountAvatars; networkAccounts: AccountsService; metrics: MetricsService } {
  const { config, clock, log, accounts, publications, adapters } = d;
  const avatars = new AccountAvatars(config.dataDir, log.child({ module: 'avatars' }));
  const networkAccounts = new AccountsService(
    accounts,
    publications,
    adapters,
    d.audit,
    clock,
    log.child({ module: 'accounts' }),
    `${config.baseUrl}/admin/networks/oauth/callback`,
    avatars,
  );
  const metrics = new MetricsService(
    publications,
    accounts,
    adapters,
    d.publishable,
    d.ports,
    clock,
    log.child({ module: 'metrics' }),
    new SocialSource(d.engagementRepo, config.timeZone, log.child({ module: 'engagement' })),
  );
  return { avatars, networkAccounts, metrics };
}
