import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Logger } from '../logger';

/**
 * The picture of each connected account, as the network shows it, kept by Crieur: the admin's
 * content security policy lets pages load images from Crieur only, so the network's address is
 * never put in a page. The picture is fetched once by the server (when the connection is tested
 * or made), bounded in size and time, decoded and re-encoded by sharp as a small square WebP
 * (what is served is always sharp's output, never the network's bytes), and stored under
 * DATA_DIR/avatars/<account id>.webp. Anything else (not an image, too large, too slow, an
 * address that is not the web's) is refused: the pages show the name's initial instead.
 */
export const AVATAR_SIZE = 96;
// An account picture is a few kB to a few hundred; 2 MB leaves room without inviting abuse.
const MAX_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 5_000;
// Decoding is bounded too: a small file may declare a huge picture (a decompression bomb).
const MAX_PIXELS = 4096 * 4096;

export type AvatarRefusal = 'address' | 'status' | 'too_large' | 'not_image' | 'unreachable';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Only web addresses: https, or http on this machine itself (the tests' local peers, a local
 * instance), as for a Mastodon instance's address. No user or password in the address.
 */
export function acceptableAvatarUrl(raw: string): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  return null;
}

/** The body, read up to `max` bytes: null as soon as it is longer (the rest is never read). */
async function readBounded(res: Response, max: number): Promise<Buffer | null> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export class AccountAvatars {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.dir = path.join(dataDir, 'avatars');
  }

  private file(accountId: number): string {
    return path.join(this.dir, `${Math.trunc(accountId)}.webp`);
  }

  /** The stored picture's version (its modification time), to make its address change with it; null without one. */
  version(accountId: number): number | null {
    try {
      return Math.trunc(fs.statSync(this.file(accountId)).mtimeMs);
    } catch {
      return null;
    }
  }

  /** The address pages use for the picture, or null: the initial is shown instead. */
  urlFor(accountId: number): string | null {
    const v = this.version(accountId);
    return v === null ? null : `/admin/networks/${accountId}/avatar?v=${v}`;
  }

  /** The stored file's path, if there is one (served by the avatar route). */
  path(accountId: number): string | null {
    const f = this.file(accountId);
    return fs.existsSync(f) ? f : null;
  }

  /**
   * Fetches the network's picture and keeps it re-encoded; a refusal removes the one kept before
   * (the network no longer shows it) and says why, for the log and the administrator's message.
   */
  async refresh(accountId: number, address: string | null | undefined): Promise<{ ok: true } | { ok: false; reason: AvatarRefusal }> {
    const result = address ? await this.fetchPicture(address) : ({ ok: false, reason: 'address' } as const);
    if (!result.ok) {
      this.forget(accountId);
      if (address) this.log.info({ accountId, reason: result.reason }, 'account picture refused');
      return result;
    }
    fs.mkdirSync(this.dir, { recursive: true });
    // Written aside, then renamed: a reader never gets half a file.
    const tmp = `${this.file(accountId)}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, result.webp);
    fs.renameSync(tmp, this.file(accountId));
    return { ok: true };
  }

  forget(accountId: number): void {
    fs.rmSync(this.file(accountId), { force: true });
  }

  private async fetchPicture(address: string): Promise<{ ok: true; webp: Buffer } | { ok: false; reason: AvatarRefusal }> {
    const url = acceptableAvatarUrl(address);
    if (!url) return { ok: false, reason: 'address' };
    let bytes: Buffer | null;
    try {
      // No cookie, no token: a picture is public. No redirect: the address checked is the one asked.
      const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'image/*' } });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, reason: 'status' };
      }
      bytes = await readBounded(res, MAX_BYTES);
    } catch {
      return { ok: false, reason: 'unreachable' };
    }
    if (!bytes) return { ok: false, reason: 'too_large' };
    try {
      const webp = await sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
        .rotate()
        .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' })
        .webp({ quality: 82 })
        .toBuffer();
      return { ok: true, webp };
    } catch {
      return { ok: false, reason: 'not_image' };
    }
  }
}
