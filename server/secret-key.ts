import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * SECRET_KEY signs sessions and encrypts stored secrets. When it is not given, one is generated
 * on the first start and kept in DATA_DIR/secret.key (readable by the owner only), so that the
 * embedded default works with nothing to configure and sessions survive a restart.
 */
export function resolveSecretKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const key = crypto.randomBytes(48).toString('base64url');
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
