import { countX } from '../post-count';

/**
 * X's length rule, for the adapter and its tests: 280 weighted characters, every address 23,
 * an emoji 2, Latin and accented letters 1, CJK 2. The counting itself is `countX` in
 * public/js/post-count.js, the one file the officer's browser runs for the live counter, so that
 * the server's refusal and the counter agree.
 */
export const X_LIMIT = 280;
export const X_URL_WEIGHT = 23;

export { countX };

/** Whether X takes this text as one post. */
export function fitsOnX(text: string): boolean {
  return countX(text) <= X_LIMIT;
}
