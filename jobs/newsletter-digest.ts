import type { Container } from '../server/container';

// Every 5 minutes: builds the digest once its day and time (newsletter settings) have come, if
// anything waits for it, and starts the campaigns whose time has come.
export const name = 'newsletter-digest';
export const schedule = () => '*/5 * * * *';
export const run = (c: Container) => c.campaigns.runDue();
