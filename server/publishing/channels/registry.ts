import type { ChannelAdapter } from './channel-adapter';

/** The adapters this installation can use, by channel name. */
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
}
