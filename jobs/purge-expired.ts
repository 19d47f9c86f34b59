import type { Container } from '../server/container';

// Hourly: expired sessions and links, delivered outbox rows, run history older than 90 days.
export const name = 'purge-expired';
export const schedule = () => '17 * * * *';
export const run = async (c: Container) => ({
  ...(await c.auth.purgeExpired()),
  outbox: await c.outbox.purgeDelivered(),
  jobRuns: await c.jobsRepo.purgeRunsBefore(new Date(c.clock.now().getTime() - 90 * 86_400_000)),
});
