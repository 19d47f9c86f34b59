import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const PUBLIC_DIR = path.join(__dirname, '..', '..', 'public');

const versions = new Map<string, string>();

/**
 * URL of a file under public/ with a content hash, so that assets can be cached forever
 * ("immutable") and still change on the next release.
 */
export function asset(file: string): string {
  let v = versions.get(file);
  if (!v) {
    try {
      v = crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(PUBLIC_DIR, file)))
        .digest('hex')
        .slice(0, 10);
    } catch {
      v = '0';
    }
    versions.set(file, v);
  }
  return `/static/${file}?v=${v}`;
}
