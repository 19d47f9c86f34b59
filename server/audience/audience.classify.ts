import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { maskIp } from '../http/mask-ip';

export { maskIp };

/** Where a reader came from, as the mayor reads it on the audience page. */
export const SOURCES = [
  'direct',
  'internal',
  'search',
  'newsletter',
  'facebook',
  'mastodon',
  'bluesky',
  'x',
  'instagram',
  'linkedin',
  'rss',
  'atom',
  'jsonfeed',
  'ical',
  'other',
] as const;
export type FixedSource = (typeof SOURCES)[number];
/**
 * A channel the installation registered (its adapter's `channel`), credited from its own links'
 * `ref=`: only sourceOf makes one, from the registry's names, so a typed ref stays out.
 */
export type ChannelSource = string & { readonly registeredChannel: true };
export type Source = FixedSource | ChannelSource;

// The columns that hold a source (audience_views, engagement events) take 16 characters, as the
// channel columns do: a longer or odd name is never a source.
const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,15}$/;
const FIXED = new Set<string>(SOURCES);

/** The registered channels whose `ref=` credits a visit to them (not one of the fixed sources' names). */
export function channelRefs(channels: Iterable<string>): ReadonlySet<string> {
  return new Set([...channels].filter((c) => CHANNEL_NAME.test(c) && !FIXED.has(c)));
}

/**
 * The values of the `ref` parameter Crieur adds to the links it sends out. Each feed names its own
 * format, so that the mayor sees which one residents actually follow before dropping another.
 */
export const REF_SOURCES = ['newsletter', 'facebook', 'mastodon', 'bluesky', 'x', 'instagram', 'linkedin', 'rss', 'atom', 'jsonfeed', 'ical'] as const;
export type RefSource = (typeof REF_SOURCES)[number];
const REF_SET = new Set<string>(REF_SOURCES);

/** Adds `ref=<source>` to a link to the site, so that a visit through it is attributed. */
export function withRef(url: string, source: RefSource): string {
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}ref=${source}${fragment}`;
}

// Crawlers, link previewers (a post on a social network makes its server fetch the page once),
// monitoring, headless browsers and HTTP libraries. Real browsers all announce "Mozilla/5.0".
const BOT_UA =
  /bot\b|bot\/|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog|meta-external|whatsapp|telegram|discord|embedly|iframely|preview|pinterest|mastodon\/|pleroma|akkoma|misskey|cardyb|bluesky|headless|phantomjs|selenium|puppeteer|playwright|lighthouse|pagespeed|gtmetrix|pingdom|uptime|monitor|statuscake|curl|wget|python|aiohttp|httpx|go-http|java\/|okhttp|node-fetch|axios|undici|libwww|httpclient|feedfetcher|scrapy|ahrefs|semrush|petalbot|bytespider|gptbot|claude|ccbot|perplexity|amazonbot|yandex|baidu|qwantify|google-|googleother/i;

// Robots that dress as a browser still sign their name the same way, "(compatible; Name/1.0;
// +https://their.site/about)": no browser puts a link to its maker in its user agent.
const SIGNED_ROBOT = /\+https?:\/\//i;

// Readers' browsers come in a few hundred versions: remembering the answer spares the regular
// expression on most views.
const botAnswers = new Map<string, boolean>();

export function isBot(userAgent: string | undefined): boolean {
  if (!userAgent) return true;
  const known = botAnswers.get(userAgent);
  if (known !== undefined) return known;
  const bot = (!userAgent.startsWith('Mozilla/') && !userAgent.startsWith('Opera/')) || BOT_UA.test(userAgent) || SIGNED_ROBOT.test(userAgent);
  if (botAnswers.size >= 1000) botAnswers.clear();
  botAnswers.set(userAgent, bot);
  return bot;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Speculative loads (link prefetch, prerender, Safari's preview) are not views. */
export function isPrefetch(headers: IncomingHttpHeaders): boolean {
  const purpose = header(headers, 'sec-purpose') ?? header(headers, 'purpose') ?? header(headers, 'x-purpose') ?? header(headers, 'x-moz');
  return purpose !== undefined && /prefetch|prerender|preview/i.test(purpose);
}

const OPT_OUT = /(?:^|;\s*)crieur_optout=1(?:;|$)/;

/** The reader pressed the opt-out button of /mesure-audience on this browser. */
export function hasOptOutCookie(headers: IncomingHttpHeaders): boolean {
  const cookie = header(headers, 'cookie');
  return cookie !== undefined && OPT_OUT.test(cookie);
}

/** The browser asks every site not to track: Do Not Track or Global Privacy Control. */
export function sendsPrivacySignal(headers: IncomingHttpHeaders): boolean {
  return header(headers, 'dnt') === '1' || header(headers, 'sec-gpc') === '1';
}

/** The reader said no: Do Not Track, Global Privacy Control, or the site's own opt-out cookie. */
export function refusesMeasurement(headers: IncomingHttpHeaders): boolean {
  return sendsPrivacySignal(headers) || hasOptOutCookie(headers);
}

const SEARCH_HOST =
  /(^|\.)(google|bing|qwant|duckduckgo|ecosia|yahoo|yandex|baidu|startpage|lilo|ask|aol|seznam)\.[a-z.]+$|^search\.brave\.com$|^search\.(yahoo|aol)\./;

function hostOf(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^:/?#]+)/i.exec(url);
  return m?.[1] ? m[1].toLowerCase().replace(/\.$/, '') : null;
}

function refParam(url: string): string | null {
  const q = url.indexOf('?');
  if (q === -1) return null;
  const m = /(?:^|&)ref=([^&#]*)/.exec(url.slice(q + 1));
  return m?.[1] ? decodeURIComponent(m[1]).toLowerCase() : null;
}

/** What the source rules need to know about this site. */
export interface SourceContext {
  siteHost: string | null;
  /** The commune's own Mastodon server, from the settings. */
  mastodonHost: string | null;
  /** The registered channels a `ref=` may name (channelRefs): an installation's own networks count as themselves. */
  channels: ReadonlySet<string>;
}

/**
 * The `ref` parameter wins (Crieur put it on its own links), then the referring site, else a
 * direct visit (typed address, bookmark, an app that sends no referrer).
 */
export function sourceOf(url: string, referer: string | undefined, ctx: SourceContext): Source {
  let ref: string | null = null;
  try {
    ref = refParam(url);
  } catch {
    ref = null; // a malformed %-escape is just a wrong parameter
  }
  if (ref && REF_SET.has(ref)) return ref as RefSource;
  if (ref && ctx.channels.has(ref)) return ref as ChannelSource;
  if (!referer) return 'direct';
  const host = hostOf(referer);
  if (!host) return 'direct';
  if (host === ctx.siteHost) return 'internal';
  if (SEARCH_HOST.test(host)) return 'search';
  if (host === 'facebook.com' || host.endsWith('.facebook.com') || host === 'fb.com' || host === 'fb.me') return 'facebook';
  if (host === 't.co' || host === 'x.com' || host.endsWith('.x.com') || host === 'twitter.com' || host.endsWith('.twitter.com')) return 'x';
  if (host === 'bsky.app' || host.endsWith('.bsky.app')) return 'bluesky';
  if (host === 'instagram.com' || host.endsWith('.instagram.com')) return 'instagram';
  if (host === 'linkedin.com' || host.endsWith('.linkedin.com') || host === 'lnkd.in') return 'linkedin';
  // Mastodon is thousands of servers: the commune's own, and the usual names for the others.
  if (host === ctx.mastodonHost || /mastodon|mstdn|(^|\.)social\.|\.social$/.test(host)) return 'mastodon';
  return 'other';
}

/** The host part of a Mastodon profile URL or handle in the settings ("@mairie@mastodon.fr"). */
export function mastodonHostOf(setting: string): string | null {
  const s = setting.trim();
  if (!s) return null;
  const handle = /^@?[^@\s/]+@([^@\s/]+)$/.exec(s);
  if (handle?.[1]) return handle[1].toLowerCase();
  return hostOf(s.includes('://') ? s : `https://${s}`);
}

/**
 * What tells one visitor from another within a day: the masked address, the browser and its
 * languages. Held in memory only until the next flush (a few seconds), where it is keyed with
 * the day's salt; neither the address nor this key is ever stored.
 */
export function visitorKey(ip: string | undefined, headers: IncomingHttpHeaders): string {
  return `${maskIp(ip)}\n${header(headers, 'user-agent') ?? ''}\n${header(headers, 'accept-language') ?? ''}`;
}

/** What is stored: the key hashed with the day's salt, truncated (an estimate needs no more). */
export function visitorHash(salt: string, key: string): string {
  return crypto.createHmac('sha256', salt).update(key).digest('base64url').slice(0, 16);
}
