import type { XRPCError } from '@atproto/api';
import type { ApiRequestError, ApiResponseError } from 'twitter-api-v2';

/**
 * The Bluesky and X client libraries, loaded on their adapter's first use rather than at start:
 * together they cost about a second and 35 MB to every `npm start`, and many communes never
 * connect either network. A plain `require` on first use (not `import()`): the program and its
 * tests run as CommonJS, where a lazy require is the dynamic import that works everywhere.
 */
type Atproto = typeof import('@atproto/api');
type Twitter = typeof import('twitter-api-v2');

let atprotoLib: Atproto | null = null;
let twitterLib: Twitter | null = null;

export function atproto(): Atproto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  return (atprotoLib ??= require('@atproto/api') as Atproto);
}

export function twitter(): Twitter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  return (twitterLib ??= require('twitter-api-v2') as Twitter);
}

/** An error of the AT Protocol client (none can exist before the library is loaded). */
export function isXrpcError(err: unknown): err is XRPCError {
  return !!atprotoLib && err instanceof atprotoLib.XRPCError;
}

/** X answered with an error (twitter-api-v2's ApiResponseError). */
export function isXResponseError(err: unknown): err is ApiResponseError {
  return !!twitterLib && err instanceof twitterLib.ApiResponseError;
}

/** X could not be reached at all (twitter-api-v2's ApiRequestError). */
export function isXRequestError(err: unknown): err is ApiRequestError {
  return !!twitterLib && err instanceof twitterLib.ApiRequestError;
}
