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

/** Sentences with the spaces that follow them: a point followed by a space ends one, a line break too. */
function sentences(text: string): string[] {
  const out: string[] = [];
  const re = /[.!?…]+["»”)]*\s+|\n\s*/gu;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(text.slice(start, m.index + m[0].length));
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Greedy packing of units into chunks within `budget`; a unit too long is cut finer. */
function pack(units: string[], budget: number, count: (t: string) => number, finer: (unit: string) => string[] | null): string[] {
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim()) chunks.push(current.trim());
    current = '';
  };
  for (const unit of units) {
    if (count((current + unit).trim()) <= budget) {
      current += unit;
      continue;
    }
    flush();
    if (count(unit.trim()) <= budget) {
      current = unit;
      continue;
    }
    const smaller = finer(unit);
    if (!smaller) {
      chunks.push(unit.trim());
      continue;
    }
    const inner = pack(smaller, budget, count, smaller.length > 1 ? (u) => graphemeUnits(u) : () => null);
    // The last inner chunk may take what follows.
    current = inner.pop() ?? '';
    chunks.push(...inner);
    if (/\s$/.test(unit)) current += ' ';
  }
  flush();
  return chunks;
}

function graphemeUnits(text: string): string[] | null {
  const gs = [...new Intl.Segmenter('fr', { granularity: 'grapheme' }).segment(text.trim())].map((s) => s.segment);
  return gs.length > 1 ? gs : null;
}

function chunksWithin(text: string, budget: number, count: (t: string) => number): string[] {
  return pack(sentences(text), budget, count, (sentence) => {
    const words = sentence.match(/\S+\s*/g) ?? [];
    return words.length > 1 ? words : graphemeUnits(sentence);
  });
}

/**
 * A text cut into numbered parts each within the limit, or the text alone when it fits.
 * The number's own length is counted: " (1/9)" and " (10/12)" do not take the same room.
 */
export function splitIntoParts(text: string, limit: TextLimit): string[] {
  const clean = text.trim();
  if (limit.count(clean) <= limit.limit) return [clean];
  let total = 2;
  for (let round = 0; round < 5; round++) {
    const budget = limit.limit - limit.count(` (${total}/${total})`);
    if (budget < 1) break;
    const chunks = chunksWithin(clean, budget, limit.count);
    if (chunks.length <= total || String(chunks.length).length === String(total).length) {
      return chunks.map((c, i) => `${c} (${i + 1}/${chunks.length})`);
    }
    total = chunks.length;
  }
  return [clean];
}

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
