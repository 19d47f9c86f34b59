import { DomainEvents } from '../events';

export interface PublicationEvent {
  publicationId: number;
  articleId: number;
  channel: string;
}

/**
 * What the publishing domain announces: a publication went out, failed, was retracted or changed
 * (the site clears its page cache), and `due` when something became due now (the scheduler runs
 * the dispatcher at once instead of waiting for the next tick).
 */
export class PublishingEvents extends DomainEvents<{
  sent: [PublicationEvent];
  failed: [PublicationEvent];
  retracted: [PublicationEvent];
  changed: [PublicationEvent];
  due: [];
}> {}
