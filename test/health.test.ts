import request from 'supertest';
import { createTestContext } from './helpers/context';

describe('GET /healthz', () => {
  it('answers 200 with JSON while the database answers, and 503 once it does not', async () => {
    const ctx = await createTestContext();
    const ok = await request(ctx.app).get('/healthz');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ok', database: 'ok' });
    expect(ok.headers['set-cookie']).toBeUndefined();

    await ctx.c.db.destroy();
    const down = await request(ctx.app).get('/healthz');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable' });
    await ctx.close();
  });
});
