import type { Container } from '../server/container';

// Daily: one re-consent e-mail after 3 years without activity, deletion 30 days later without an answer.
export const name = 'newsletter-reconsent';
export const schedule = () => '37 4 * * *';
export const run = (c: Container) => c.subscriberUpkeep.reconsent();
