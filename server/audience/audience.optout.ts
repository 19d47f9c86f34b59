import crypto from 'node:crypto';

/** The one cookie the public site may set, and only when the reader asks not to be counted. */
export const OPT_OUT_COOKIE = 'crieur_optout';
/** 390 days: within the 13 months the CNIL allows even for the shortest 13-month span. */
export const OPT_OUT_MAX_AGE_MS = 390 * 86_400_000;

// A page may stay open (or come from a browser cache) for a while before the button is pressed.
const TOKEN_TTL_S = 2 * 86_400;
const CLOCK_SKEW_S = 300;

function mac(secretKey: string, issued: string): string {
  return crypto.createHmac('sha256', secretKey).update(`audience-optout|${issued}`).digest('base64url').slice(0, 32);
}

/**
 * A stateless anti-forgery token for the public opt-out form: there is no session on the public
 * site, so the form carries the time it was made, signed with the instance's secret key.
 */
export function issueOptOutToken(secretKey: string, now: Date): string {
  const issued = Math.floor(now.getTime() / 1000).toString(36);
  return `${issued}.${mac(secretKey, issued)}`;
}

export function isValidOptOutToken(secretKey: string, token: unknown, now: Date): boolean {
  if (typeof token !== 'string' || token.length > 64) return false;
  const [issued, sent] = token.split('.');
  if (!issued || !sent || !/^[0-9a-z]{1,10}$/.test(issued)) return false;
  const expected = Buffer.from(mac(secretKey, issued));
  const given = Buffer.from(sent);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return false;
  const age = now.getTime() / 1000 - parseInt(issued, 36);
  return age >= -CLOCK_SKEW_S && age <= TOKEN_TTL_S;
}
