import type { ChannelAdapter } from './channel-adapter';

/**
 * The adapters this installation can use, by channel name. Built in container.channels.ts; the tests
 * register their own test channel.
 */
export class AdapterRegistry {
  private readonly adapters = new Map<string, ChannelAdapter>();

  register(adapter: ChannelAdapter): this {
    this.adapters.set(adapter.channel, adapter);
    return this;
  }

  get(channel: string): ChannelAdapter | undefined {
    return this.adapters.get(channel);
  }

  channels(): string[] {
    return [...this.adapters.keys()];
  }

  all(): ChannelAdapter[] {
    return [...this.adapters.values()];
  }

  /** Channels whose publication is the article being online (the site). */
  followingArticle(): string[] {
    return this.all()
      .filter((a) => a.capabilities.followsArticle)
      .map((a) => a.channel);
  }
}
