/**
 * The text of a post, composed once by the engine for every network: the officer's own text for
 * the channel if there is one, else one generated from the article's title, summary and link
 * plus the hashtags of its category, fitted to the network's limit counted the network's way.
 * A text chosen as a thread is cut into parts, each within the limit.
 *
 * Rules (the officer guide repeats them):
 * - Generated single post: title, summary, link, hashtags, separated by blank lines. When too
 *   long, the summary is shortened at a word with "…", then dropped, then hashtags are dropped
 *   from the last, then the title is shortened. The link is never cut.
 * - Generated thread: the title and the link open the first part; the full summary follows.
 * - Thread parts are cut between sentences, else between words, else (a single word longer than
 *   a part) between characters, and numbered " (1/3)" at their end so that a reader landing on
 *   one part knows there are others. A text that fits stays one part, unnumbered.
 */
import { splitIntoParts } from '../../public/js/post-split.js';

export interface TextLimit {
  limit: number;
  count(text: string): number;
}

export interface PostSource {
  title: string;
  summary: string;
  /** The article's address with `ref=<channel>`: never shortened. */
  url: string;
  hashtags: string[];
}

const ELLIPSIS = '…';
/** More parts than this is refused when saved (PostComposer): no network reader follows 26. */
export const MAX_PARTS = 25;

/** "#Culture, fete  #Villeneuve" → ['#Culture', '#fete', '#Villeneuve']: words only, each once. */
export function parseHashtags(raw: string | string[] | undefined | null): string[] {
  const words = (Array.isArray(raw) ? raw.join(' ') : (raw ?? '')).split(/[\s,;]+/);
  const out: string[] = [];
  for (const w of words) {
    const tag = w.replace(/^#+/, '');
    if (!tag || !/^[\p{L}\p{N}_]{1,60}$/u.test(tag)) continue;
    if (!out.some((t) => t.toLowerCase() === `#${tag}`.toLowerCase())) out.push(`#${tag}`);
  }
  return out.slice(0, 10);
}

function layout(title: string, summary: string, url: string, tags: string[]): string {
  return [title, summary, url, tags.join(' ')].filter((s) => s.trim() !== '').join('\n\n');
}

/** The longest start of `text`, cut after a word, that fits `budget` once "…" is added. */
export function shorten(text: string, budget: number, count: (t: string) => number): string {
  const clean = text.trim();
  if (count(clean) <= budget) return clean;
  let best = '';
  let acc = '';
  for (const word of clean.match(/\S+\s*/g) ?? []) {
    acc += word;
    const candidate = acc.trimEnd().replace(/[\s,;:.!?…-]+$/u, '') + ELLIPSIS;
    if (count(candidate) > budget) break;
    best = candidate;
  }
  return best;
}

/** The generated text, fitted to one post (see the rules at the top of this file). */
export function generatePostText(src: PostSource, limit: TextLimit | null): string {
  const title = src.title.trim();
  const summary = src.summary.trim();
  const full = layout(title, summary, src.url, src.hashtags);
  if (!limit || limit.count(full) <= limit.limit) return full;
  const fits = (t: string) => limit.count(t) <= limit.limit;

  // The summary shortened into the room left by everything else ("\n\n" before it counts 2).
  const room = limit.limit - limit.count(layout(title, '', src.url, src.hashtags)) - 2;
  if (room > 10) {
    const short = shorten(summary, room, limit.count);
    const text = layout(title, short, src.url, src.hashtags);
    if (short && fits(text)) return text;
  }
  const tags = [...src.hashtags];
  while (tags.length) {
    tags.pop();
    const text = layout(title, '', src.url, tags);
    if (fits(text)) return text;
  }
  const titleRoom = limit.limit - limit.count(src.url) - 2;
  const shortTitle = titleRoom > 0 ? shorten(title, titleRoom, limit.count) : '';
  return layout(shortTitle, '', src.url, []);
}

/** The generated text of a thread: unshortened, the link in the first part. */
export function generateThreadText(src: PostSource): string {
  return [`${src.title.trim()}\n${src.url}`, src.summary.trim(), src.hashtags.join(' ')].filter((s) => s.trim() !== '').join('\n\n');
}

/**
 * A text cut into numbered parts each within the limit, or the text alone when it fits. The
 * implementation is public/js/post-split.js, the very file the officer's browser runs to show the
 * parts under the text: the parts shown are the parts posted.
 */
export { splitIntoParts };

/**
 * What the engine hands an adapter as `textParts`: the officer's text or the generated one,
 * one part or a thread. No text capability (the site): nothing to post.
 */
export function postParts(opts: { variant: string | null; source: PostSource; limit: TextLimit | null; asThread: boolean }): string[] {
  const { variant, source, limit, asThread } = opts;
  if (!limit) return [];
  if (variant && variant.trim()) return asThread ? splitIntoParts(variant, limit) : [variant.trim()];
  return asThread ? splitIntoParts(generateThreadText(source), limit) : [generatePostText(source, limit)];
}

/** The text an officer sees as the default of a channel (the generated one, single post or thread). */
export function defaultText(source: PostSource, limit: TextLimit | null, asThread: boolean): string {
  return asThread ? generateThreadText(source) : generatePostText(source, limit);
}
