import os from 'node:os';
import type TestAgent from 'supertest/lib/agent';
import pino from 'pino';
import { createContainer } from '../server/container';
import { FacebookAdapter } from '../server/publishing/channels/facebook.adapter';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { near, rgbOf, shownAvatar } from './helpers/account-avatar';
import { startFacebookPeer, type FacebookPeer } from './helpers/facebook-peer';
import { panelRow, socialPost } from './helpers/social-articles';

/**
 * A Facebook Page through the whole program: the administrator pastes the Page's id and token,
 * Crieur checks them with Graph and shows when the token ends; articles go out as photo posts
 * (caption and alt text) or link posts; Graph's errors become the engine's outcomes with the
 * message explained in French; figures respect the development-mode call budget. Graph is a local
 * peer written from Meta's documentation (test/helpers/facebook-peer.ts), reached through
 * FACEBOOK_GRAPH_URL.
 */
let peer: FacebookPeer;
let ctx: TestContext;
let admin: { agent: TestAgent; csrf: string };
let account: { id: number; channel: string };

const minutes = (m: number) => m * 60_000;
const days = (d: number) => d * 86_400_000;
const statusOf = async (id: number) => (await ctx.c.publications.get(id))!;
const connect = (values: Record<string, string>) =>
  admin.agent
    .post('/admin/networks/connect/facebook')
    .type('form')
    .send({ _csrf: admin.csrf, ...values });

beforeAll(async () => {
  peer = await startFacebookPeer();
  ctx = await createTestContext({ FACEBOOK_GRAPH_URL: peer.url });
  peer.now = () => ctx.clock.now().getTime();
  // The container's adapter reads Graph's address from the configuration; this one only spaces its figure calls less.
  expect(ctx.config.facebook.graphUrl).toBe(peer.url);
  ctx.c.adapters.register(new FacebookAdapter({ graphUrl: ctx.config.facebook.graphUrl, metricsSpacingMs: 0, metricsPerHour: 6 }));
  admin = await loginAs(ctx, 'admin');
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
  await peer.close();
});

describe('connecting the commune’s Page with a pasted token', () => {
  it('refuses a wrong id, a wrong token, a person’s token, without echoing the token, and says when Graph does not answer', async () => {
    peer.tokens.set('user-token', { type: 'USER', expiresAt: 0, scopes: ['pages_show_list'] });
    const notId = await connect({ pageId: 'mairie-villeneuve', token: 'x' });
    expect(notId.status).toBe(400);
    expect(notId.text).toContain('L’identifiant de la Page est un nombre');
    const wrong = await connect({ pageId: peer.pageId, token: 'EAAwrong-token' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Le réseau a refusé ces informations. Vérifiez-les, puis réessayez.');
    expect(wrong.text).not.toContain('EAAwrong-token');
    const injected = await connect({ pageId: peer.pageId, token: 'EAAx\r\nX-Injected: 1' });
    expect(injected.status).toBe(400);
    expect(injected.text).not.toContain('X-Injected');
    const huge = await connect({ pageId: '1'.repeat(5000), token: 'x'.repeat(10_000) });
    expect(huge.status).toBe(400);
    const person = await connect({ pageId: peer.pageId, token: 'user-token' });
    expect(person.status).toBe(400);
    expect(person.text).toContain('Ce jeton est celui d’une personne, pas celui de la Page');
    expect(await ctx.c.db('channel_accounts').where({ channel: 'facebook' })).toHaveLength(0);
  });

  it('names the account after the Page, stores the token encrypted, and shows when it ends', async () => {
    const expires = Math.floor((ctx.clock.now().getTime() + days(60)) / 1000);
    peer.tokens.set('EAApage-token', { type: 'PAGE', expiresAt: expires, scopes: ['pages_manage_posts', 'pages_read_engagement', 'pages_show_list'] });
    const ok = await connect({ pageId: peer.pageId, token: 'EAApage-token' }).redirects(0);
    expect(ok.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'facebook' }).first();
    account = { id: row.id as number, channel: 'facebook' };
    expect(row.label).toBe('Mairie de Villeneuve');
    expect(String(row.credentials)).not.toContain('EAApage-token');
    expect(await ctx.c.accounts.credentials(account.id)).toEqual({ pageToken: 'EAApage-token' });
    expect((await ctx.c.accounts.get(account.id))?.expiresAt?.getTime()).toBe(expires * 1000);
    // Graph also says when the app's access to the Page's data ends (90 days on this peer).
    const dataAccess = Math.floor((ctx.clock.now().getTime() + days(90)) / 1000);
    expect((await ctx.c.accounts.get(account.id))?.dataAccessExpiresAt?.getTime()).toBe(dataAccess * 1000);
    const list = await admin.agent.get('/admin/networks');
    expect(list.text).toContain('Autorisation valable jusqu’au 14 mai 2026');
    expect(list.text).toContain('Accès aux données de la Page valable jusqu’au 13 juin 2026');
  });

  it('tests the connection and shows the Page’s name', async () => {
    await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain('Connexion réussie : le réseau reconnaît le compte « Mairie de Villeneuve ».');
    // The Page's picture (picture.data.url), kept by Crieur as a small WebP.
    const shown = await shownAvatar(admin.agent, account.id);
    expect(shown).toMatchObject({ type: 'image/webp', width: 96, height: 96 });
    expect(near(shown!.rgb, rgbOf('#1877f2'))).toBe(true);
  });
});

describe('posting on the Page', () => {
  it('posts a photo with the text as its caption and the article’s alt text', async () => {
    const { post, slug } = await socialPost(ctx, account, { title: 'Marché de Noël', alt: 'Les chalets illuminés sur la place' });
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(2);
    const made = peer.live().at(-1)!;
    expect(made).toMatchObject({ kind: 'photo', altText: 'Les chalets illuminés sur la place' });
    expect(made.message).toContain(`http://crieur.test/actualites/${slug}?ref=facebook`);
    expect(made.image?.bytes).toBeGreaterThan(1000);
    const p = await statusOf(post);
    expect(p).toMatchObject({ status: 'sent', externalId: made.id, externalUrl: `https://www.facebook.com/${made.id}` });
  });

  it('posts a link post when the article has no picture', async () => {
    const { post, slug } = await socialPost(ctx, account, { title: 'Conseil municipal', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    expect(peer.live().at(-1)).toMatchObject({ kind: 'link', link: `http://crieur.test/actualites/${slug}?ref=facebook` });
  });

  it('fails a post Facebook blocks, with its message explained in French', async () => {
    peer.script.push({ status: 400, code: 368, message: 'It looks like you were misusing this feature by going too fast.' });
    const { article, post } = await socialPost(ctx, account, { title: 'Bloquée', image: false });
    expect((await ctx.c.dispatcher.dispatchDue()).failed).toBe(1);
    expect((await panelRow(admin.agent, article, post))?.lastError).toBe(
      'Facebook a bloqué cette publication, qu’il juge contraire à ses règles (erreur 368). Message de Facebook : « It looks like you were misusing this feature by going too fast. ». Modifiez le texte ou l’image, puis renvoyez-la.',
    );
  });

  it('fails an invalid parameter (code 100) with Facebook’s message', async () => {
    peer.script.push({ status: 400, code: 100, message: '(#100) Invalid parameter' });
    const { post } = await socialPost(ctx, account, { title: 'Paramètre', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).lastError).toMatchObject({ code: 'facebook.invalid', values: { code: 100, detail: '(#100) Invalid parameter' } });
  });

  it('retries an unknown error (code 1) and a 5xx later', async () => {
    peer.script.push({ status: 500, code: 1, message: 'An unknown error has occurred.' }, { status: 503, code: 2, message: 'Service temporarily unavailable' });
    const { post } = await socialPost(ctx, account, { title: 'Panne', image: false });
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    ctx.clock.advance(minutes(2));
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    ctx.clock.advance(minutes(5));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
  });

  it('waits as long as Graph estimates when the Page is rate limited, and the account’s other posts with it', async () => {
    const usage = JSON.stringify({
      [peer.pageId]: [{ type: 'pages', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: 25 }],
    });
    peer.script.push({ status: 400, code: 32, message: 'Page request limit reached', headers: { 'x-business-use-case-usage': usage } });
    const now = ctx.clock.now();
    const a = await socialPost(ctx, account, { title: 'Limite', image: false });
    const b = await socialPost(ctx, account, { title: 'Attend', image: false, postAt: new Date(now.getTime() + minutes(1)) });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(a.post)).dueAt.getTime()).toBe(now.getTime() + minutes(25));
    expect((await statusOf(b.post)).dueAt.getTime()).toBe(now.getTime() + minutes(25));
    ctx.clock.advance(minutes(25));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(a.post)).status).toBe('sent');
    expect((await statusOf(b.post)).status).toBe('sent');
  });

  it('waits a whole hour when only the app’s usage header says the allowance is spent', async () => {
    peer.script.push({
      status: 400,
      code: 4,
      message: 'Application request limit reached',
      headers: { 'x-app-usage': JSON.stringify({ call_count: 100, total_time: 40, total_cputime: 30 }) },
    });
    const now = ctx.clock.now();
    const { post } = await socialPost(ctx, account, { title: 'Limite app', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).dueAt.getTime()).toBe(now.getTime() + minutes(60));
    ctx.clock.advance(minutes(60));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
  });
});

describe('a crash in the middle of a post', () => {
  const deadHolder = () => `${os.hostname()}-4194303-dead00`;

  it('finds the post a dead process had made among the Page’s posts, and never posts it twice', async () => {
    const { post, slug } = await socialPost(ctx, account, { title: 'Envoi interrompu', image: false });
    await ctx.c.dispatcher.dispatchDue();
    const made = peer.live().find((x) => x.message.includes(slug))!;
    await ctx.c.db('publications').where({ id: post }).update({ status: 'sending', claimed_by: deadHolder(), external_id: null, external_url: null });
    expect((await ctx.c.dispatcher.dispatchDue()).resumed).toBe(1);
    expect(await statusOf(post)).toMatchObject({ status: 'sent', externalId: made.id });
    expect(peer.live().filter((x) => x.message.includes(slug))).toHaveLength(1);
  });

  it('after a cut connection, looks the post up before sending again', async () => {
    peer.script.push({ status: 0, code: 0, afterCreate: true });
    const { post, slug } = await socialPost(ctx, account, { title: 'Réponse perdue', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect(peer.live().filter((x) => x.message.includes(slug))).toHaveLength(1);
    // The engine left it pending to retry; a crash at that moment would leave it sending.
    await ctx.c.db('publications').where({ id: post }).update({ status: 'sending', claimed_by: deadHolder() });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    expect(peer.live().filter((x) => x.message.includes(slug))).toHaveLength(1);
  });
});

describe('after the post', () => {
  it('brings back reactions, comments, shares and impressions, within the hourly call budget', async () => {
    ctx.clock.advance(minutes(61)); // an hour with no call to this Page yet
    const calls = peer.calls.length;
    const report = await ctx.c.metrics.collect();
    // Six calls an hour in this test: three posts get their two calls, the others wait for the next run.
    expect(report.fetched).toBe(3);
    expect(peer.calls.length - calls).toBeLessThanOrEqual(6);
    const first = (await ctx.c.db('publications').where({ channel: 'facebook', status: 'sent' }).orderBy('id').first('id')) as { id: number };
    expect((await ctx.c.publications.metricsOf(first.id))[0]?.metrics).toEqual({ reactions: 12, comments: 3, shares: 5, impressions: 321 });
  });

  it('keeps counting without impressions when the token may not read insights', async () => {
    peer.insightsGranted = false;
    ctx.clock.advance(minutes(61));
    await ctx.c.metrics.collect();
    const rows = await ctx.c.db('publications').where({ channel: 'facebook', status: 'sent' }).orderBy('id').select('id');
    const latest = await ctx.c.publications.metricsOf((rows.at(-1) as { id: number }).id);
    expect(latest[0]?.metrics).toEqual({ reactions: 12, comments: 3, shares: 5 });
  });

  it('shares the hour’s budget between processes: a second process finds it spent by the first and calls nothing', async () => {
    ctx.clock.advance(minutes(13 * 60)); // every post's figures are due again, and a new hour begins
    // Another process on the same database (the job runner beside the web server, a second machine).
    const other = createContainer(ctx.config, { clock: ctx.clock, log: pino({ level: 'silent' }) });
    other.adapters.register(new FacebookAdapter({ graphUrl: ctx.config.facebook.graphUrl, metricsSpacingMs: 0, metricsPerHour: 6 }));
    try {
      const calls = peer.calls.length;
      expect((await ctx.c.metrics.collect()).fetched).toBeGreaterThan(0);
      const spent = peer.calls.length;
      expect(spent - calls).toBe(6); // this hour's figures budget, spent by the first process
      expect((await other.metrics.collect()).fetched).toBe(0);
      expect(peer.calls.length).toBe(spent);
      const kept = await ctx.c.accounts.adapterState(account.id);
      expect((kept.graphBudget as { calls: number[] }).calls).toHaveLength(6);
      // The next hour, the other process takes its turn.
      ctx.clock.advance(minutes(61));
      expect((await other.metrics.collect()).fetched).toBeGreaterThan(0);
      expect(peer.calls.length).toBeGreaterThan(spent);
    } finally {
      await other.close();
    }
  });

  it('deletes the post from the Page when the officer retracts it', async () => {
    const { post } = await socialPost(ctx, account, { title: 'À retirer', image: false });
    await ctx.c.dispatcher.dispatchDue();
    const id = (await statusOf(post)).externalId!;
    await admin.agent.post(`/admin/publications/${post}`).type('form').send({ _csrf: admin.csrf, action: 'retract' }).expect(302);
    expect((await statusOf(post)).status).toBe('retracted');
    expect(peer.posts.find((x) => x.id === id)?.deleted).toBe(true);
  });
});

describe('the token’s end', () => {
  it('warns on the networks page and on the dashboard from a week before the token ends', async () => {
    ctx.clock.advance(days(54));
    const list = await admin.agent.get('/admin/networks');
    expect(list.text).toContain('L’autorisation prend fin le');
    expect(list.text).toContain('Accès aux données de la Page valable jusqu’au');
    const dashboard = await admin.agent.get('/admin');
    expect(dashboard.text).toContain('Mairie de Villeneuve');
    expect(dashboard.text).toContain('renouvelez');
  });

  it('shows the account disconnected when Facebook refuses the token (code 190), and its posts wait with the reconnect message', async () => {
    peer.tokens.delete('EAApage-token');
    const { article, post } = await socialPost(ctx, account, { title: 'Jeton révoqué', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.accounts.get(account.id))?.connection).toBe('disconnected');
    expect((await statusOf(post)).status).toBe('pending');
    expect((await panelRow(admin.agent, article, post))?.lastError).toContain('n’est plus autorisé à publier : un administrateur doit le reconnecter');
    expect((await admin.agent.get('/admin/networks')).text).toContain('Déconnecté');

    peer.tokens.set('EAAnew-token', { type: 'PAGE', expiresAt: 0, scopes: ['pages_manage_posts'] });
    const again = await connect({ pageId: peer.pageId, token: 'EAAnew-token', reconnect: String(account.id) }).redirects(0);
    expect(again.status).toBe(302);
    expect((await ctx.c.accounts.get(account.id))?.expiresAt).toBeNull(); // a Page token that never ends
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
  });

  it('warns a week before the access to the Page’s data ends, on the networks page and the dashboard, beside a token that never ends', async () => {
    const ends = (await ctx.c.accounts.get(account.id))!.dataAccessExpiresAt!;
    ctx.clock.set(new Date(ends.getTime() - days(5)));
    const list = await admin.agent.get('/admin/networks');
    expect(list.text).toContain('L’accès aux données de la Page prend fin le');
    expect(list.text).not.toContain('L’autorisation prend fin le');
    const dashboard = await admin.agent.get('/admin');
    expect(dashboard.text).toContain('l’accès aux données de la Page prend fin le');
    ctx.clock.set(new Date(ends.getTime() + 1000));
    expect((await admin.agent.get('/admin/networks')).text).toContain('L’accès aux données de la Page a pris fin le');
  });
});
