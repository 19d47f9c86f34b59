import pino from 'pino';
import { createContainer, migrate } from '../server/container';
import { createTestContext, type TestContext } from './helpers/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('settings with several instances', () => {
  it('shows a change saved by another instance within 10 seconds and tells the listeners', async () => {
    const other = createContainer(ctx.config, { clock: ctx.clock, log: pino({ level: 'silent' }) });
    await migrate(other);
    try {
      expect((await other.settings.get()).name).toBe('Ma commune');
      let told = 0;
      other.settings.events.on('changed', () => told++);
      const current = await ctx.c.settings.get();
      await ctx.c.settings.save({ ...current, name: 'Villeneuve-sur-Lizonne' }, { id: null, label: 'test' });

      expect((await other.settings.get()).name).toBe('Ma commune'); // still within its 10 s
      const now = Date.now();
      const spy = jest.spyOn(Date, 'now').mockReturnValue(now + 11_000);
      try {
        expect((await other.settings.get()).name).toBe('Villeneuve-sur-Lizonne');
        expect(told).toBe(1);
      } finally {
        spy.mockRestore();
      }
    } finally {
      await other.close();
    }
  });
});
