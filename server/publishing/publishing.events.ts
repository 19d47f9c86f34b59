import { EventEmitter } from 'node:events';

export interface PublicationEvent {
  publicationId: number;
  articleId: number;
  channel: string;
}

/** Lets other domains react after a publication changes (the site clears its page cache). */
export class PublishingEvents extends EventEmitter<{ sent: [PublicationEvent]; failed: [PublicationEvent]; retracted: [PublicationEvent]; changed: [PublicationEvent] }> {}
