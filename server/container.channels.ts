import type { Config } from './config';
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
