/** Types of post-split.js (one implementation shared by the browser and the server). */
export declare function splitIntoParts(text: string, limit: { limit: number; count(text: string): number }): string[];
