import crypto from 'node:crypto';
import { deliveryFromReference, isSafeAddress } from './raw-message';

/** A bounce, complaint or unsubscription reported by the sending service after the fact. */
export interface FeedbackEvent {
  kind: 'bounced' | 'complaint' | 'unsubscribed';
  email: string;
  /** Our delivery, when the event carries our reference (X-Mailin-custom, CustomID or Message-ID). */
  deliveryId: number | null;
}

export class FeedbackFormatError extends Error {}

const MAX_EVENTS = 1000;

function asEvents(body: unknown): Record<string, unknown>[] {
  // Both services post one event per request, or an array of them when batching is on.
  const list = Array.isArray(body) ? body : [body];
  if (!list.length || list.length > MAX_EVENTS) throw new FeedbackFormatError('events');
  return list.map((e) => {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new FeedbackFormatError('event');
    return e as Record<string, unknown>;
  });
}

function email(e: Record<string, unknown>): string | null {
  const v = typeof e.email === 'string' ? e.email.trim().toLowerCase() : '';
  return isSafeAddress(v) ? v : null;
}

/**
 * Brevo's transactional (and marketing) webhook events: `event` is hard_bounce, invalid_email,
 * blocked, spam (also complaint), unsubscribed/unsubscribe; `email` the recipient; our
 * reference comes back in `X-Mailin-custom`, else in `message-id`. Other events (delivered,
 * soft_bounce, opened…) are acknowledged and ignored.
 */
export function brevoEvents(body: unknown): FeedbackEvent[] {
  const out: FeedbackEvent[] = [];
  for (const e of asEvents(body)) {
    const kind = (
      {
        hard_bounce: 'bounced',
        invalid_email: 'bounced',
        blocked: 'bounced',
        spam: 'complaint',
        complaint: 'complaint',
        unsubscribed: 'unsubscribed',
        unsubscribe: 'unsubscribed',
      } as const
    )[String(e.event) as 'spam'];
    const address = email(e);
    if (!kind || !address) continue;
    out.push({ kind, email: address, deliveryId: deliveryFromReference(e['X-Mailin-custom']) ?? deliveryFromReference(e['message-id']) });
  }
  return out;
}

/**
 * Mailjet's event API: `event` is bounce (permanent only when `hard_bounce` is true), blocked,
 * spam or unsub; `email` the recipient; our reference is echoed in `CustomID` (X-MJ-CustomID).
 */
export function mailjetEvents(body: unknown): FeedbackEvent[] {
  const out: FeedbackEvent[] = [];
  for (const e of asEvents(body)) {
    const type = String(e.event);
    const kind =
      type === 'bounce'
        ? e.hard_bounce === true
          ? 'bounced'
          : null
        : type === 'blocked'
          ? 'bounced'
          : type === 'spam'
            ? 'complaint'
            : type === 'unsub'
              ? 'unsubscribed'
              : null;
    const address = email(e);
    if (!kind || !address) continue;
    out.push({ kind, email: address, deliveryId: deliveryFromReference(e.CustomID) });
  }
  return out;
}

/**
 * The webhook's secret, sent as the password of HTTP basic authentication (Brevo and Mailjet
 * both accept https://user:secret@host/… as the address to call) or as a bearer token (Brevo).
 * Compared in constant time: both sides are hashed first, so even the length does not leak.
 */
export function hasWebhookSecret(authorization: string | undefined, secret: string): boolean {
  if (!authorization) return false;
  let sent: string | null = null;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization);
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    sent = colon >= 0 ? decoded.slice(colon + 1) : null;
  } else if (bearer) sent = bearer[1] as string;
  if (sent === null) return false;
  const a = crypto.createHash('sha256').update(sent).digest();
  const b = crypto.createHash('sha256').update(secret).digest();
  return crypto.timingSafeEqual(a, b);
}
