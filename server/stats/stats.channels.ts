import type { Translate } from '../i18n/i18n';
import { OWN_CHANNELS } from '../engagement/engagement.types';

/** A network as the figures pages show it: what its adapter declares (container.stats.ts reads the channel registry). */
export interface StatsNetwork {
  channel: string;
  /** The adapter's label: a proper name, or words (a post made by hand) that t() translates. */
  label: string;
  /** Whether the network gives a post's impressions (`capabilities.reportsImpressions`). */
  reportsImpressions: boolean;
}

const OWN = new Set<string>(OWN_CHANNELS);

/**
 * The channels of the figures: the commune's own two (the site and the newsletter, whose figures
 * are their own kinds: views, deliveries) and every network the installation registered, in the
 * registry's order. The figures pages name no network: a network added with its adapter file has
 * its column, its label and its place in the sums.
 */
export class StatsChannels {
  private readonly byChannel: Map<string, StatsNetwork>;

  constructor(readonly networks: readonly StatsNetwork[]) {
    this.byChannel = new Map(networks.filter((n) => !OWN.has(n.channel)).map((n) => [n.channel, n]));
  }

  /** A registered network (not the site, not the newsletter, not a channel this installation no longer has). */
  isNetwork = (channel: string): boolean => this.byChannel.has(channel);

  /** The networks that have any figure in the rows, in the registry's order (the table and the charts show only those). */
  networksIn(rows: { channel: string }[]): string[] {
    const present = new Set(rows.map((r) => r.channel));
    return [...this.byChannel.keys()].filter((c) => present.has(c));
  }

  /** A registered network's label as its adapter gives it (untranslated), for the visits it sent (stats.labels.ts sourceLabel). */
  networkLabel = (channel: string): string | undefined => this.byChannel.get(channel)?.label;

  /** A network that never gives impressions: "non communiqué" rather than a zero. */
  impressionsUnreported(channel: string): boolean {
    const n = this.byChannel.get(channel);
    return n !== undefined && !n.reportsImpressions;
  }

  /** How the article table may be sorted: its columns. */
  sortKeys(): string[] {
    return ['reach', ...OWN_CHANNELS, 'interactions', ...this.byChannel.keys()];
  }

  label(t: Translate, channel: string): string {
    const network = this.byChannel.get(channel);
    if (network) return t(network.label);
    // The commune's own channels: a literal call each, so that the i18n test sees the words.
    switch (channel) {
      case 'site':
        return t('Site internet');
      case 'newsletter':
        return t('Lettre d’information');
      default:
        return channel;
    }
  }
}
