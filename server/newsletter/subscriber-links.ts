import crypto from 'node:crypto';
import type { Clock } from '../clock';
import { newsletterKey } from './keys';

/** What a signed link lets its holder do; the purpose is signed, so one cannot be used as another. */
export type LinkPurpose = 'manage' | 'unsubscribe' | 'confirm' | 'reconsent';

/** Where each purpose lives on the site (the log scrubber hides the segment after these). */
export const LINK_PATHS: Record<LinkPurpose, string> = {
  manage: '/lettre/abonnement/',
  unsubscribe: '/lettre/desabonner/',
  confirm: '/lettre/confirmer/',
  reconsent: '/lettre/reconfirmer/',
};

// A confirmation link lives as long as the unconfirmed request (purged after 7 days); a
// re-consent link as long as the 30 days the subscriber has to answer.
const LIFETIME_S: Partial<Record<LinkPurpose, number>> = { confirm: 7 * 86_400, reconsent: 30 * 86_400 };
const MAC_LENGTH = 22; // base64url characters: 132 bits

export interface VerifiedLink {
  subscriberId: number;
  purpose: LinkPurpose;
}

/**
 * Signed links of the subscriber's own pages, carried by every e-mail. A token is
 * `<id base 36>[.<issued base 36>].<HMAC>`: computed without the database (the sender computes
 * one per recipient), stable for the manage and unsubscribe links, dated for confirmation and
 * re-consent. A link stops working when its subscriber is removed: removal deletes the row, and
 * ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so the routes that
 * verify a token then find nobody (SubscribersService.byLink).
 */
export class SubscriberLinks {
  private readonly key: Buffer;

  constructor(
    secretKey: string,
    private readonly baseUrl: string,
    private readonly clock: Clock,
  ) {
    this.key = newsletterKey(secretKey, 'links');
  }

  manageUrl(subscriberId: number): string {
    return this.url('manage', this.token('manage', subscriberId));
  }

  /** The List-Unsubscribe URL: GET shows a button, POST unsubscribes (RFC 8058). */
  unsubscribeUrl(subscriberId: number): string {
    return this.url('unsubscribe', this.token('unsubscribe', subscriberId));
  }

  confirmUrl(subscriberId: number): string {
    return this.url('confirm', this.token('confirm', subscriberId, this.clock.now()));
  }

  reconsentUrl(subscriberId: number): string {
    return this.url('reconsent', this.token('reconsent', subscriberId, this.clock.now()));
  }

  token(purpose: LinkPurpose, subscriberId: number, issuedAt?: Date): string {
    const id = subscriberId.toString(36);
    const issued = LIFETIME_S[purpose] ? Math.floor((issuedAt ?? this.clock.now()).getTime() / 1000).toString(36) : '';
    const body = issued ? `${id}.${issued}` : id;
    return `${body}.${this.mac(purpose, body)}`;
  }

  /**
   * The subscriber a token was signed for, if it was signed for `purpose` and has not expired;
   * null for anything else (forged, truncated, another purpose, too old). Whether the subscriber
   * still exists is the caller's question.
   */
  verify(token: unknown, purpose: LinkPurpose = 'manage'): VerifiedLink | null {
    if (typeof token !== 'string' || token.length > 80) return null;
    const parts = token.split('.');
    const timed = LIFETIME_S[purpose] !== undefined;
    if (parts.length !== (timed ? 3 : 2)) return null;
    const [id, issued] = parts;
    const sent = parts[parts.length - 1]!;
    if (!id || !/^[0-9a-z]{1,11}$/.test(id) || (timed && !/^[0-9a-z]{1,10}$/.test(issued ?? ''))) return null;
    const expected = Buffer.from(this.mac(purpose, parts.slice(0, -1).join('.')));
    const given = Buffer.from(sent);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
    if (timed) {
      const age = this.clock.now().getTime() / 1000 - parseInt(issued!, 36);
      if (age < -300 || age > LIFETIME_S[purpose]!) return null;
    }
    const subscriberId = parseInt(id, 36);
    return Number.isSafeInteger(subscriberId) && subscriberId > 0 ? { subscriberId, purpose } : null;
  }

  private mac(purpose: LinkPurpose, body: string): string {
    return crypto.createHmac('sha256', this.key).update(`${purpose}|${body}`).digest('base64url').slice(0, MAC_LENGTH);
  }

  private url(purpose: LinkPurpose, token: string): string {
    return `${this.baseUrl}${LINK_PATHS[purpose]}${token}`;
  }
}
