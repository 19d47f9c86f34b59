import type { ChannelAdapter } from './channel-adapter';

/**
 * Channels registered before the program builds its container, by a module loaded with
 * `node --import` (the tests' local test channel). The shipped channels are registered in
 * container.channels.ts.
 */
const extra: ChannelAdapter[] = [];

export function registerChannel(adapter: ChannelAdapter): void {
  extra.push(adapter);
}

export function extraChannels(): readonly ChannelAdapter[] {
  return extra;
}
