import type { Container } from '../server/container';

// Nightly, after midnight in Europe/Paris whatever the server's zone: yesterday's totals (and any
// finished day a stopped server missed) for the dashboard.
export const name = 'engagement-rollup';
export const schedule = () => '17 3 * * *';
export const run = (c: Container) => c.engagementRollup.rollUp();
