import fs from 'node:fs/promises';
import path from 'node:path';
import type { EncodedVariant, Master } from './image-processing';

const EXT = { avif: 'avif', webp: 'webp', jpeg: 'jpg' } as const;
export const CONTENT_TYPES: Record<string, string> = { avif: 'image/avif', webp: 'image/webp', jpg: 'image/jpeg' };

/** What a served file name may look like; anything else never reaches the file system. */
const SERVED_NAME = /^[a-z0-9][a-z0-9-]{0,80}\.(avif|webp|jpg)$/;
const ID = /^[1-9][0-9]{0,15}$/;
const LEFT_AT_STOP = '.left-at-stop';
const SOURCE = /^\.source-(\d+)x(\d+)x([1-4])\.raw$/;

/**
 * The media folder: DATA_DIR/media/<id>/<file>. File names carry a hash of their content, so a
 * URL always designates the same bytes and can be cached forever, even if ids were ever reused.
 */
export class MediaFiles {
  constructor(readonly root: string) {}

  dir(id: number): string {
    return path.join(this.root, String(id));
  }

  static fileName(v: EncodedVariant): string {
    const base = v.kind === 'responsive' ? `w${v.width}` : `${v.kind}-${v.width}x${v.height}`;
    return `${base}-${v.hash}.${EXT[v.format]}`;
  }

  /** Writes one variant and returns its path relative to the media folder (stored in media_variants). */
  async write(id: number, v: EncodedVariant): Promise<string> {
    const name = MediaFiles.fileName(v);
    await fs.mkdir(this.dir(id), { recursive: true });
    await fs.writeFile(path.join(this.dir(id), name), v.data);
    return `${id}/${name}`;
  }

  static url(relativePath: string): string {
    return `/media/${relativePath}`;
  }

  /**
   * The decoded master, kept while the background variants are made, so that a crash in between
   * can be resumed at the next start. Raw pixels: writing them costs no encoding time.
   */
  async writeSource(id: number, m: Master): Promise<void> {
    await fs.mkdir(this.dir(id), { recursive: true });
    await fs.writeFile(path.join(this.dir(id), `.source-${m.width}x${m.height}x${m.channels}.raw`), m.data);
  }

  async readSource(id: number): Promise<Master | null> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir(id));
    } catch {
      return null;
    }
    for (const name of names) {
      const m = SOURCE.exec(name);
      if (!m) continue;
      const [width, height, channels] = [Number(m[1]), Number(m[2]), Number(m[3]) as Master['channels']];
      const data = await fs.readFile(path.join(this.dir(id), name));
      if (data.length === width * height * channels) return { data, width, height, channels };
    }
    return null;
  }

  async removeSource(id: number): Promise<void> {
    const names = await fs.readdir(this.dir(id)).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => SOURCE.test(n) || n === LEFT_AT_STOP).map((n) => fs.rm(path.join(this.dir(id), n), { force: true })));
  }

  /**
   * Says that this process stopped before finishing the image's variants on purpose: the next
   * start takes it up at once, without the delay kept for images another instance may be making.
   */
  async markLeftAtStop(id: number): Promise<void> {
    await fs.writeFile(path.join(this.dir(id), LEFT_AT_STOP), '').catch(() => undefined);
  }

  async leftAtStop(id: number): Promise<boolean> {
    return fs.access(path.join(this.dir(id), LEFT_AT_STOP)).then(
      () => true,
      () => false,
    );
  }

  async removeAll(id: number): Promise<void> {
    await fs.rm(this.dir(id), { recursive: true, force: true });
  }

  /** Path of a served file relative to the media folder, or null when the request names anything but a variant. */
  servedFile(id: string, file: string): string | null {
    if (!ID.test(id) || !SERVED_NAME.test(file)) return null;
    const root = path.resolve(this.root);
    const full = path.resolve(root, id, file);
    return full.startsWith(root + path.sep) ? path.relative(root, full) : null;
  }
}
