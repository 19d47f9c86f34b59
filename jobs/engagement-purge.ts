import type { Container } from '../server/container';

// Nightly, after the rollup: raw statistics older than the retention chosen in the settings
// (25 months by default, the CNIL's limit) are deleted; their daily totals stay.
export const name = 'engagement-purge';
export const schedule = () => '47 3 * * *';
export const run = (c: Container) => c.engagementRollup.purge();
