import sharp from 'sharp';
import { MOTIFS } from './demo-motifs';

/**
 * Illustrations for the demo commune, drawn as SVG (demo-motifs.ts) and rasterised by sharp, so
 * that the demo ships no binary pictures and every image still goes through the real upload path.
 */
export function demoSvg(motif: string, seed: number): string {
  const draw = MOTIFS[motif];
  if (!draw) throw new Error(`demo image "${motif}" is not drawn in demo-motifs.ts`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000" viewBox="0 0 1600 1000">${draw(seed)}</svg>`;
}

/** A JPEG of the given motif, as if a camera had taken it. */
export async function demoImage(motif: string, seed: number): Promise<Buffer> {
  return sharp(Buffer.from(demoSvg(motif, seed)))
    .jpeg({ quality: 88 })
    .toBuffer();
}
