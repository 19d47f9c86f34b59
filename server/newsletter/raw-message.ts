import crypto from 'node:crypto';

/**
 * Builds each campaign message as raw RFC 5322 bytes from parts prepared once per campaign:
 * the headers every copy shares are encoded once, and only the recipient's own lines (To,
 * Message-ID, List-Unsubscribe) and bodies are written per copy. nodemailer's own composer does
 * the same work from scratch for every message, which is what made a naive loop CPU-bound.
 * Nothing from user data reaches a header unencoded: names and subjects become RFC 2047 words,
 * addresses and URLs are checked, and any control character is refused.
 */

const CRLF = '\r\n';
const HEX = Buffer.from('0123456789ABCDEF');

/** Quoted-printable (RFC 2045) of UTF-8 text, with CRLF line ends and lines of at most 76 characters. */
export function quotedPrintable(input: string): Buffer {
  const src = Buffer.from(input, 'utf8');
  const out = Buffer.allocUnsafe(src.length * 3 + Math.ceil(src.length / 25) * 3 + 8);
  let o = 0;
  let line = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b === 10 || (b === 13 && src[i + 1] === 10)) {
      if (b === 13) i++;
      out[o++] = 13;
      out[o++] = 10;
      line = 0;
      continue;
    }
    let encode = b < 32 || b > 126 || b === 61;
    if (b === 32 || b === 9) {
      // Whitespace at the end of a line is removed by some servers: it is encoded there.
      const next = src[i + 1];
      encode = next === undefined || next === 10 || next === 13;
    }
    const width = encode ? 3 : 1;
    if (line + width > 75) {
      out[o++] = 61; // soft line break
      out[o++] = 13;
      out[o++] = 10;
      line = 0;
    }
    if (encode) {
      out[o++] = 61;
      out[o++] = HEX[b >> 4] as number;
      out[o++] = HEX[b & 15] as number;
    } else out[o++] = b;
    line += width;
  }
  return out.subarray(0, o);
}

/** Control characters (line breaks included) become spaces: they could end a header. */
function withoutControls(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out += code < 32 || code === 127 ? ' ' : ch;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

/**
 * Base64 (RFC 2045) in lines of 76 characters. Used for the HTML part: Node encodes base64
 * natively, about six times faster than quoted-printable written in JavaScript, and the HTML
 * part is the bulk of every copy.
 */
export function base64Lines(input: string): Buffer {
  const b64 = Buffer.from(Buffer.from(input, 'utf8').toString('base64'), 'latin1');
  const out = Buffer.allocUnsafe(b64.length + Math.ceil(b64.length / 76) * 2);
  let o = 0;
  for (let i = 0; i < b64.length; i += 76) {
    o += b64.copy(out, o, i, Math.min(i + 76, b64.length));
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
}

/** A header value that may hold any text: plain when it is short printable ASCII, else RFC 2047 words, folded. */
export function encodeHeaderText(value: string): string {
  const clean = withoutControls(value);
  if (/^[\x20-\x7e]*$/.test(clean) && clean.length <= 900 && !/=\?/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    // 45 bytes encode to 60 characters: each word stays under the 75 RFC 2047 allows.
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/** A display name for From/To: quoted when ASCII, an encoded word otherwise. */
export function encodeDisplayName(name: string): string {
  const clean = withoutControls(name);
  if (/^[\x20-\x7e]*$/.test(clean) && !/=\?/.test(clean)) return `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return encodeHeaderText(clean);
}

// A deliberately plain address syntax (what the subscription form accepts): no quotes, no
// comments, no spaces, no brackets: nothing that could end a header or add a recipient.
// A one-label domain is allowed: the embedded default sends as no-reply@localhost, into its own outbox.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function isSafeAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

function safeUrl(url: string): string {
  if (!/^(https?|mailto):[^\s<>"]+$/.test(url) || withoutControls(url) !== url || url.length > 900) throw new Error('unsafe URL for a header');
  return url;
}

/** RFC 5322 date in UTC ("Wed, 02 Dec 2026 05:00:00 +0000"). */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export interface CampaignHeaders {
  fromName: string;
  fromAddress: string;
  subject: string;
  /** Right-hand side of Message-IDs: the sender's domain. */
  domain: string;
  /** A mailto for List-Unsubscribe besides the https URL, if the commune has one. */
  unsubscribeMailto?: string;
  /** Identifies the campaign in Message-IDs and in the sending services' event reports. */
  campaignId: number;
}

export interface Copy {
  deliveryId: number;
  to: string;
  unsubscribeUrl: string;
  html: string;
  text: string;
  date: Date;
}

/** The parts of one campaign's messages, prepared once. */
export class CampaignMessage {
  private readonly head: Buffer;
  private readonly textHead: Buffer;
  private readonly htmlHead: Buffer;
  private readonly tail: Buffer;
  private readonly mailto: string;

  constructor(readonly h: CampaignHeaders) {
    if (!isSafeAddress(h.fromAddress)) throw new Error('the sender address is not a plain address');
    if (!/^[A-Za-z0-9.-]+$/.test(h.domain)) throw new Error('the sender domain is not a plain domain');
    this.mailto = h.unsubscribeMailto ? `, <${safeUrl(h.unsubscribeMailto)}>` : '';
    const boundary = `----=_Crieur_${crypto.randomBytes(12).toString('hex')}`;
    this.head = Buffer.from(
      [
        `From: ${encodeDisplayName(h.fromName)} <${h.fromAddress}>`,
        `Subject: ${encodeHeaderText(h.subject)}`,
        'MIME-Version: 1.0',
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
      ].join(CRLF) + CRLF,
    );
    this.textHead = Buffer.from(
      `${CRLF}--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`,
    );
    this.htmlHead = Buffer.from(`${CRLF}--${boundary}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`);
    this.tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`);
  }

  messageId(deliveryId: number): string {
    return `<crieur.c${this.h.campaignId}.d${deliveryId}.${crypto.randomBytes(6).toString('hex')}@${this.h.domain}>`;
  }

  /** The complete message for one recipient, CRLF line ends, no line over 998 bytes. */
  build(copy: Copy): { raw: Buffer; messageId: string } {
    if (!isSafeAddress(copy.to)) throw new Error('not a plain address');
    const messageId = this.messageId(copy.deliveryId);
    const own = Buffer.from(
      [
        `To: <${copy.to}>`,
        `Date: ${rfc5322Date(copy.date)}`,
        `Message-ID: ${messageId}`,
        `List-Unsubscribe: <${safeUrl(copy.unsubscribeUrl)}>${this.mailto}`,
        // Mailjet returns this in its events (CustomID): a bounce reported later finds its delivery.
        `X-MJ-CustomID: crieur-d${copy.deliveryId}`,
        // Brevo does the same with this one (the X-Mailin-custom field of its events).
        `X-Mailin-custom: crieur-d${copy.deliveryId}`,
        '',
        'This is a multi-part message in MIME format.',
      ].join(CRLF),
    );
    const raw = Buffer.concat([this.head, own, this.textHead, quotedPrintable(copy.text), this.htmlHead, base64Lines(copy.html), this.tail]);
    return { raw, messageId };
  }
}

/** The delivery a Message-ID or custom id of ours names, if any. */
export function deliveryFromReference(ref: unknown): number | null {
  if (typeof ref !== 'string') return null;
  const m = /(?:crieur\.c\d+\.d|crieur-d)(\d{1,12})\b/.exec(ref);
  return m ? Number(m[1]) : null;
}
