import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The Bluesky and X client libraries cost every start about a second and 35 MB: Crieur loads them
 * when their adapter is first used, never at start. Checked in a real Node process running the
 * program as `npm start` does (tsx), since the test runner keeps its own module registry.
 */
it('starts the program without loading @atproto/api or twitter-api-v2, and loads each on its adapter’s first use', () => {
  const script = `
    const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
    require('./server/container');
    const atStart = { atproto: loaded('@atproto/api'), twitter: loaded('twitter-api-v2') };
    const { BlueskyAdapter } = require('./server/publishing/channels/bluesky.adapter');
    const { XAdapter } = require('./server/publishing/channels/x.adapter');
    new BlueskyAdapter(); new XAdapter();
    const registered = { atproto: loaded('@atproto/api'), twitter: loaded('twitter-api-v2') };
    require('./server/publishing/channels/lazy-libs').atproto();
    require('./server/publishing/channels/lazy-libs').twitter();
    const used = { atproto: loaded('@atproto/api'), twitter: loaded('twitter-api-v2') };
    console.log(JSON.stringify({ atStart, registered, used }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
    atStart: { atproto: false, twitter: false },
    registered: { atproto: false, twitter: false },
    used: { atproto: true, twitter: true },
  });
});
