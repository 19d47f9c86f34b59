import crypto from 'node:crypto';

/**
 * Verifies a DKIM-Signature (RFC 6376, rsa-sha256, relaxed/relaxed) from first principles, the
 * way a receiving server does, with the public key the commune would publish in DNS. Answers the
 * signed header names, or throws saying what does not match.
 */
export function verifyDkim(raw: string, publicKey: crypto.KeyObject | string): { signedHeaders: string[]; domain: string; selector: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split + 2);
  const body = raw.slice(split + 4);
  const fields: { name: string; line: string }[] = [];
  for (const line of head.split(/\r\n(?![ \t])/)) {
    if (!line) continue;
    fields.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line });
  }
  const sigField = fields.find((f) => f.name === 'dkim-signature');
  if (!sigField) throw new Error('no DKIM-Signature');
  const sigValue = sigField.line.slice(sigField.line.indexOf(':') + 1);
  const tags = Object.fromEntries(
    sigValue
      .split(';')
      .map((t) => t.replace(/\s+/g, ''))
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
  ) as Record<string, string>;
  if (tags.a !== 'rsa-sha256' || tags.c !== 'relaxed/relaxed') throw new Error(`unexpected a=${tags.a} c=${tags.c}`);

  let canonBody = body
    .split('\r\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''))
    .join('\r\n');
  canonBody = canonBody.replace(/(\r\n)*$/, '');
  canonBody = canonBody ? `${canonBody}\r\n` : '';
  const bh = crypto.createHash('sha256').update(canonBody).digest('base64');
  if (bh !== tags.bh) throw new Error('body hash does not match');

  const relaxed = (line: string) => {
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r\n/g, '')
      .replace(/[ \t]+/g, ' ')
      .trim();
    return `${name}:${value}`;
  };
  const names = (tags.h ?? '').split(':').map((n) => n.toLowerCase());
  const used = new Map<string, number>();
  let data = '';
  for (const n of names) {
    const all = fields.filter((f) => f.name === n);
    const k = used.get(n) ?? 0;
    used.set(n, k + 1);
    const f = all[all.length - 1 - k]; // bottom-up for repeated names
    if (f) data += `${relaxed(f.line)}\r\n`;
  }
  // The signature's own header is signed last, without its CRLF, with only b= emptied (not bh=).
  data += relaxed(sigField.line).replace(/(;\s*b=)[^;]*/, '$1');
  const ok = crypto.verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b ?? '', 'base64'));
  if (!ok) throw new Error('signature does not verify');
  return { signedHeaders: names, domain: tags.d ?? '', selector: tags.s ?? '' };
}
