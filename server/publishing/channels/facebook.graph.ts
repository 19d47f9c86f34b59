import { outcome, type PublishOutcome } from './channel-adapter';

/**
 * Facebook's Graph API, as Crieur uses it for a Page: one version pinned here, the base address
 * configurable (FACEBOOK_GRAPH_URL) so that tests speak to a local Graph. The Page token travels
 * in the Authorization header, never in an address that a log could keep.
 */
export const GRAPH_API_VERSION = 'v25.0';
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';

export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

export class GraphClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly signal: AbortSignal,
    /** Told of every answer: the call budget counts calls and reads the usage headers. */
    private readonly onAnswer: (res: Response) => void | Promise<void> = () => undefined,
  ) {}

  async call(method: 'GET' | 'POST' | 'DELETE', path: string, query: Record<string, string> = {}, body?: FormData | URLSearchParams): Promise<Response> {
    const q = new URLSearchParams(query).toString();
    const res = await fetch(`${this.base}/${GRAPH_API_VERSION}${path}${q ? `?${q}` : ''}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
      body,
      signal: this.signal,
      redirect: 'error',
    });
    await this.onAnswer(res);
    return res;
  }
}

/** The error in a Graph answer, or an empty one when the body is not Graph's JSON. */
export async function graphError(res: Response): Promise<GraphError> {
  const body = (await res.json().catch(() => ({}))) as { error?: GraphError };
  return body.error ?? {};
}

type Usage = { call_count?: number; total_time?: number; total_cputime?: number; estimated_time_to_regain_access?: number };

/**
 * How busy the app and the Page are, from the usage headers Graph adds to its answers: the
 * highest percentage of the hourly allowance in use, and Graph's own estimate (minutes) of when
 * access comes back, when it gives one.
 */
export function usageOf(headers: Headers): { percent: number; regainMinutes: number } {
  let percent = 0;
  let regainMinutes = 0;
  const read = (name: string): unknown => {
    try {
      return JSON.parse(headers.get(name) ?? 'null');
    } catch {
      return null;
    }
  };
  const consider = (u: Usage | null | undefined) => {
    if (!u || typeof u !== 'object') return;
    percent = Math.max(percent, Number(u.call_count) || 0, Number(u.total_time) || 0, Number(u.total_cputime) || 0);
    regainMinutes = Math.max(regainMinutes, Number(u.estimated_time_to_regain_access) || 0);
  };
  consider(read('x-app-usage') as Usage);
  consider(read('x-page-usage') as Usage);
  const business = read('x-business-use-case-usage');
  if (business && typeof business === 'object') for (const list of Object.values(business)) if (Array.isArray(list)) list.forEach((u) => consider(u as Usage));
  return { percent, regainMinutes };
}

const HOUR_MS = 3600_000;

/**
 * When the Page may be called again after a rate limit: Graph's own estimate when it gives one;
 * otherwise the allowance is a rolling hour, so a full one (100 % used) is waited out whole, and
 * a refusal without figures waits a quarter of an hour.
 */
export function rateLimitReset(headers: Headers, now: Date): Date {
  const { percent, regainMinutes } = usageOf(headers);
  const wait = regainMinutes > 0 ? regainMinutes * 60_000 : percent >= 100 ? HOUR_MS : HOUR_MS / 4;
  return new Date(now.getTime() + wait);
}

const RECONNECT_CODES = new Set([190, 102, 10]);
const RATE_CODES = new Set([4, 17, 32, 613, 80001]);

/** The detail Graph gives, on one line and short: it is quoted in a sentence for the officer. */
function detail(e: GraphError): string {
  return String(e.message ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** A Graph answer that is not a success, as the engine's outcome (Graph's error codes reference). */
export async function graphFailure(res: Response, now: Date, account: string): Promise<PublishOutcome> {
  const e = await graphError(res);
  const code = e.code ?? 0;
  // 190: the token is invalid or expired; 10 and 200-299: a permission is missing. Either way an
  // administrator must paste a new token.
  if (RECONNECT_CODES.has(code) || (code >= 200 && code < 300) || (res.status === 401 && !code)) return outcome.reconnect('account.reconnect', { account });
  if (RATE_CODES.has(code) || res.status === 429) return outcome.rateLimited(rateLimitReset(res.headers, now));
  if (code === 1 || code === 2 || e.is_transient || res.status >= 500) return outcome.transient('network.unavailable', { status: res.status });
  const values = { detail: detail(e) || `HTTP ${res.status}`, code };
  if (code === 368) return outcome.permanent('facebook.blocked', values);
  if (code === 506) return outcome.permanent('facebook.duplicate', values);
  if (code === 100) return outcome.permanent('facebook.invalid', values);
  return outcome.permanent('facebook.refused', values);
}
