import crypto from 'node:crypto';
import type { Clock } from '../clock';

/**
 * Where the monthly report's opt-out link lives: outside /admin, because it must work without a
 * session (the log scrubber hides the segment after it, server/http/log-safety.ts).
 */
export const REPORT_OPTOUT_PATH = '/rapport-mensuel/ne-plus-recevoir/';

/**
 * A link stays valid for three months: the e-mail of the 1st is often read days later, and the
 * next two reports carry fresh links. An older one says so and points to « Mon compte ».
 */
export const REPORT_OPTOUT_LIFETIME_S = 92 * 86_400;
const CLOCK_SKEW_S = 300;
const MAC_LENGTH = 22; // base64url characters: 132 bits

export type OptOutCheck = { ok: true; userId: number } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * The signed link of the monthly report's e-mail that stops it without logging in. A token is
 * `<user id base 36>.<issued base 36>.<HMAC>`, signed with a key derived from SECRET_KEY for this
 * use only, so that no other signed link of Crieur can be replayed as this one.
 */
export class StatsReportLinks {
  private readonly key: Buffer;

  constructor(
    secretKey: string,
    private readonly baseUrl: string,
    private readonly clock: Clock,
  ) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', secretKey, 'crieur', 'stats-report-optout-v1', 32));
  }

  optOutUrl(userId: number): string {
    return `${this.baseUrl}${REPORT_OPTOUT_PATH}${this.token(userId)}`;
  }

  token(userId: number, issuedAt: Date = this.clock.now()): string {
    const body = `${userId.toString(36)}.${Math.floor(issuedAt.getTime() / 1000).toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** Whose link this is; a forged, truncated or altered token is 'invalid', an old one 'expired'. */
  verify(token: unknown): OptOutCheck {
    if (typeof token !== 'string' || token.length > 80) return { ok: false, reason: 'invalid' };
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'invalid' };
    const [id, issued, sent] = parts as [string, string, string];
    if (!/^[0-9a-z]{1,11}$/.test(id) || !/^[0-9a-z]{1,10}$/.test(issued)) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(`${id}.${issued}`));
    const given = Buffer.from(sent);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const age = this.clock.now().getTime() / 1000 - parseInt(issued, 36);
    if (age < -CLOCK_SKEW_S || age > REPORT_OPTOUT_LIFETIME_S) return { ok: false, reason: 'expired' };
    const userId = parseInt(id, 36);
    return Number.isSafeInteger(userId) && userId > 0 ? { ok: true, userId } : { ok: false, reason: 'invalid' };
  }

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.key).update(`stats-report-optout|${body}`).digest('base64url').slice(0, MAC_LENGTH);
  }
}
