import { counter, countGraphemes, countMastodon, countX, graphemes, type CountMethod } from '../../public/js/post-count.js';

/**
 * How networks count a post's length. The implementation is public/js/post-count.js, the very
 * file the browser loads for the live counter: the server's refusal and the officer's counter
 * cannot drift apart.
 */
export { countGraphemes, countMastodon, countX, graphemes, type CountMethod };

/**
 * An adapter's `capabilities.text`, counted by a named method that the browser knows too:
 * `textCapability(300, 'graphemes')` for Bluesky, `textCapability(280, 'x')` for X.
 */
export function textCapability(limit: number, method: CountMethod): { limit: number; method: CountMethod; count(text: string): number } {
  return { limit, method, count: counter(method) };
}

/** Counts `text` the way `method` says (the live counter's server-side twin, for pages without JS). */
export function countWith(method: CountMethod | undefined, text: string): number {
  return counter(method)(text);
}
