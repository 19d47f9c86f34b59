import type { Container } from '../server/container';

// Every 15 minutes; each network's own cadence decides which posts are asked again.
export const name = 'fetch-metrics';
export const schedule = (c: Container) => c.config.jobs.metricsCron;
export const run = (c: Container) => c.metrics.collect();
