import crypto from 'node:crypto';

/**
 * Keys of the newsletter, each derived from SECRET_KEY for one use (HKDF, like SecretBox), so
 * that a signed link can never be replayed as a suppression hash or a session signature.
 */
export function newsletterKey(secretKey: string, use: 'links' | 'suppressions' | 'throttle'): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secretKey, 'crieur', `newsletter-${use}-v1`, 32));
}

/** The lower-cased address, trimmed: the one form stored and hashed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The suppression list's entry for an address: HMAC-SHA256, hex. */
export function emailHash(key: Buffer, email: string): string {
  return crypto.createHmac('sha256', key).update(normalizeEmail(email)).digest('hex');
}
