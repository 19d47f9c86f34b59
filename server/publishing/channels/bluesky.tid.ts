import crypto from 'node:crypto';

/**
 * A record key of the AT Protocol's "TID" form: 13 characters of sortable base32 holding the
 * microseconds since 1970 and a 10-bit clock id. Crieur chooses a post's key itself, before it
 * sends the post, so that a retry can ask whether that very key was taken.
 */
const S32 = '234567abcdefghijklmnopqrstuvwxyz';
const clockId = BigInt(crypto.randomInt(1024));
let last = 0n;

export function nextTid(nowMs: number = Date.now()): string {
  // Strictly increasing within this process, even for keys asked in the same microsecond.
  let micros = BigInt(nowMs) * 1000n;
  if (micros <= last) micros = last + 1n;
  last = micros;
  let v = (micros << 10n) | clockId;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = S32[Number(v & 31n)] + out;
    v >>= 5n;
  }
  return out;
}

export function isTid(value: string): boolean {
  return /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/.test(value);
}
