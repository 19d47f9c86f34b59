import type { IncomingHttpHeaders } from 'node:http';

export interface ViewInput {
  articleId: number | null;
  path: string;
  url: string; // with its query string (the `ref` parameter Crieur adds to its own links)
  headers: IncomingHttpHeaders;
  ip: string | undefined;
}

/** Placeholder until audience measurement lands: the contract the site relies on. */
export class AudienceService {
  /** Counts one page view; must never slow down or fail the page (buffers, writes later). */
  countView(_input: ViewInput): void {}
}
