import type { Browser } from 'playwright-core';
import { MastodonAdapter } from '../server/publishing/channels/mastodon.adapter';
import { countMastodon } from '../server/publishing/post-count';
import { isolatedContext, launchBrowser, serve } from './helpers/browser';
import { logIn } from './helpers/admin-browser';
import { createTestContext, makeUser, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { startMastodonPeer, type MastodonPeer } from './helpers/mastodon-peer';

/**
 * The officer's browser cuts a long text into a thread's parts with the very file the server cuts
 * with (public/js/post-split.js): in Chromium, the parts listed under the text (each with its
 * count) and previewed as messages are exactly the statuses the Mastodon instance then receives.
 */
let ctx: TestContext;
let peer: MastodonPeer;
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let user: { email: string; password: string };
let account: number;

beforeAll(async () => {
  peer = await startMastodonPeer();
  ctx = await createTestContext({}, { channels: [new MastodonAdapter({ website: 'http://crieur.test', mediaPoll: { everyMs: 5, times: 20 } })] });
  peer.validTokens.add('mtoken-navigateur');
  account = await ctx.c.accounts.insert(
    {
      channel: 'mastodon',
      label: `@mairie@${peer.host}`,
      settings: { instance: peer.url, accountId: '109001', maxCharacters: 500, visibility: 'public' },
      credentials: { clientId: 'cid', clientSecret: 'csecret', accessToken: 'mtoken-navigateur' },
    },
    ctx.clock.now(),
  );
  user = await makeUser(ctx.c, 'editor');
  site = await serve(ctx.handler);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ctx.close();
  await peer.close();
});

// Sentences with accents, an emoji, and an address (23 on Mastodon whatever its length): three parts of 500 at most.
const sentence = (n: number) =>
  `Phrase ${n} : la mairie de Villeneuve 🎉 informe les habitants que les travaux de la rue de l’Église reprennent lundi, avec une déviation par l’avenue des Tilleuls.`;
const LONG = `${[1, 2, 3, 4, 5, 6, 7, 8].map(sentence).join(' ')} Tout savoir : https://villeneuve.example/travaux?rue=eglise&phase=2&plan=complet-avec-les-deviations`;

it('shows each part of a thread with its count, as the server posts them: the parts on the page are the statuses the instance receives', async () => {
  const article = await makeArticle(ctx.c, { title: 'Travaux rue de l’Église', status: 'published', publishAt: ctx.clock.now() });
  const siteAccount = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
  await ctx.c.publications.insert(
    { articleId: article, accountId: siteAccount, channel: 'site', textVariant: null, scheduledAt: ctx.clock.now() },
    ctx.clock.now(),
  );

  const { context, outbound } = await isolatedContext(browser, site.origin, { viewport: 'desktop' });
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await logIn(tab, site.origin, user);

  await tab.goto(`${site.origin}/admin/articles/${article}/channels`);
  await tab.check(`input[name="channel_${account}_enabled"]`);
  await tab.fill(`#channel_${account}_text`, LONG);
  await tab.check(`input[name="channel_${account}_thread"]`);

  const listed = await tab.locator(`[data-parts-for="${account}"] li`).allTextContents();
  const previewed = await tab.locator(`[data-preview-for="${account}"] [data-preview-part]`).allTextContents();
  expect(listed.length).toBe(3);
  expect(previewed.length).toBe(3);
  expect(await tab.locator(`[data-preview-for="${account}"] [data-preview-text]`).isHidden()).toBe(true);

  // The form posts to the page it is on: waiting for the address alone could read the page
  // before the post. The message the officer reads is what the test waits for.
  await tab.getByRole('button', { name: 'Enregistrer les canaux' }).click();
  await tab.locator('.alert-success, [role=status]', { hasText: 'Les canaux de diffusion sont enregistrés.' }).first().waitFor();
  expect(tab.url()).toBe(`${site.origin}/admin/articles/${article}/channels`);
  await context.close();

  await ctx.c.dispatcher.dispatchDue();
  const post = (await ctx.c.db('publications').where({ article_id: article, account_id: account }).first()) as { id: number; status: string };
  expect(post.status).toBe('sent');
  const received = peer
    .live()
    .filter((s) => s.idempotencyKey?.startsWith(`crieur-${post.id}-`))
    .map((s) => s.text);
  // What the officer saw is what the instance received, part for part, with the counts shown.
  expect(received).toEqual(previewed);
  expect(listed).toEqual(received.map((part, i) => `Message ${i + 1} : ${countMastodon(part)} caractères sur 500`));
  expect(received.every((part) => countMastodon(part) <= 500)).toBe(true);
  expect(received.map((part) => /\((\d)\/3\)$/.exec(part)?.[1])).toEqual(['1', '2', '3']);
  expect(received.join(' ')).toContain('https://villeneuve.example/travaux?rue=eglise&phase=2&plan=complet-avec-les-deviations');
  expect(outbound).toEqual([]);
  expect(errors).toEqual([]);
}, 60_000);
