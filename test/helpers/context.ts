import fs from 'node:fs';
import type { RequestListener } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { Express } from 'express';
import pino from 'pino';
import { loadConfig, type Config } from '../../server/config';
import { createContainer, migrate, type Container } from '../../server/container';
import { createApp, createHandler } from '../../server/app';
import { FakeClock } from '../../server/clock';
import { hashPassword } from '../../server/auth/hashing';
import { testDatabaseUrl } from './database';
import { TestAdapter } from './test-channel.adapter';
import type { ChannelAdapter } from '../../server/publishing/channels/channel-adapter';
import type { Role } from '../../server/auth/permissions';

export interface TestContext {
  dir: string;
  config: Config;
  c: Container;
  app: Express;
  /** What `npm start` serves: the page cache's front door, then `app` (tests of the cache and the public pages use it). */
  handler: RequestListener;
  clock: FakeClock;
  testAdapter: TestAdapter;
  close(): Promise<void>;
}

/** A fresh Crieur on a fresh SQLite file in a temporary folder, with a fake clock and silent logs. */
export async function createTestContext(
  env: Record<string, string> = {},
  overrides: { log?: pino.Logger; channels?: ChannelAdapter[] } = {},
): Promise<TestContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-test-'));
  const database = await testDatabaseUrl(dir);
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dir,
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    BASE_URL: 'http://crieur.test',
    CRIEUR_DEMO: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const clock = new FakeClock(new Date('2026-03-15T09:00:00.000Z'));
  // The test channel exists in the tests only: no installation ships it.
  const testAdapter = new TestAdapter();
  const c = createContainer(config, { clock, log: overrides.log ?? pino({ level: 'silent' }), channels: [testAdapter, ...(overrides.channels ?? [])] });
  await migrate(c);
  const app = createApp(c);
  return {
    dir,
    config,
    c,
    app,
    handler: createHandler(c, app),
    clock,
    testAdapter,
    async close() {
      await c.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PASSWORD = 'Correct-Horse-Battery-9';

let seq = 0;
/** Inserts an account directly (fast path for tests that are not about accounts). */
export async function makeUser(c: Container, role: Role, overrides: { email?: string; displayName?: string; password?: string } = {}) {
  seq++;
  const email = overrides.email ?? `${role}${seq}@commune.test`;
  const password = overrides.password ?? PASSWORD;
  const id = await c.usersRepo.insert(
    { email, displayName: overrides.displayName ?? `${role} ${seq}`, role, passwordHash: await hashPassword(password) },
    c.clock.now(),
  );
  return { id, email, password };
}

/** The CSRF token of the page's first form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in page');
  return m[1];
}

/** A supertest agent (keeps cookies) logged in as a new user with the given role. */
export async function loginAs(ctx: TestContext, role: Role): Promise<{ agent: TestAgent; csrf: string; user: { id: number; email: string } }> {
  const user = await makeUser(ctx.c, role);
  const agent = request.agent(ctx.app);
  const page = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  if (res.status !== 302) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 300)}`);
  const home = await agent.get('/admin');
  return { agent, csrf: csrfFrom(home.text), user };
}
