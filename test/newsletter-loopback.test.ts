import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { CURRENT_SUBSCRIBE_WORDING } from '../server/newsletter/consent';
import { ourOrigins } from '../server/newsletter/subscribe.routes';
import { createTestContext, type TestContext } from './helpers/context';
import { isolatedContext, launchBrowser } from './helpers/browser';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';

/**
 * A resident trying Crieur on their own computer: BASE_URL is the default http://localhost:PORT,
 * and they open the site at http://127.0.0.1:PORT. The subscription form is checked by its
 * Origin (it carries no session token): both loopback names are the same machine and must be
 * accepted, while a real host keeps accepting its own origin only.
 */

let smtp: SmtpPeer;
let ctx: TestContext;
let server: Server;
let port: number;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  // The port is known before the app is built, as with `npm start` (BASE_URL from PORT).
  let handler: RequestListener = (_req, res) => res.end();
  server = createServer((req, res) => handler(req, res)).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  ctx = await createTestContext({ BASE_URL: `http://localhost:${port}`, SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' });
  handler = ctx.handler;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
  await smtp?.close();
});

describe('subscribing on a local installation', () => {
  it('subscribes from http://127.0.0.1:PORT in Chromium while BASE_URL says localhost, and the confirmation e-mail arrives', async () => {
    const { context, outbound } = await isolatedContext(browser, `http://127.0.0.1:${port}`);
    try {
      const tab = await context.newPage();
      await tab.goto(`http://127.0.0.1:${port}/lettre`);
      await tab.locator('#lettre-email').fill('habitante@exemple.fr');
      await tab.locator('#lettre-accord').check();
      const [response] = await Promise.all([
        tab.waitForResponse((r) => r.url().endsWith('/lettre') && r.request().method() === 'POST'),
        tab.getByRole('button', { name: 'M’inscrire' }).click(),
      ]);
      expect(response.status()).toBe(303);
      await tab.waitForLoadState('load');
      expect(await tab.locator('h1').textContent()).toContain('Vérifiez votre boîte aux lettres électronique');
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
    await ctx.c.outbox.idle();
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('habitante@exemple.fr'), 10_000);
    expect(mail.subject).toMatch(/Confirmez votre inscription/);
  }, 90_000);

  it('accepts every loopback name on the same port, and still refuses another site or another port', async () => {
    const topic = String(((await ctx.c.db('categories').first('id')) as { id: number }).id);
    const post = (origin: string) =>
      request(ctx.handler)
        .post('/lettre')
        .set('Origin', origin)
        .set('Sec-Fetch-Site', 'same-origin')
        .type('form')
        .send({ email: `essai-${origin.replace(/\W/g, '')}@exemple.fr`, topics: topic, consent: 'oui', wording: CURRENT_SUBSCRIBE_WORDING });
    expect((await post(`http://localhost:${port}`)).status).toBe(303);
    expect((await post(`http://[::1]:${port}`)).status).toBe(303);
    const pirate = await post('https://pirate.example');
    expect(pirate.status).toBe(403);
    expect(pirate.text).toContain('Le formulaire a expiré ou ne vient pas de ce site.');
    expect((await post(`http://127.0.0.1:${port + 1}`)).status).toBe(403);
    expect((await post(`https://127.0.0.1:${port}`)).status).toBe(403);
  });

  it('keeps a real host to its own origin: a loopback page cannot post to it', () => {
    expect([...ourOrigins('https://www.villeneuve.fr')]).toEqual(['https://www.villeneuve.fr']);
    expect(ourOrigins('http://localhost:3000')).toEqual(new Set(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']));
    expect(ourOrigins('http://127.0.0.1')).toEqual(new Set(['http://127.0.0.1', 'http://localhost', 'http://[::1]']));
  });
});
