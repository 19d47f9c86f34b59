import sharp from 'sharp';
import type TestAgent from 'supertest/lib/agent';

/**
 * The account's picture as the networks page shows it: the image the page points to, fetched
 * from Crieur like the browser does, decoded; null when the page shows the initial instead.
 */
export async function shownAvatar(
  agent: TestAgent,
  accountId: number,
): Promise<{ src: string; type: string; width: number; height: number; format: string; rgb: [number, number, number] } | null> {
  const page = await agent.get('/admin/networks');
  const img = new RegExp(`<img class="preview-avatar" src="([^"]+)" alt="" width="48" height="48" data-avatar-for="${accountId}">`).exec(page.text);
  if (!img) {
    if (!page.text.includes(`data-initial-for="${accountId}"`)) throw new Error('neither a picture nor an initial for this account');
    return null;
  }
  const src = img[1]!.replace(/&amp;/g, '&');
  const res = await agent.get(src).buffer(true);
  if (res.status !== 200) throw new Error(`the picture answered ${res.status}`);
  const body = res.body as Buffer;
  const meta = await sharp(body).metadata();
  const stats = await sharp(body).stats();
  const rgb = stats.channels.slice(0, 3).map((c) => Math.round(c.mean)) as [number, number, number];
  return { src, type: String(res.headers['content-type']), width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? '', rgb };
}

/** '#6364ff' → [99, 100, 255]. */
export function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Colours equal within the loss of a WebP re-encoding. */
export function near(a: [number, number, number], b: [number, number, number], tolerance = 12): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}
