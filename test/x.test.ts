import { Writable } from 'node:stream';
import type TestAgent from 'supertest/lib/agent';
import { createLogger } from '../server/logger';
import { NetworkUnreachableError } from '../server/publishing/accounts.service';
import { XAdapter } from '../server/publishing/channels/x.adapter';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { near, rgbOf, shownAvatar } from './helpers/account-avatar';
import { networkPost } from './helpers/network-post';
import { redirectTo, startXPeer, type XPeer } from './helpers/x-peer';

/**
 * X through twitter-api-v2 itself, signed with OAuth 1.0a, its requests sent to a local server
 * speaking the X API v2 (the library's hosts are fixed: a plugin of the TEST redirects them).
 */
let peer: XPeer;
let ctx: TestContext;
let admin: { agent: TestAgent; csrf: string };
let accountId: number;
// Everything logged, through the production logger (its error serializer and redaction).
const logged: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logged.push(chunk.toString('utf8'));
    done();
  },
});

const pub = async (id: number) => (await ctx.c.publications.get(id))!;
const live = () => peer.tweets.filter((t) => !t.deleted);
async function panelError(article: number, post: number): Promise<string> {
  const res = await admin.agent.get(`/admin/articles/${article}/publications.json`);
  return (res.body as { publications: { id: number; lastError: string | null }[] }).publications.find((x) => x.id === post)?.lastError ?? '';
}
const form = (over: Record<string, string> = {}) => ({
  _csrf: admin.csrf,
  appKey: peer.app.key,
  appSecret: peer.app.secret,
  accessToken: peer.user.token,
  accessSecret: peer.user.tokenSecret,
  metrics: 'off',
  ...over,
});

beforeAll(async () => {
  peer = await startXPeer();
  ctx = await createTestContext({}, { log: createLogger('debug', sink), channels: [new XAdapter({ plugins: [redirectTo(peer.url)] })] });
  admin = await loginAs(ctx, 'admin');
});
afterAll(async () => {
  await ctx?.c.media.idle();
  await ctx?.close();
  await peer?.close();
});
beforeEach(() => {
  peer.script.length = 0;
});

describe('connecting an X account', () => {
  it('refuses keys X does not accept, without sending the secrets back', async () => {
    const wrong = await admin.agent
      .post('/admin/networks/connect/x')
      .type('form')
      .send(form({ accessSecret: 'pas-le-bon-secret' }));
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Le réseau a refusé ces informations.');
    expect(wrong.text).not.toContain('pas-le-bon-secret');
    expect(wrong.text).not.toContain(peer.app.secret);
  });

  it('checks the four keys with X, names the account, keeps them encrypted; figures are off by default', async () => {
    const page = await admin.agent.get('/admin/networks/connect/x');
    expect(page.text).toContain('Ne pas les récupérer (X facture chaque lecture)');
    const ok = await admin.agent.post('/admin/networks/connect/x').type('form').send(form()).redirects(0);
    expect(ok.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'x' }).first();
    accountId = row.id as number;
    expect(row.label).toBe('Mairie de Villeneuve (@VilleneuveMairie)');
    expect(String(row.credentials)).not.toContain(peer.user.tokenSecret);
    expect(JSON.parse(row.settings as string)).toMatchObject({ userId: peer.user.id, metrics: 'off' });
    await admin.agent.post(`/admin/networks/${accountId}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain('Connexion réussie : le réseau reconnaît le compte « Mairie de Villeneuve ».');
    // profile_image_url, fetched from X's picture host and kept by Crieur as a small WebP.
    const shown = await shownAvatar(admin.agent, accountId);
    expect(shown).toMatchObject({ type: 'image/webp', width: 96, height: 96 });
    expect(near(shown!.rgb, rgbOf('#0f1419'))).toBe(true);
  });
});

describe('when X cannot be reached', () => {
  it('says so when an account is connected, rather than blaming the keys', async () => {
    const nowhere = new XAdapter({ plugins: [redirectTo('http://127.0.0.1:9')] });
    const values = { appKey: peer.app.key, appSecret: peer.app.secret, accessToken: peer.user.token, accessSecret: peer.user.tokenSecret, metrics: 'off' };
    await expect(nowhere.connect.connect(values)).rejects.toBeInstanceOf(NetworkUnreachableError);
  });

  it('says so on the networks page when the connection is tested', async () => {
    peer.script.push({ route: 'GET /2/users/me', status: 503 });
    await admin.agent.post(`/admin/networks/${accountId}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    const page = await admin.agent.get('/admin/networks');
    expect(page.text).toContain('Le réseau est injoignable pour le moment.');
    expect((await ctx.c.accounts.get(accountId))?.connection).toBe('connected'); // not a revocation
  });
});

describe('posting', () => {
  it('uploads the picture, gives it its alt text, and posts the text with it', async () => {
    const { post, slug } = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Marché de Noël sur la place' });
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(2);
    const p = await pub(post);
    expect(p.status).toBe('sent');
    const tweet = peer.tweets.find((t) => t.id === p.externalId)!;
    expect(p.externalUrl).toBe(`https://x.com/VilleneuveMairie/status/${tweet.id}`);
    expect(tweet.text).toContain(`http://crieur.test/actualites/${slug}?ref=x`);
    expect(tweet.mediaIds).toHaveLength(1);
    const media = peer.media.get(tweet.mediaIds[0]!)!;
    expect(media.alt).toBe('Les chalets du marché de Noël sur la place de la mairie');
    expect(media.finalized).toBe(true);
    expect(media.bytes).toBeGreaterThan(1000);
  });

  it('posts a long text as a thread, each part replying to the one before, and resumes at the first unsent part', async () => {
    const long = Array.from(
      { length: 6 },
      (_, i) => `Point ${i + 1} du conseil municipal : la commune engage des travaux de rénovation énergétique dans l’école et la salle des fêtes.`,
    ).join(' ');
    // X fails the third part, after two went out.
    peer.script.push({ route: 'POST /2/tweets', status: 503, skip: 2 });
    const { post } = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Conseil municipal', text: long, asThread: true, picture: null });
    const before = peer.calls.length;
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('pending');
    const half = await ctx.c.publications.parts(post);
    expect(half).toHaveLength(2);
    expect(peer.calls.slice(before).filter((c) => c === 'POST /2/tweets')).toHaveLength(3);
    ctx.clock.advance(10 * 60_000);
    await ctx.c.dispatcher.dispatchDue();
    const p = await pub(post);
    expect(p.status).toBe('sent');
    const parts = await ctx.c.publications.parts(post);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const tweets = parts.map((x) => peer.tweets.find((t) => t.id === x.externalId)!);
    expect(tweets[0]!.replyTo).toBeNull();
    for (let i = 1; i < tweets.length; i++) expect(tweets[i]!.replyTo).toBe(tweets[i - 1]!.id);
    expect(new Set(live().map((t) => t.text)).size).toBe(live().length); // none twice
  });
});

describe('failures', () => {
  it('marks the account disconnected when X refuses its tokens, and its posts wait with the reconnect message', async () => {
    peer.revoke();
    try {
      const { article, post } = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Jetons révoqués', picture: null });
      await ctx.c.dispatcher.dispatchDue();
      expect((await ctx.c.accounts.get(accountId))?.connection).toBe('disconnected');
      expect((await pub(post)).status).toBe('pending');
      expect(await panelError(article, post)).toContain('n’est plus autorisé à publier : un administrateur doit le reconnecter');
      expect((await admin.agent.get('/admin/networks')).text).toContain('Déconnecté');
    } finally {
      (peer as unknown as { revoked: boolean }).revoked = false;
    }
    await admin.agent
      .post('/admin/networks/connect/x')
      .type('form')
      .send(form({ reconnect: String(accountId) }))
      .expect(302);
    await ctx.c.dispatcher.dispatchDue();
    expect(await ctx.c.db('publications').where({ account_id: accountId, status: 'pending' })).toHaveLength(0);
  });

  it('fails a duplicate text at once, explained in French', async () => {
    const text = 'Collecte des encombrants le 3 juin : sortez-les la veille au soir.';
    const first = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Encombrants', text, picture: null });
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(first.post)).status).toBe('sent');
    const again = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Encombrants (bis)', text, picture: null });
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(again.post)).status).toBe('failed');
    expect(await panelError(again.article, again.post)).toContain('X refuse ce texte : le compte a déjà publié exactement le même message.');
  });

  it('waits for the reset X gives on a 429', async () => {
    const reset = Math.floor(ctx.clock.now().getTime() / 1000) + 600;
    peer.script.push({
      route: 'POST /2/tweets',
      status: 429,
      headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
    });
    const { post } = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Limite X', picture: null });
    await ctx.c.dispatcher.dispatchDue();
    const waiting = await pub(post);
    expect(waiting.status).toBe('pending');
    expect(waiting.dueAt.getTime()).toBe(reset * 1000);
    ctx.clock.advance(600_000);
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('sent');
  });

  it('retries a 503; when X did post before failing, one look at the timeline avoids a second post', async () => {
    peer.script.push({ route: 'POST /2/tweets', status: 503, forward: true });
    const { post } = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Réponse perdue sur X & à Villeneuve' });
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).lastError).toMatchObject({ code: 'network.unavailable', values: { status: 503 } });
    const count = live().length;
    ctx.clock.advance(10 * 60_000);
    const before = peer.calls.length;
    await ctx.c.dispatcher.dispatchDue();
    const p = await pub(post);
    expect(p.status).toBe('sent');
    expect(live()).toHaveLength(count);
    const after = peer.calls.slice(before);
    expect(after.filter((c) => c === 'GET /2/users/:id/tweets')).toHaveLength(1);
    expect(after).not.toContain('POST /2/tweets');
  });

  it('after a crash mid-post, finds the post in the timeline instead of posting it again', async () => {
    const { post } = await networkPost(ctx, { id: accountId, channel: 'x' }, { title: 'Coupure pendant l’envoi sur X', picture: null });
    await ctx.c.dispatcher.dispatchDue();
    const sent = await pub(post);
    // As if the process had been killed after X accepted the post, before it was recorded.
    await ctx.c.db('publication_parts').where({ publication_id: post }).delete();
    await ctx.c.publications.patchAdapterState(post, { inFlight: 0 }, ctx.clock.now());
    await ctx.c
      .db('publications')
      .where({ id: post })
      .update({
        status: 'sending',
        claimed_by: 'dead-host:1',
        claimed_at: new Date(ctx.clock.now().getTime() - ctx.c.config.publishing.sendingTimeoutMs - 60_000).toISOString(),
        external_id: null,
        external_url: null,
      });
    const count = live().length;
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.resumed).toBe(1);
    const p = await pub(post);
    expect(p.status).toBe('sent');
    expect(p.externalId).toBe(sent.externalId);
    expect(live()).toHaveLength(count);
  });
});

describe('figures and retraction', () => {
  it('asks X for no figures while the setting is off, and for likes, reposts, replies, quotes and impressions once it is on', async () => {
    const sent = (await ctx.c.db('publications').where({ account_id: accountId, status: 'sent' }).first('id', 'external_id')) as {
      id: number;
      external_id: string;
    };
    peer.tweets.find((t) => t.id === sent.external_id)!.metrics = { like_count: 7, retweet_count: 2, reply_count: 1, quote_count: 1, impression_count: 340 };
    const before = peer.calls.length;
    await ctx.c.metrics.collect();
    expect(peer.calls.slice(before).filter((c) => c.startsWith('GET /2/tweets'))).toHaveLength(0); // no billed read
    expect(await ctx.c.publications.metricsOf(sent.id)).toHaveLength(0);

    await admin.agent
      .post('/admin/networks/connect/x')
      .type('form')
      .send(form({ metrics: 'daily', reconnect: String(accountId) }))
      .expect(302);
    await ctx.c.metrics.collect();
    expect((await ctx.c.publications.metricsOf(sent.id))[0]?.metrics).toEqual({ likes: 7, reposts: 2, replies: 1, quotes: 1, impressions: 340 });
  });

  it('reads them once a week when the account asks for that cadence', async () => {
    await admin.agent
      .post('/admin/networks/connect/x')
      .type('form')
      .send(form({ metrics: 'weekly', reconnect: String(accountId) }))
      .expect(302);
    const sent = (await ctx.c.db('publications').where({ account_id: accountId, status: 'sent' }).first('id')) as { id: number };
    const reads = () => peer.calls.filter((c) => c === 'GET /2/tweets/:id').length;
    const before = reads();
    ctx.clock.advance(86_400_000); // a day after the last read: not yet a week
    await ctx.c.metrics.collect();
    expect(reads()).toBe(before);
    ctx.clock.advance(6 * 86_400_000); // a week after it
    await ctx.c.metrics.collect();
    expect(reads()).toBeGreaterThan(before);
    expect((await ctx.c.publications.metricsOf(sent.id)).length).toBeGreaterThanOrEqual(2);
  });

  it('deletes the post on X when it is retracted', async () => {
    const sent = (await ctx.c.db('publications').where({ account_id: accountId, status: 'sent' }).first('id', 'external_id')) as {
      id: number;
      external_id: string;
    };
    await ctx.c.publishing.retract(sent.id, { id: null, label: 'test' });
    expect((await pub(sent.id)).status).toBe('retracted');
    expect(peer.tweets.find((t) => t.id === sent.external_id)?.deleted).toBe(true);
  });
});

describe('the logs', () => {
  it('hold none of the four keys, though failures were logged', () => {
    const all = logged.join('');
    expect(all).toContain('x post not accepted');
    for (const secret of [peer.app.secret, peer.user.token, peer.user.tokenSecret, 'pas-le-bon-secret']) expect(all).not.toContain(secret);
  });
});
