import request from 'supertest';
import pino from 'pino';
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

describe('request logs', () => {
  it('never hold a reader’s full IP address, even one given by a proxy', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const ctx = await createTestContext({}, { log });
    try {
      const res = await request(ctx.app).get('/healthz').set('X-Forwarded-For', '203.0.113.77');
      expect(res.status).toBe(200);
      const entries = lines.map(
        (l) => JSON.parse(l) as { req?: { remoteAddress?: string; remotePort?: number; client?: string; headers?: Record<string, string> } },
      );
      const logged = entries.find((e) => e.req);
      expect(logged?.req?.remoteAddress).toMatch(/^(127\.0\.0\.0|::\/48|0:0:0::\/48)$/);
      expect(logged?.req?.remotePort).toBeUndefined();
      // Proxies' address headers are not logged at all now (server/http/log-safety.ts); the
      // client's network is, as `client`.
      expect(logged?.req?.headers?.['x-forwarded-for']).toBeUndefined();
      expect(logged?.req?.client).toBe('203.0.0.0');
      expect(lines.join('\n')).not.toContain('203.0.113.77');
    } finally {
      await ctx.close();
    }
  });
});

describe('GET /favicon.ico', () => {
  it('answers with Crieur’s icon rather than a 404 on every page', async () => {
    const ctx = await createTestContext();
    try {
      const res = await request(ctx.app).get('/favicon.ico');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['set-cookie']).toBeUndefined();
    } finally {
      await ctx.close();
    }
  });
});
