import type { Draw } from './demo-drawing';
import { LIFE_MOTIFS } from './demo-motifs.life';
import { TOWN_MOTIFS } from './demo-motifs.town';

export type { Draw } from './demo-drawing';

/**
 * One drawing per demo article, on a 1600 × 1000 canvas. Each must show what the article's alt
 * text says (content/demo/articles/*.md): a screen-reader user hears the alt, a sighted one sees
 * the picture, and both must meet the same scene. Change one, change the other.
 */
export const MOTIFS: Record<string, Draw> = { ...TOWN_MOTIFS, ...LIFE_MOTIFS };
