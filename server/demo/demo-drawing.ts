/** One demo drawing: an SVG fragment on a 1600 × 1000 canvas, the same for the same seed. */
export type Draw = (seed: number) => string;

/** A small deterministic random generator (mulberry32), so that a motif always looks the same. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

export function sky(top: string, bottom: string, id = 'sky'): string {
  return `<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs><rect width="1600" height="1000" fill="url(#${id})"/>`;
}

export function hill(seed: number, color: string, opacity = 0.35): string {
  const y = 700 + (seed % 5) * 25;
  return `<path d="M0 ${y} Q 400 ${y - 120} 800 ${y} T 1600 ${y - 40} V 1000 H 0 Z" fill="${color}" opacity="${opacity}"/>`;
}

/** Points along a hanging garland between two hooks. */
export function garland(x0: number, x1: number, y: number, sag: number, n: number): [number, number][] {
  const cx = (x0 + x1) / 2;
  const cy = y + 2 * sag;
  return times(n, (i) => {
    const t = (i + 0.5) / n;
    return [(1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1, (1 - t) ** 2 * y + 2 * (1 - t) * t * cy + t ** 2 * y];
  });
}

export function house(x: number, w: number, base: number, h: number, wall: string, roof: string, windows: string): string {
  return (
    `<rect x="${x}" y="${base - h}" width="${w}" height="${h}" fill="${wall}"/><polygon points="${x - 15},${base - h} ${x + w / 2},${base - h - w * 0.45} ${x + w + 15},${base - h}" fill="${roof}"/>` +
    `<rect x="${x + w * 0.15}" y="${base - h * 0.75}" width="${w * 0.25}" height="${h * 0.3}" fill="${windows}"/><rect x="${x + w * 0.6}" y="${base - h * 0.75}" width="${w * 0.25}" height="${h * 0.3}" fill="${windows}"/>`
  );
}

export function musicNote(x: number, y: number, color: string): string {
  return `<ellipse cx="${x}" cy="${y}" rx="26" ry="18" transform="rotate(-20 ${x} ${y})" fill="${color}"/><line x1="${x + 23}" y1="${y - 4}" x2="${x + 23}" y2="${y - 120}" stroke="${color}" stroke-width="8"/><path d="M${x + 23} ${y - 120} q 40 20 30 70 q -5 -35 -30 -40z" fill="${color}"/>`;
}
