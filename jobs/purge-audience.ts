import type { Container } from '../server/container';

// Hourly, so that yesterday's visitor hashes and salt are gone soon after midnight; raw audience
// data older than 25 months goes too (RULES-FR).
export const name = 'purge-audience';
export const schedule = () => '41 * * * *';
export const run = (c: Container) => c.audience.purge();
