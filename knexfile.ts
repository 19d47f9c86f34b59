// Used by the knex command line (npx knex migrate:status); the program itself migrates on start.
import { loadConfig } from './server/config';
import { knexConfig } from './server/db/knex';

const config = knexConfig(loadConfig());
export default config;
module.exports = config;
