/** Types of post-count.js (one implementation shared by the browser and the server). */
export type CountMethod = 'graphemes' | 'mastodon' | 'x';
export declare function countGraphemes(text: string): number;
export declare function countMastodon(text: string): number;
export declare function countX(text: string): number;
export declare function counter(method: string | undefined): (text: string) => number;
export declare function graphemes(text: string): string[];
