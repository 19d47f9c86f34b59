import { isIP } from 'node:net';
import { maskIp } from '../http/mask-ip';

/**
 * The network a request comes from, for the subscription rate limit: the /24 of an IPv4 address,
 * the /48 of an IPv6 one (a household or an office gets one IPv6 /48; an IPv4 /24 is a street
 * of a provider's customers at most). Used only as a key, hashed, never stored in clear.
 */
export function networkOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  let v = ip.trim();
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(v)) v = v.slice(7);
  if (isIP(v) === 4) return `${v.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIP(v.split('%')[0] ?? '') === 6) return maskIp(v);
  return 'unknown';
}
