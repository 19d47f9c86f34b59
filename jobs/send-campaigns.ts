import type { Container } from '../server/container';

// Newsletter campaigns being sent: each run sends what the window and the hourly cap allow.
// Starting or resuming a campaign also runs it at once (main.ts).
export const name = 'send-campaigns';
export const schedule = (c: Container) => c.config.newsletter.cron;
export const run = (c: Container) => c.campaignSender.run();
