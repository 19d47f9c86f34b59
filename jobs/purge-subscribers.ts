import type { Container } from '../server/container';

// Hourly: newsletter requests not confirmed within 7 days (double opt-in).
export const name = 'purge-subscribers';
export const schedule = () => '23 * * * *';
export const run = (c: Container) => c.subscriberUpkeep.purgePending();
