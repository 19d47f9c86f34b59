/**
 * The address with its host part removed before any use (RULES-FR: at least the last two bytes):
 * IPv4 keeps its first two bytes, IPv6 its /48 network.
 */
export function maskIp(ip: string | undefined): string {
  if (!ip) return '';
  let v = ip.trim();
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(v)) v = v.slice(7);
  if (v.includes('.')) {
    const parts = v.split('.');
    return parts.length === 4 ? `${parts[0]}.${parts[1]}.0.0` : '';
  }
  if (!v.includes(':')) return '';
  const zone = v.indexOf('%');
  if (zone !== -1) v = v.slice(0, zone);
  const [head = '', tail] = v.split('::');
  const h = head ? head.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - (tail ? tail.split(':').length : 0))).fill('0'), ...(tail ? tail.split(':') : [])];
  return `${groups
    .slice(0, 3)
    .map((g) => (g || '0').toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/48`;
}
