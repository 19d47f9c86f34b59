import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import { DemoRemoval } from '../server/demo/demo-removal';
import { crieur as runCli, demoDataFolder } from './helpers/cli';

/**
 * `npm run crieur -- demo:remove`: the demo commune's removal from a terminal, the same code as
 * the admin's button (test/demo-removal.test.ts covers what goes and what stays).
 */
let env: Record<string, string>;
let data: Awaited<ReturnType<typeof demoDataFolder>>;
const crieur = (args: string[]) => runCli(env, args, 120_000);

async function counts(): Promise<{ articles: number; demo: boolean; items: number }> {
  const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    const items = Number(((await c.db('demo_items').count({ n: '*' }).first()) as { n: unknown }).n);
    return { articles: await c.articles.count(), demo: await c.engagement.hasDemo(), items };
  } finally {
    await c.close();
  }
}

beforeAll(async () => {
  data = await demoDataFolder('crieur-demo-cli-');
  env = data.env;
}, 180_000);
afterAll(async () => {
  await data.remove();
});

describe('demo:remove', () => {
  it('removes the demo commune and says what went; run again, it finds nothing', async () => {
    expect(await counts()).toEqual({ articles: 17, demo: true, items: 41 });
    const run = await crieur(['demo:remove']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Commune de démonstration retirée : 17 article\(s\), 7 page\(s\), 17 image\(s\), \d{3,} ligne\(s\) de chiffres\.\n$/);
    expect(await counts()).toEqual({ articles: 0, demo: false, items: 0 });

    const again = await crieur(['demo:remove']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Il n’y avait plus de données de démonstration : rien n’a été retiré.\n');
  }, 240_000);

  it('removes the demo once when two removals run at the same time (two administrators, or the button and the command line)', async () => {
    const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
    try {
      // The demo again, on the emptied database: its marker is what keeps it from coming back.
      await c.db('settings').where({ key: 'demo_loaded_at' }).del();
      await c.db('users').where('email', 'like', '%@villeneuve-sur-lizonne.example').del();
      expect(await loadDemoIfEmpty(c)).toBe(true);
      await c.media.idle();
      const both = await Promise.all([
        new DemoRemoval(c, c.demoItems).remove({ id: null, label: 'ligne de commande' }),
        new DemoRemoval(c, c.demoItems).remove({ id: null, label: 'ligne de commande' }),
      ]);
      expect(both.map((r) => r.articles).sort()).toEqual([0, 17]);
      expect(both.map((r) => r.pages).sort()).toEqual([0, 7]);
      expect(await c.articles.count()).toBe(0);
      expect(await c.db('audit_log').where({ action: 'demo.removed' })).toHaveLength(2); // this one and the CLI's above
    } finally {
      await c.close();
    }
  }, 240_000);
});
