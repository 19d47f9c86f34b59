import type { Container } from '../server/container';

// Every 15 seconds: a publication goes out within seconds of its time.
export const name = 'dispatch-publications';
export const schedule = (c: Container) => c.config.jobs.dispatchCron;
export const run = (c: Container) => c.dispatcher.dispatchDue();
