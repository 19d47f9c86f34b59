import crypto from 'node:crypto';

/**
 * A compiled e-mail cut into pieces once per campaign, so that each copy is a join of strings:
 * a head, one piece per article block, a tail, with tokens (%%NAME%%) between literal parts.
 * Splitting at prepare time means a copy costs no search or replace at all.
 */
export type Piece = string[]; // even indexes: literal text; odd indexes: a token's name

const TOKEN = /%%([A-Z]+)%%/;

export function toPiece(text: string): Piece {
  return text.split(TOKEN);
}

/** Joins pieces, putting each token's value in its place (a token without a value is left empty). */
export function assemble(pieces: Piece[], values: Record<string, string>): string {
  let out = '';
  for (const piece of pieces) {
    for (let i = 0; i < piece.length; i++) out += i % 2 === 0 ? piece[i] : (values[piece[i] as string] ?? '');
  }
  return out;
}

/**
 * Fills the tokens whose value is known once per campaign (or per kind of copy), and merges the
 * literal text around them: what is left has only the tokens that differ from one person to the
 * next, often none.
 */
export function bake(piece: Piece, values: Record<string, string>): Piece {
  const out: Piece = [piece[0] as string];
  for (let i = 1; i < piece.length; i += 2) {
    const name = piece[i] as string;
    const after = piece[i + 1] as string;
    if (name in values) out[out.length - 1] += (values[name] as string) + after;
    else out.push(name, after);
  }
  return out;
}

/** A copy's pieces: the head, the chosen blocks, the tail. */
export interface PieceSet {
  head: Piece;
  blocks: Piece[];
  tail: Piece;
}

/** Joins the head, the chosen blocks and the tail of a set, filling the remaining tokens. */
export function assembleSet(set: PieceSet, chosen: number[], values: Record<string, string>): string {
  let out = assemble([set.head], values);
  for (const i of chosen) {
    const block = set.blocks[i] as Piece;
    out += block.length === 1 ? (block[0] as string) : assemble([block], values);
  }
  return out + assemble([set.tail], values);
}

/** The e-mail's HTML split at the block markers the MJML template writes between sections. */
export function splitBlocks(html: string, count: number): { head: string; blocks: string[]; tail: string } {
  const parts = html.split(/<!--crieur:(?:block:\d+|end)-->/);
  if (parts.length !== count + 2) throw new Error(`expected ${count} article blocks in the compiled e-mail, found ${parts.length - 2}`);
  return { head: parts[0] as string, blocks: parts.slice(1, -1), tail: parts[parts.length - 1] as string };
}

/** MJML's output is indented for people; mail clients need none of it, and Gmail clips at 102 KB. */
export function compact(html: string): string {
  return html
    .replace(/^[ \t]+/gm, '')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

export function escapeHtml(s: string): string {
  if (!/[&<>"']/.test(s)) return s;
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * The per-person tracking token of a subscriber who opted in: their id and a MAC of (campaign,
 * id), so that nobody can forge another person's clicks. Never given to anyone else.
 */
export function trackingToken(secret: string, campaignId: number, subscriberId: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`track:${campaignId}:${subscriberId}`).digest('base64url').slice(0, 22);
  return `${subscriberId}.${mac}`;
}

export function readTrackingToken(secret: string, campaignId: number, token: unknown): number | null {
  if (typeof token !== 'string' || token.length > 64) return null;
  const m = /^(\d{1,10})\.[A-Za-z0-9_-]{22}$/.exec(token);
  if (!m) return null;
  const id = Number(m[1]);
  const expected = Buffer.from(trackingToken(secret, campaignId, id));
  const given = Buffer.from(token);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? id : null;
}
