import { EventEmitter } from 'node:events';

export interface PublicationEvent {
  publicationId: number;
  articleId: number;
  channel: string;
}

/**
 * Lets other domains react after a publication changes (the site clears its page cache), and
 * the scheduler hear that something became due now (`due`: it runs the dispatcher at once
 * instead of waiting for the next tick).
 */
export class PublishingEvents extends EventEmitter<{ sent: [PublicationEvent]; failed: [PublicationEvent]; retracted: [PublicationEvent]; changed: [PublicationEvent]; due: [] }> {}
