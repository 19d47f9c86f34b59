import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import {
  outcome,
  type ChannelAdapter,
  type ChannelCapabilities,
  type ChannelImage,
  type ChannelPorts,
  type PublicationContext,
  type PublishableArticle,
  type PublishOutcome,
} from '../server/publishing/channels/channel-adapter';
import { textCapability } from '../server/publishing/post-count';
import { createTestContext, type TestContext } from './helpers/context';
import { captureLog } from './helpers/log-capture';
import { ingestPicture, networkPost } from './helpers/network-post';

/**
 * The engine keeps the pictures it hands an adapter within the adapter's `capabilities.images`:
 * never more files than `max`, never a file larger than `maxBytes` (a larger one is re-encoded
 * smaller, or left out when it cannot fit: the post goes without it, and a log line says so).
 * Seen from a local peer that keeps the bytes each post brought, through "Martinet", a one-file
 * adapter that posts every picture it is handed.
 */
interface Received {
  text: string;
  images: { role: string; alt: string; type: string; bytes: Buffer }[];
}

const SECRET = 'martinet-secret-token-4242';

class MartinetAdapter implements ChannelAdapter {
  readonly label = 'Martinet';
  readonly connect = { kind: 'none' } as const;
  readonly capabilities: ChannelCapabilities;

  constructor(
    readonly channel: string,
    images: ChannelCapabilities['images'],
    private readonly prefer?: ChannelImage['role'],
  ) {
    this.capabilities = {
      followsArticle: false,
      needsSitePage: true,
      canRetract: false,
      threads: false,
      repeatable: false,
      text: textCapability(500, 'graphemes'),
      images,
      metricsEveryMs: null,
      reportsImpressions: false,
    };
  }

  async publish(_article: PublishableArticle, p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<PublishOutcome> {
    const { endpoint } = p.account.settings as { endpoint: string };
    const images = await Promise.all(
      (await ports.images(this.prefer)).map(async (i) => ({ role: i.role, alt: i.alt, type: i.contentType, data: (await i.read()).toString('base64') })),
    );
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${String(p.account.credentials?.token)}` },
      body: JSON.stringify({ text: p.textParts[0], images }),
      signal,
    });
    if (!res.ok) return outcome.permanent('network.refused', { status: res.status });
    const { id } = (await res.json()) as { id: string };
    return outcome.sent(id, null);
  }
}

/** The network: keeps each post with the pictures' bytes as they arrived. */
function startPeer(): Promise<{ url: string; posts: Received[]; close(): Promise<void> }> {
  const posts: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string; images: { role: string; alt: string; type: string; data: string }[] };
      posts.push({ text: body.text, images: body.images.map((i) => ({ role: i.role, alt: i.alt, type: i.type, bytes: Buffer.from(i.data, 'base64') })) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `h${posts.length}` }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/posts`,
        posts,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

const SMALL = 120_000;
const TINY = 2_000;
const adapters = [
  new MartinetAdapter('martinet-small', { max: 1, maxBytes: SMALL }, 'largest'),
  new MartinetAdapter('martinet-card', { max: 1, maxBytes: SMALL }, 'card'),
  new MartinetAdapter('martinet-two', { max: 2, maxBytes: SMALL }),
  new MartinetAdapter('martinet-tiny', { max: 1, maxBytes: TINY }),
  new MartinetAdapter('martinet-roomy', { max: 1, maxBytes: 5_000_000 }, 'largest'),
  new MartinetAdapter('martinet-none', null),
  new MartinetAdapter('martinet-zero', { max: 0, maxBytes: 5_000_000 }),
];

let ctx: TestContext;
let peer: Awaited<ReturnType<typeof startPeer>>;
let heavy: number;
const captured = captureLog('info');

beforeAll(async () => {
  peer = await startPeer();
  ctx = await createTestContext({}, { channels: adapters, log: captured.log });
  heavy = await ingestPicture(ctx, 'heavy');
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
  await peer.close();
});

/** Posts the heavy picture's article on `channel` and answers what the network received. */
async function postOn(channel: string, title: string): Promise<{ post: number; received: Received }> {
  const id = await ctx.c.accounts.insert({ channel, label: `@${channel}`, settings: { endpoint: peer.url }, credentials: { token: SECRET } }, ctx.clock.now());
  const before = peer.posts.length;
  const { post } = await networkPost(ctx, { id, channel }, { title, mediaId: heavy, alt: 'Le lavoir restauré, vu du pont' });
  await ctx.c.dispatcher.dispatchDue();
  expect((await ctx.c.publications.get(post))?.status).toBe('sent');
  expect(peer.posts).toHaveLength(before + 1);
  return { post, received: peer.posts.at(-1)! };
}

async function stored(role: ChannelImage['role']) {
  const file = (await ctx.c.media.channelFiles(heavy)).find((f) => f.role === role)!;
  return { ...file, data: await file.read() };
}

async function expectJpegWithin(image: Received['images'][number], maxBytes: number) {
  expect(image.bytes.length).toBeLessThanOrEqual(maxBytes);
  expect(image.type).toBe('image/jpeg');
  const meta = await sharp(image.bytes).metadata();
  expect(meta.format).toBe('jpeg');
  // Decodable to the end, not just a header.
  const { info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
  expect(info.width).toBe(meta.width);
  return meta;
}

describe('a picture larger than the channel takes', () => {
  it('reaches the network re-encoded under the limit, one file, a JPEG with the proportions and the alt text', async () => {
    const largest = await stored('largest');
    expect(largest.data.length).toBeGreaterThan(SMALL); // the stored file would not do
    const { received } = await postOn('martinet-small', 'Lavoir');
    expect(received.images).toHaveLength(1);
    const [image] = received.images;
    expect(image!.role).toBe('largest');
    expect(image!.alt).toBe('Le lavoir restauré, vu du pont');
    const meta = await expectJpegWithin(image!, SMALL);
    expect(meta.width! / meta.height!).toBeCloseTo(largest.width / largest.height, 2);
    expect(meta.width).toBeLessThanOrEqual(largest.width);
  });

  it('hands the social card when the adapter asks for it first, within the limit too', async () => {
    expect((await stored('card')).data.length).toBeGreaterThan(SMALL);
    const { received } = await postOn('martinet-card', 'Lavoir (carte)');
    expect(received.images.map((i) => i.role)).toEqual(['card']);
    const meta = await expectJpegWithin(received.images[0]!, SMALL);
    expect(meta.width! / meta.height!).toBeCloseTo(1200 / 630, 2);
  });

  it('hands as many files as the channel takes, each within the limit', async () => {
    const { received } = await postOn('martinet-two', 'Lavoir (deux)');
    expect(received.images.map((i) => i.role)).toEqual(['card', 'largest']);
    for (const image of received.images) await expectJpegWithin(image, SMALL);
  });

  it('goes without its picture when no re-encoding fits, and a log line says so without secrets', async () => {
    const { post, received } = await postOn('martinet-tiny', 'Lavoir (sans image)');
    expect(received.images).toEqual([]);
    expect(received.text).toContain('Lavoir (sans image)');
    const line = captured.lines.find((l) => l.channel === 'martinet-tiny' && l.publicationId === post);
    expect(line).toMatchObject({
      level: 40,
      msg: 'picture over the channel’s size limit even re-encoded: the post goes without it',
      maxBytes: TINY,
      handed: [],
    });
    expect((line!.leftOut as { role: string }[]).map((f) => f.role)).toEqual(['card', 'largest']);
    expect(JSON.stringify(captured.lines)).not.toContain(SECRET);
  });
});

describe('a picture the channel takes as it is', () => {
  it('reaches the network byte for byte as stored', async () => {
    const { received } = await postOn('martinet-roomy', 'Lavoir (tel quel)');
    expect(received.images).toHaveLength(1);
    expect(received.images[0]!.bytes.equals((await stored('largest')).data)).toBe(true);
  });
});

describe('a channel that takes no picture', () => {
  it.each(['martinet-none', 'martinet-zero'])('%s is handed none, and its post goes with its text', async (channel) => {
    const { received } = await postOn(channel, `Lavoir (${channel})`);
    expect(received.images).toEqual([]);
    expect(received.text).toContain(`Lavoir (${channel})`);
  });
});
