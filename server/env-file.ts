import fs from 'node:fs';

/** Reads ./.env when there is one; variables already set in the environment win. */
export function loadEnvFile(file = '.env'): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}
