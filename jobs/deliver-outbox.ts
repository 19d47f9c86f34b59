import type { Container } from '../server/container';

// E-mails written in the same transaction as their cause, delivered (and retried) after the commit.
export const name = 'deliver-outbox';
export const schedule = (c: Container) => c.config.jobs.outboxCron;
export const run = (c: Container) => c.outbox.deliverDue(200);
