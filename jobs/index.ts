import type { JobDefinition } from '../server/jobs/job-runner';
import type { Container } from '../server/container';
import * as dispatchPublications from './dispatch-publications';
import * as deliverOutbox from './deliver-outbox';
import * as purgeExpired from './purge-expired';
import * as purgeAudience from './purge-audience';
import * as fetchMetrics from './fetch-metrics';
import * as newsletterDigest from './newsletter-digest';
import * as sendCampaigns from './send-campaigns';
import * as purgeSubscribers from './purge-subscribers';
import * as newsletterReconsent from './newsletter-reconsent';
import * as engagementRollup from './engagement-rollup';
import * as engagementPurge from './engagement-purge';
import * as statsMonthlyReport from './stats-monthly-report';

/** Every scheduled job, in the order they are listed to administrators. */
export const ALL_JOBS: JobDefinition<Container>[] = [
  dispatchPublications,
  deliverOutbox,
  newsletterDigest,
  sendCampaigns,
  fetchMetrics,
  purgeExpired,
  purgeAudience,
  purgeSubscribers,
  newsletterReconsent,
  engagementRollup,
  engagementPurge,
  statsMonthlyReport,
];

export function findJob(name: string): JobDefinition<Container> | undefined {
  return ALL_JOBS.find((j) => j.name === name);
}
