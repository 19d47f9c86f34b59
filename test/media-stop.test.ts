import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { createTestContext, type TestContext } from './helpers/context';
import { MediaService } from '../server/media/media.service';
import { MediaRepository } from '../server/media/media.repository';

/**
 * Stopping while image variants are still to be made: the encodes not started are left, not
 * made (on a busy machine dozens of them would outlast the stop's timeout and the process would
 * exit in error), nothing is marked failed, and the next start finishes them at once, however
 * young the images are. Nothing here depends on how fast the machine encodes: the stop is asked
 * in the same turn as the last upload returns, when its variants cannot have been made yet.
 */
let ctx: TestContext;
const officer = { id: null, label: 'test' };

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
}, 60_000);

function photo(seed: number): Promise<Buffer> {
  return sharp({
    create: { width: 900, height: 675, channels: 3, background: { r: seed * 40, g: 120, b: 90 }, noise: { type: 'gaussian', mean: 120, sigma: 40 } },
  })
    .jpeg({ quality: 85 })
    .toBuffer();
}

const statusOf = async (id: number) => (await ctx.c.media.findById(id))!.status;

describe('stopping with image variants still to make', () => {
  it('leaves the variants not started for the next start, which makes them at once; nothing is marked failed', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ctx.c.media.ingest(await photo(i), `place-${i}.jpg`, { alt: `La place du marché, vue ${i}` }, officer)).id);
    // The last upload's variants are all still queued or running now.
    await ctx.c.media.stop();
    const last = ids[ids.length - 1]!;
    expect(await statusOf(last)).toBe('processing');
    for (const id of ids) expect(['processing', 'ready']).toContain(await statusOf(id));
    // The preview made during the upload is there: the officer's image is not broken meanwhile.
    const item = (await ctx.c.media.findById(last))!;
    expect((await request(ctx.handler).get(item.previewUrl!)).status).toBe(200);

    // The next start, on the same database and folder, seconds later (the images are young).
    const restarted = new MediaService({
      db: ctx.c.db,
      repo: new MediaRepository(ctx.c.db),
      audit: ctx.c.audit,
      clock: ctx.clock,
      log: ctx.c.log,
      dataDir: ctx.dir,
      usage: async () => ({ count: 0, uses: [] }),
    });
    const left = [];
    for (const id of ids) if ((await statusOf(id)) === 'processing') left.push(id);
    const { resumed, failed } = await restarted.resumeUnfinished();
    expect(resumed.sort()).toEqual(left.sort());
    expect(failed).toEqual([]);
    await restarted.idle();
    for (const id of ids) {
      const done = (await restarted.findById(id))!;
      expect(done.status).toBe('ready');
      expect(done.variants.some((v) => v.kind === 'social')).toBe(true);
      expect(done.variants.length).toBeGreaterThan(5);
      // The kept source and the stop's mark are gone once the variants exist.
      expect(fs.readdirSync(path.join(ctx.dir, 'media', String(id))).filter((n) => n.startsWith('.'))).toEqual([]);
    }
  }, 120_000);

  it('still leaves a young image that no stop left to the instance making it', async () => {
    const now = ctx.clock.now().toISOString();
    const [row] = await ctx.c
      .db('media')
      .insert({ original_name: 'ailleurs.jpg', sha256: 'y'.repeat(64), width: 800, height: 600, bytes: 1, status: 'processing', created_at: now })
      .returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    const restarted = new MediaService({
      db: ctx.c.db,
      repo: new MediaRepository(ctx.c.db),
      audit: ctx.c.audit,
      clock: ctx.clock,
      log: ctx.c.log,
      dataDir: ctx.dir,
      usage: async () => ({ count: 0, uses: [] }),
    });
    const { resumed, failed } = await restarted.resumeUnfinished();
    expect(resumed).not.toContain(id);
    expect(failed).not.toContain(id);
    expect(await statusOf(id)).toBe('processing');
  });
});
