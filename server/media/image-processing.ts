import crypto from 'node:crypto';
import os from 'node:os';
import sharp from 'sharp';
import { ValidationError } from '../http/errors';

/**
 * Everything Crieur does with pixels. An upload is never stored as received: it is sniffed, fully
 * decoded once into a raw "master" (auto-rotated, sRGB, metadata gone), and every stored file is
 * encoded from that master. Nothing here touches the database or the disk.
 */

export type VariantKind = 'responsive' | 'social' | 'preview';
export type VariantFormat = 'avif' | 'webp' | 'jpeg';

export interface VariantSpec {
  kind: VariantKind;
  format: VariantFormat;
  width: number;
  height: number;
}

export interface EncodedVariant extends VariantSpec {
  data: Buffer;
  /** Short content hash, part of the file name so that a URL never changes meaning. */
  hash: string;
}

export interface Master {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export interface Inspected {
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';
  width: number;
  height: number;
}

export const RESPONSIVE_WIDTHS = [480, 960, 1600] as const;
const LARGEST_WIDTH = Math.max(...RESPONSIVE_WIDTHS);
export const SOCIAL_CARD = { width: 1200, height: 630 } as const;
export const PREVIEW_BOX = 400;
/** Decompression-bomb guard: a 100-megapixel photo already decodes to 300 MB of pixels. */
export const MAX_INPUT_PIXELS = 100_000_000;
/**
 * How much longer than wide (or wider than tall) an image may be. Variants keep the proportions,
 * so a 1 × 70,000 strip would make a 1600-wide variant 112 million pixels tall, past what JPEG
 * and WebP can hold (65,535 and 16,383 pixels a side). At 10, the tallest variant is 1600 × 16,000,
 * within every format; wide panoramas from a phone stay well inside.
 */
export const MAX_ASPECT_RATIO = 10;

const FORMATS = ['avif', 'webp', 'jpeg'] as const satisfies readonly VariantFormat[];

/** An upload refused for what it contains; the message is shown next to the file field. */
export class ImageRejectedError extends ValidationError {
  constructor(message: string, vars: Record<string, string | number> = {}) {
    super(message, { file: message }, vars);
  }
}

const NOT_AN_IMAGE = 'Ce fichier n’est pas une image acceptée : envoyez une photo JPEG, PNG, WebP, AVIF ou GIF.';
const UNREADABLE = 'Cette image est abîmée ou incomplète et ne peut pas être lue. Enregistrez-la de nouveau puis réessayez.';

/**
 * Recognises the file by its first bytes, never by its name or declared type. Only formats with
 * a known signature reach the decoders, so a PDF, an SVG (which can carry script) or anything
 * else that libvips could open is refused before it is parsed.
 */
export function sniffFormat(buf: Buffer): Inspected['format'] | 'heic' | 'svg' | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.length >= 6 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) return 'gif';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp') {
    const brands = buf.toString('latin1', 8, Math.min(buf.length, 64));
    if (/avif|avis/.test(brands)) return 'avif';
    if (/heic|heix|hevc|heim|heis|mif1|msf1/.test(brands)) return 'heic';
  }
  const head = buf
    .toString('utf8', 0, Math.min(buf.length, 1024))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (head.includes('<svg')) return 'svg';
  return null;
}

/** Reads the header only: refuses unknown formats and oversized images before any decoding. */
export async function inspect(buf: Buffer): Promise<Inspected> {
  const sniffed = sniffFormat(buf);
  if (sniffed === 'svg')
    throw new ImageRejectedError('Les images SVG ne sont pas acceptées : elles peuvent contenir du code. Envoyez une photo JPEG, PNG, WebP, AVIF ou GIF.');
  if (sniffed === 'heic') throw new ImageRejectedError('Les photos HEIC (iPhone) ne sont pas acceptées : enregistrez la photo en JPEG puis réessayez.');
  if (!sniffed) throw new ImageRejectedError(NOT_AN_IMAGE);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(buf, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch {
    throw new ImageRejectedError(UNREADABLE);
  }
  const expected = sniffed === 'avif' ? 'heif' : sniffed;
  if (meta.format !== expected || !meta.width || !meta.height) throw new ImageRejectedError(UNREADABLE);
  if (meta.width * meta.height > MAX_INPUT_PIXELS) {
    throw new ImageRejectedError('Cette image est trop grande ({megapixels} mégapixels) : 100 mégapixels au plus.', {
      megapixels: Math.round((meta.width * meta.height) / 1e6),
    });
  }
  if (Math.max(meta.width, meta.height) > MAX_ASPECT_RATIO * Math.min(meta.width, meta.height)) {
    throw new ImageRejectedError(
      'Cette image est trop étirée ({width} × {height} pixels) : son grand côté doit mesurer au plus 10 fois le petit. Recadrez-la puis réessayez.',
      {
        width: meta.width,
        height: meta.height,
      },
    );
  }
  // EXIF orientations 5–8 swap the sides once the image is turned upright.
  const turned = (meta.orientation ?? 1) >= 5;
  return { format: sniffed, width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height };
}

/**
 * The one full decode: every pixel is read (a truncated or corrupt file fails here), the image is
 * turned upright, converted to 8-bit sRGB and shrunk just enough that every variant can still be
 * cut from it without upscaling. EXIF, GPS, XMP and ICC data do not survive this step.
 */
export async function decodeMaster(buf: Buffer, size: { width: number; height: number }): Promise<Master> {
  const scale = Math.min(1, Math.max(LARGEST_WIDTH / size.width, SOCIAL_CARD.height / size.height));
  try {
    const { data, info } = await sharp(buf, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .autoOrient()
      .resize({ width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)), fit: 'fill' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch {
    throw new ImageRejectedError(UNREADABLE);
  }
}

function fitWidth(master: Master, width: number): VariantSpec['height'] {
  return Math.max(1, Math.round((master.height * width) / master.width));
}

/** The small JPEG shown in the library and the editor's picker, made before anything else. */
export function previewSpec(master: Master): VariantSpec {
  const scale = Math.min(1, PREVIEW_BOX / Math.max(master.width, master.height));
  const width = Math.max(1, Math.round(master.width * scale));
  return { kind: 'preview', format: 'jpeg', width, height: fitWidth(master, width) };
}

/**
 * Every other variant, most expensive first so that the slowest encode starts at once and the
 * others fill the remaining cores around it. Widths never exceed the master's (no upscaling), and
 * a small image yields fewer widths rather than duplicates.
 */
export function backgroundSpecs(master: Master): VariantSpec[] {
  const widths = [...new Set(RESPONSIVE_WIDTHS.map((w) => Math.min(w, master.width)))].sort((a, b) => b - a);
  const specs: VariantSpec[] = [];
  for (const width of widths) {
    for (const format of FORMATS) specs.push({ kind: 'responsive', format, width, height: fitWidth(master, width) });
  }
  const cardWidth = Math.max(1, Math.min(SOCIAL_CARD.width, master.width, Math.floor((master.height * SOCIAL_CARD.width) / SOCIAL_CARD.height)));
  const cardHeight = Math.max(1, Math.round((cardWidth * SOCIAL_CARD.height) / SOCIAL_CARD.width));
  specs.push({ kind: 'social', format: 'jpeg', width: cardWidth, height: cardHeight });
  const cost = (s: VariantSpec) => s.width * s.height * (s.format === 'avif' ? 4 : 1);
  return specs.sort((a, b) => cost(b) - cost(a));
}

/**
 * Encoder settings chosen with bench/media.bench.ts: AVIF effort 3 is the knee of the curve on a
 * small server (effort 4 costs several times more for a few per cent of bytes).
 */
export async function encodeVariant(master: Master, spec: VariantSpec): Promise<EncodedVariant> {
  let img = sharp(master.data, { raw: { width: master.width, height: master.height, channels: master.channels } });
  img =
    spec.kind === 'social'
      ? img.resize(spec.width, spec.height, { fit: 'cover', position: 'attention' })
      : img.resize(spec.width, spec.height, { fit: 'fill' });
  if (spec.format === 'jpeg') {
    // JPEG has no transparency: transparent areas become white rather than black.
    img = img.flatten({ background: '#ffffff' }).jpeg({ quality: spec.kind === 'preview' ? 75 : 80, progressive: true });
  } else if (spec.format === 'webp') {
    img = img.webp({ quality: 78, effort: 4 });
  } else {
    img = img.avif({ quality: 50, effort: 3 });
  }
  const { data, info } = await img.toBuffer({ resolveWithObject: true });
  const hash = crypto.createHash('sha256').update(data).digest('hex').slice(0, 12);
  return { ...spec, width: info.width, height: info.height, data, hash };
}

/**
 * Runs at most `size` encodes at once. libvips work runs on the libuv thread pool (4 threads by
 * default), which file-system calls and password hashing share: one encode per core keeps the
 * pool responsive, and measured faster than flooding it (the biggest AVIF gets a whole core).
 */
/** A task still waiting for its turn when the queue was told to stop taking work. */
export class AbandonedError extends Error {
  constructor() {
    super('abandoned: the process is stopping');
  }
}

export class EncodeQueue {
  private running = 0;
  private readonly waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private closed = false;

  constructor(private readonly size = Math.max(1, os.availableParallelism())) {}

  /** Tasks not started yet are refused (AbandonedError), now and from now on; running ones go on. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new AbandonedError());
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AbandonedError();
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot jump in between.
    if (this.running >= this.size) await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next.resolve();
      else this.running--;
    }
  }
}

/** Every stored file of one upload, as the service produces them (used by the benchmark). */
export async function processAll(buf: Buffer, queue = new EncodeQueue()): Promise<EncodedVariant[]> {
  const size = await inspect(buf);
  const master = await decodeMaster(buf, size);
  const preview = await encodeVariant(master, previewSpec(master));
  const rest = await Promise.all(backgroundSpecs(master).map((s) => queue.run(() => encodeVariant(master, s))));
  return [preview, ...rest];
}
