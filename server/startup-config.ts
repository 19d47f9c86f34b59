import { loadEnvFile } from './env-file';
import { ConfigError, loadConfig, type Config } from './config';

/**
 * For the entry points (`npm start`, `npm run jobs`): the configuration from `.env` and the
 * environment, or one line per wrong value and exit code 2, so that a typo never starts half a server.
 */
export function loadConfigOrExit(): Config {
  try {
    loadEnvFile();
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
