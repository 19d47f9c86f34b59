import type TestAgent from 'supertest/lib/agent';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { PigeonAdapter } from './fixtures/pigeon.adapter';
import type { ChannelAdapter } from '../server/publishing/channels/channel-adapter';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { pigeonArticle } from './helpers/pigeon-articles';
import { startPigeonPeer, type PigeonPeer } from './helpers/pigeon-peer';

/**
 * The channel contract, driven through a network the program has never heard of: "Pigeon" is one
 * adapter file (test/fixtures/pigeon.adapter.ts) and its registration, spoken to over HTTP by a
 * local peer. Connecting it, every publish outcome, its ports and its figures go through the
 * engine's generic code only.
 */
let peer: PigeonPeer;
let ctx: TestContext;
let admin: { agent: TestAgent; csrf: string };
let accountId: number;

const minutes = (m: number) => m * 60_000;

/** A published article with a picture, its site page at `siteAt` and a Pigeon post due at `pigeonAt`. */
const articleWithPost = (siteAt: Date, pigeonAt: Date, title = 'Marché de Noël') => pigeonArticle(ctx, accountId, siteAt, pigeonAt, title);

const statusOf = async (id: number) => (await ctx.c.publications.get(id))!;

/** The same network connected by pasting a token (the "form" way), for the connect form's path. */
function pigeonPost(base: string): ChannelAdapter {
  const pigeon = new PigeonAdapter(base);
  return Object.assign(Object.create(pigeon) as PigeonAdapter, {
    channel: 'pigeon-post',
    label: 'Pigeon (jeton)',
    connect: {
      kind: 'form' as const,
      fields: [{ name: 'token', label: 'Jeton d’accès', secret: true }],
      connect: async (values: Record<string, string>, signal: AbortSignal) => {
        const res = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${values.token}` }, signal });
        if (!res.ok) throw new Error(`identity refused: ${res.status}`);
        const me = (await res.json()) as { name: string };
        return { label: me.name, settings: {}, credentials: { accessToken: values.token, refreshToken: '' } };
      },
    },
  });
}

beforeAll(async () => {
  peer = await startPigeonPeer();
  ctx = await createTestContext({}, { channels: [new PigeonAdapter(peer.url), pigeonPost(peer.url)] });
  peer.now = () => ctx.clock.now().getTime();
  admin = await loginAs(ctx, 'admin');
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
  await peer.close();
});

describe('connecting an account of a network through OAuth', () => {
  it('lists the network, sends the administrator to authorize, and stores the account with encrypted tokens', async () => {
    const page = await admin.agent.get('/admin/networks');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Connecter un compte Pigeon');
    const form = await admin.agent.get('/admin/networks/connect/pigeon');
    expect(form.text).toContain('Nom du pigeonnier');

    const empty = await admin.agent.post('/admin/networks/connect/pigeon').type('form').send({ _csrf: admin.csrf, nest: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Ce champ est obligatoire.');

    const go = await admin.agent.post('/admin/networks/connect/pigeon').type('form').send({ _csrf: admin.csrf, nest: 'villeneuve' });
    expect(go.status).toBe(200);
    const link = /href="(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?[^"]+)"/.exec(go.text)![1]!.replace(/&amp;/g, '&');
    const state = new URL(link).searchParams.get('state')!;
    expect(new URL(link).searchParams.get('redirect_uri')).toBe('http://crieur.test/admin/networks/oauth/callback');

    // A forged state is refused, and adds nothing.
    const forged = await admin.agent.get('/admin/networks/oauth/callback?state=forged&code=good-code');
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('Cette autorisation ne correspond à aucune connexion en cours');

    const again = await admin.agent.post('/admin/networks/connect/pigeon').type('form').send({ _csrf: admin.csrf, nest: 'villeneuve' });
    const state2 = new URL(/href="([^"]+oauth\/authorize[^"]+)"/.exec(again.text)![1]!.replace(/&amp;/g, '&')).searchParams.get('state')!;
    expect(state2).not.toBe(state);
    const back = await admin.agent.get(`/admin/networks/oauth/callback?state=${state2}&code=good-code`).redirects(0);
    expect(back.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'pigeon' }).first();
    accountId = row.id as number;
    expect(row.label).toBe('@villeneuve');
    expect(String(row.credentials)).not.toContain('access-');
    expect((await ctx.c.accounts.credentials(accountId))?.accessToken).toMatch(/^access-/);
    const list = await admin.agent.get('/admin/networks');
    expect(list.text).toContain('Le compte est connecté.');
    expect(list.text).toContain('@villeneuve');
  });

  it('tests the connection and shows the name the network gives', async () => {
    await admin.agent.post(`/admin/networks/${accountId}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain('Connexion réussie : le réseau reconnaît le compte « Mairie de Villeneuve ».');
  });

  it('is for administrators only', async () => {
    const editor = await loginAs(ctx, 'editor');
    expect((await editor.agent.get('/admin/networks')).status).toBe(403);
    expect((await editor.agent.post('/admin/networks/connect/pigeon').type('form').send({ _csrf: editor.csrf, nest: 'x' })).status).toBe(403);
  });
});

describe('connecting an account through the network’s own form', () => {
  it('checks the pasted token with the network, names the account from it, and refuses a wrong one', async () => {
    const t = peer.issue();
    const wrong = await admin.agent.post('/admin/networks/connect/pigeon-post').type('form').send({ _csrf: admin.csrf, token: 'not-a-token' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Le réseau a refusé ces informations. Vérifiez-les, puis réessayez.');
    expect(wrong.text).not.toContain('not-a-token'); // a secret field is never sent back
    const ok = await admin.agent.post('/admin/networks/connect/pigeon-post').type('form').send({ _csrf: admin.csrf, token: t.access }).redirects(0);
    expect(ok.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'pigeon-post' }).first();
    expect(row.label).toBe('Mairie de Villeneuve');
    expect((await ctx.c.accounts.credentials(row.id as number))?.accessToken).toBe(t.access);
  });
});

describe('a publication through every outcome', () => {
  it('waits for the site page, then posts with the link (ref=pigeon) and the picture with its alt text', async () => {
    const now = ctx.clock.now();
    const { site, post } = await articleWithPost(new Date(now.getTime() + minutes(10)), now, 'Marché de Noël');
    const first = await ctx.c.dispatcher.dispatchDue();
    expect(first.waiting).toBe(1);
    expect((await statusOf(post)).lastError?.code).toBe('publication.waiting_site_page');
    expect(peer.posts).toHaveLength(0);

    ctx.clock.advance(minutes(10));
    const second = await ctx.c.dispatcher.dispatchDue();
    expect(second.sent).toBe(2); // the page, then the post released in the same run
    expect((await statusOf(site)).status).toBe('sent');
    const p = await statusOf(post);
    expect(p.status).toBe('sent');
    expect(p.externalUrl).toMatch(/^https:\/\/pigeon\.invalid\/p\d+$/);
    const sent = peer.posts.at(-1)!;
    // The engine composed it: title, summary, link with ref=pigeon, within Pigeon's 60.
    expect(sent.text).toMatch(/^Marché de Noël\n\nRésumé\n\nhttp:\/\/crieur\.test\/actualites\/[\w-]+\?ref=pigeon$/);
    expect(sent.image?.alt).toBe('Les chalets du marché sur la place');
    expect(sent.image?.bytes).toBeGreaterThan(1000);
  });

  it('retries a passing error later, and the English admin says so in English', async () => {
    const now = ctx.clock.now();
    const { article, post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Concert');
    peer.script.push(503);
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    expect((await statusOf(post)).status).toBe('pending');

    const { agent } = admin;
    await agent.post('/admin/account/locale').type('form').send({ _csrf: admin.csrf, locale: 'en' }).expect(302);
    try {
      const json = (await agent.get(`/admin/articles/${article}/publications.json`)).body as { publications: { id: number; lastError: string | null }[] };
      expect(json.publications.find((x) => x.id === post)?.lastError).toBe(
        'The network is not answering at the moment (error 503). Another attempt is planned (1/5).',
      );
    } finally {
      await agent.post('/admin/account/locale').type('form').send({ _csrf: admin.csrf, locale: 'fr' }).expect(302);
    }
    ctx.clock.advance(minutes(10));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await statusOf(post)).status).toBe('sent');
  });

  it('holds the whole account until a rate limit resets', async () => {
    const now = ctx.clock.now();
    const a = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Vœux du maire');
    const b = await articleWithPost(new Date(now.getTime() - minutes(1)), new Date(now.getTime() + minutes(2)), 'Galette des rois');
    peer.script.push(429);
    await ctx.c.dispatcher.dispatchDue();
    const first = await statusOf(a.post);
    expect(first.status).toBe('pending');
    expect(first.attempts).toBe(0); // the network said when to come back: no attempt spent
    const reset = Math.floor(now.getTime() / 1000) * 1000 + minutes(10); // the network's x-ratelimit-reset
    expect(first.dueAt.getTime()).toBe(reset);
    expect((await statusOf(b.post)).dueAt.getTime()).toBe(reset);

    // A post that becomes due after the answer waits for the reset too, without being sent or
    // spending an attempt; after the reset, all three go.
    const before = peer.posts.length;
    const c = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Repas des aînés');
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.waiting).toBe(1);
    expect(report.sent).toBe(1); // its site page only
    expect(peer.posts.length).toBe(before);
    expect(await statusOf(c.post)).toMatchObject({ status: 'pending', attempts: 0, lastError: { code: 'network.rate_limited' } });
    expect((await statusOf(c.post)).dueAt.getTime()).toBe(reset);

    ctx.clock.set(new Date(reset));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(3);
    expect(peer.posts.length).toBe(before + 3);
  });

  it('never fails a post because the network asked to wait, however many times in a row', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Fête de la musique');
    const before = peer.posts.length;
    for (let i = 0; i <= ctx.c.config.publishing.maxAttempts; i++) {
      peer.script.push(429);
      await ctx.c.dispatcher.dispatchDue();
      expect(await statusOf(post)).toMatchObject({ status: 'pending', attempts: 0 });
      ctx.clock.set((await statusOf(post)).dueAt);
    }
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect(peer.posts.length).toBe(before + 1);
  });

  it('tries a passing error again at the time the network gives, not on the engine’s backoff', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Brocante');
    peer.script.push(503);
    peer.retryAfterSeconds = 7200;
    try {
      expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    } finally {
      peer.retryAfterSeconds = null;
    }
    const waiting = await statusOf(post);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'network.unavailable', values: { status: 503 } } });
    expect(waiting.dueAt.getTime()).toBe(now.getTime() + minutes(120));
    ctx.clock.advance(minutes(119));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(0);
    ctx.clock.advance(minutes(1));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await statusOf(post)).status).toBe('sent');
  });

  it('fails at once on a permanent refusal', async () => {
    await ctx.c.db('publications').where({ account_id: accountId, status: 'pending' }).update({ status: 'cancelled' });
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Refusé');
    peer.script.push(422);
    expect((await ctx.c.dispatcher.dispatchDue()).failed).toBe(1);
    const p = await statusOf(post);
    expect(p.status).toBe('failed');
    expect(p.lastError).toMatchObject({ code: 'network.refused', values: { status: 422 } });
  });

  it('becomes sent when a channel that queued it reports delivery, and is never marked uncertain meanwhile', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Lettre');
    peer.script.push(202);
    expect((await ctx.c.dispatcher.dispatchDue()).queued).toBe(1);
    expect((await statusOf(post)).status).toBe('queued');
    ctx.clock.advance(ctx.c.config.publishing.sendingTimeoutMs * 3);
    expect((await ctx.c.dispatcher.dispatchDue()).uncertain).toBe(0);
    expect((await statusOf(post)).status).toBe('queued');
    expect(await ctx.c.publishing.reportDelivery(post, { ok: true, externalId: 'campaign-1', url: null })).toBe(true);
    expect((await statusOf(post)).status).toBe('sent');
    expect(await ctx.c.publishing.reportDelivery(post, { ok: true, externalId: 'campaign-1', url: null })).toBe(false);
  });

  it('refreshes an expired token, writes it back encrypted, and posts with it', async () => {
    const before = await ctx.c.accounts.credentials(accountId);
    peer.validTokens.delete(String(before?.accessToken)); // the access token expired; the refresh token still works
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Jeton renouvelé');
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(2); // the site page, then the post
    expect((await statusOf(post)).status).toBe('sent');
    const after = await ctx.c.accounts.credentials(accountId);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(peer.posts.at(-1)!.token).toBe(after?.accessToken);
    const raw = await ctx.c.db('channel_accounts').where({ id: accountId }).first('credentials');
    expect(String(raw.credentials)).not.toContain(String(after?.accessToken));
  });

  it('posts a thread part by part; cut off after part 2 by a 503, the retry resumes at part 3 and never posts 1 and 2 again', async () => {
    const now = ctx.clock.now();
    const { post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Conseil municipal');
    const text = 'Le conseil municipal se réunit jeudi soir. La séance est publique et ouverte à tous. Ordre du jour : budget et travaux de la place.';
    await ctx.c.publications.transition(post, ['pending'], { textVariant: text, asThread: true }, now);
    const before = peer.posts.length;
    peer.script.push(200, 200, 503);
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    expect(peer.posts.slice(before).map((p) => p.text)).toEqual([
      'Le conseil municipal se réunit jeudi soir. (1/3)',
      'La séance est publique et ouverte à tous. (2/3)',
    ]);
    const parts = await ctx.c.publications.parts(post);
    expect(parts.map((x) => [x.index, x.externalId])).toEqual([
      [0, peer.posts[before]!.id],
      [1, peer.posts[before + 1]!.id],
    ]);
    expect((await statusOf(post)).status).toBe('pending');

    ctx.clock.advance(minutes(10));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    const mine = peer.posts.slice(before);
    expect(mine).toHaveLength(3);
    expect(mine[2]).toMatchObject({ text: 'Ordre du jour : budget et travaux de la place. (3/3)', replyTo: mine[1]!.id });
    expect(mine[1]!.replyTo).toBe(mine[0]!.id);
    expect(mine[0]!.image?.alt).toBe('Les chalets du marché sur la place'); // the picture goes with the first part only
    expect(mine[1]!.image).toBeNull();
    const done = await statusOf(post);
    expect(done).toMatchObject({ status: 'sent', externalId: mine[0]!.id });
    expect((await ctx.c.publications.parts(post)).map((x) => x.index)).toEqual([0, 1, 2]);
  });

  it('keeps an adapter’s own state across calls (written before the network call it protects)', async () => {
    const now = ctx.clock.now();
    const { article, post } = await articleWithPost(new Date(now.getTime() - minutes(1)), new Date(now.getTime() + minutes(60)), 'État');
    const ports = ctx.c.channelPorts((await ctx.c.publishable(article))!, { id: post, channel: 'pigeon', accountId });
    expect(await ports.state.get()).toEqual({});
    await ports.state.set({ rkey: '3k2abc', idempotency: 'key-1' });
    await ports.state.set({ idempotency: null, cid: 'bafy' });
    expect(await ports.state.get()).toEqual({ rkey: '3k2abc', cid: 'bafy' });
    await ctx.c.publications.transition(post, ['pending'], { status: 'cancelled' }, now);
  });

  it('marks a revoked account, keeps its posts waiting with a message, and sends them once it is reconnected', async () => {
    peer.revokeAll();
    const now = ctx.clock.now();
    const { article, post } = await articleWithPost(new Date(now.getTime() - minutes(1)), now, 'Compte révoqué');
    expect((await ctx.c.dispatcher.dispatchDue()).waiting).toBeGreaterThanOrEqual(1);
    expect((await ctx.c.accounts.get(accountId))?.connection).toBe('disconnected');
    const waiting = await statusOf(post);
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBe(0);
    const panel = await admin.agent.get(`/admin/articles/${article}/publications.json`);
    expect((panel.body as { publications: { id: number; lastError: string }[] }).publications.find((x) => x.id === post)?.lastError).toContain(
      'n’est plus autorisé à publier : un administrateur doit le reconnecter',
    );
    const list = await admin.agent.get('/admin/networks');
    expect(list.text).toContain('Déconnecté');

    // Reconnecting through the same OAuth flow releases what waited.
    const go = await admin.agent
      .post('/admin/networks/connect/pigeon')
      .type('form')
      .send({ _csrf: admin.csrf, nest: 'villeneuve', reconnect: String(accountId) });
    const state = new URL(/href="([^"]+oauth\/authorize[^"]+)"/.exec(go.text)![1]!.replace(/&amp;/g, '&')).searchParams.get('state')!;
    await admin.agent.get(`/admin/networks/oauth/callback?state=${state}&code=good-code`).expect(302);
    expect((await ctx.c.accounts.get(accountId))?.connection).toBe('connected');
    expect((await ctx.c.db('channel_accounts').where({ channel: 'pigeon' }).whereNull('removed_at')).length).toBe(1);
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await statusOf(post)).status).toBe('sent');
  });
});

describe('what the engine does for every channel', () => {
  it('refuses a text longer than the network allows, counted its way, next to the field', async () => {
    const article = await makeArticle(ctx.c, { status: 'draft', title: 'Texte trop long' });
    const page = await admin.agent.get(`/admin/articles/${article}/channels`);
    const long = 'é'.repeat(61); // 61 graphemes: over Pigeon's 60
    const res = await admin.agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), [`channel_${accountId}_enabled`]: 'on', [`channel_${accountId}_text`]: long });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Le texte est trop long pour Pigeon : 61 caractères pour 60 au plus.');
    const ok = await admin.agent
      .post(`/admin/articles/${article}/channels`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), [`channel_${accountId}_enabled`]: 'on', [`channel_${accountId}_text`]: 'é'.repeat(60) });
    expect(ok.status).toBe(302);
  });

  it('brings back each post’s figures at the network’s cadence, with their time', async () => {
    const first = await ctx.c.metrics.collect();
    expect(first.fetched).toBeGreaterThan(0);
    const sentPost = (await ctx.c.db('publications').where({ channel: 'pigeon', status: 'sent' }).first('id')) as { id: number };
    expect((await ctx.c.publications.metricsOf(sentPost.id))[0]?.metrics).toEqual({ likes: 3, reposts: 1 });
    expect((await ctx.c.metrics.collect()).fetched).toBe(0); // within the hour: nothing asked again
    ctx.clock.advance(minutes(61));
    expect((await ctx.c.metrics.collect()).fetched).toBe(first.fetched);
    expect(await ctx.c.publications.metricsOf(sentPost.id)).toHaveLength(2);
  });

  it('keeps the history of a removed account: its posts stay, it is no longer offered', async () => {
    const confirm = await admin.agent.get(`/admin/networks/${accountId}/remove`);
    expect(confirm.text).toContain('Ce qu’il a déjà publié reste dans l’historique des articles.');
    const sentBefore = await ctx.c.db('publications').where({ account_id: accountId, status: 'sent' }).count({ n: '*' }).first();
    await admin.agent.post(`/admin/networks/${accountId}/remove`).type('form').send({ _csrf: admin.csrf }).expect(302);
    const sentAfter = await ctx.c.db('publications').where({ account_id: accountId, status: 'sent' }).count({ n: '*' }).first();
    expect(Number(sentAfter?.n)).toBe(Number(sentBefore?.n));
    expect(Number(sentAfter?.n)).toBeGreaterThan(0);
    expect((await ctx.c.accounts.get(accountId))?.removedAt).not.toBeNull();
    expect(await ctx.c.accounts.credentials(accountId)).toBeNull();
    expect((await ctx.c.publishing.channels(await makeArticle(ctx.c))).map((ch) => ch.account.id)).not.toContain(accountId);
    expect((await admin.agent.get('/admin/networks')).text).not.toContain('@villeneuve');
  });

  it('ships no test channel: a container built as npm start builds it knows the real channels only', async () => {
    const config = loadConfig({
      DATA_DIR: ctx.dir,
      DATABASE_URL: `sqlite:${ctx.dir}/other.sqlite`,
      SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    });
    const c = createContainer(config, { log: pino({ level: 'silent' }) });
    try {
      expect(c.adapters.channels()).toEqual(expect.arrayContaining(['site', 'newsletter', 'mastodon', 'facebook', 'bluesky', 'x']));
      expect(c.adapters.channels()).not.toContain('test');
    } finally {
      await c.close();
    }
  });
});
