import { Writable } from 'node:stream';
import type TestAgent from 'supertest/lib/agent';
import { createLogger } from '../server/logger';
import { BlueskyAdapter } from '../server/publishing/channels/bluesky.adapter';
import { nextTid } from '../server/publishing/channels/bluesky.tid';
import { near, rgbOf, shownAvatar } from './helpers/account-avatar';
import { startAppView, type LocalAppView } from './helpers/bluesky-appview';
import { startLocalPds, type LocalPds } from './helpers/bluesky-pds';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { networkPost } from './helpers/network-post';

/**
 * Bluesky through a REAL Personal Data Server on 127.0.0.1 (@atproto/pds, the software Bluesky
 * runs), driven by @atproto/api as in production. Failures the server cannot be asked to make
 * (a 429, a 503, an answer lost after the post was stored) are played by the door in front of it;
 * likes and reposts come from a local AppView stand-in.
 */
jest.setTimeout(60_000);

let pds: LocalPds;
let appview: LocalAppView;
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
const sessions: string[] = [];

type Record_ = {
  text: string;
  facets?: { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri?: string; tag?: string }[] }[];
  embed?: {
    $type: string;
    images?: { alt: string; aspectRatio: { width: number; height: number }; image: { ref: { toString(): string }; size: number; mimeType: string } }[];
    external?: { uri: string; title: string; description: string; thumb?: { ref: { toString(): string }; mimeType: string } };
  };
  reply?: { root: { uri: string }; parent: { uri: string } };
};

const pub = async (id: number) => (await ctx.c.publications.get(id))!;
const rkeyOf = (uri: string) => uri.split('/').pop()!;
async function recordAt(uri: string): Promise<Record_> {
  const res = await pds.agent.com.atproto.repo.getRecord({ repo: pds.did, collection: 'app.bsky.feed.post', rkey: rkeyOf(uri) });
  return res.data.value as unknown as Record_;
}
async function panelError(article: number, post: number): Promise<string> {
  const res = await admin.agent.get(`/admin/articles/${article}/publications.json`);
  return (res.body as { publications: { id: number; lastError: string | null }[] }).publications.find((x) => x.id === post)?.lastError ?? '';
}
async function setEmbed(embed: 'image' | 'card') {
  const row = (await ctx.c.db('channel_accounts').where({ id: accountId }).first('settings')) as { settings: string };
  await ctx.c
    .db('channel_accounts')
    .where({ id: accountId })
    .update({ settings: JSON.stringify({ ...JSON.parse(row.settings), embed }) });
}

beforeAll(async () => {
  [pds, appview] = await Promise.all([startLocalPds(), startAppView()]);
  ctx = await createTestContext({}, { log: createLogger('debug', sink), channels: [new BlueskyAdapter({ appViewUrl: appview.url })] });
  admin = await loginAs(ctx, 'admin');
});
afterAll(async () => {
  await ctx?.c.media.idle();
  await ctx?.close();
  await appview?.close();
  await pds?.close();
});
beforeEach(() => {
  pds.script.length = 0;
});

describe('connecting a Bluesky account', () => {
  it('refuses a wrong app password and the account’s own password, and never sends them back', async () => {
    const form = await admin.agent.get('/admin/networks/connect/bluesky');
    expect(form.text).toContain('Mot de passe d’application');
    const wrong = await admin.agent
      .post('/admin/networks/connect/bluesky')
      .type('form')
      .send({ _csrf: admin.csrf, handle: pds.handle, appPassword: 'aaaa-bbbb-cccc-dddd', service: pds.url, embed: 'image' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Le réseau a refusé ces informations.');
    expect(wrong.text).not.toContain('aaaa-bbbb-cccc-dddd');
    const own = await admin.agent
      .post('/admin/networks/connect/bluesky')
      .type('form')
      .send({ _csrf: admin.csrf, handle: pds.handle, appPassword: pds.password, service: pds.url, embed: 'image' });
    expect(own.status).toBe(400);
    expect(await ctx.c.db('channel_accounts').where({ channel: 'bluesky' })).toHaveLength(0);
  });

  it('points at the server field when its address is not a web address', async () => {
    for (const service of ['ftp://bsky.social', 'http://', 'https://exa mple.fr']) {
      const res = await admin.agent
        .post('/admin/networks/connect/bluesky')
        .type('form')
        .send({ _csrf: admin.csrf, handle: pds.handle, appPassword: pds.appPassword, service, embed: 'image' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('Indiquez l’adresse web du serveur, par exemple https://bsky.social.');
      expect(res.text).toContain('aria-invalid="true"');
    }
  });

  it('says so when the server cannot be reached', async () => {
    const res = await admin.agent
      .post('/admin/networks/connect/bluesky')
      .type('form')
      .send({ _csrf: admin.csrf, handle: pds.handle, appPassword: pds.appPassword, service: 'http://127.0.0.1:9', embed: 'image' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(600);
    expect(res.text).toContain('Le réseau ne répond pas');
  });

  it('logs in with the handle and app password, names the account from its profile, keeps the session encrypted', async () => {
    const ok = await admin.agent
      .post('/admin/networks/connect/bluesky')
      .type('form')
      .send({ _csrf: admin.csrf, handle: `@${pds.handle}`, appPassword: pds.appPassword, service: pds.url, embed: 'image' })
      .redirects(0);
    expect(ok.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'bluesky' }).first();
    accountId = row.id as number;
    expect(row.label).toBe(`Mairie de Villeneuve (@${pds.handle})`);
    expect(String(row.credentials)).not.toContain(pds.appPassword);
    const creds = (await ctx.c.accounts.credentials(accountId)) as { appPassword: string; session: { accessJwt: string; did: string } };
    expect(creds.appPassword).toBe(pds.appPassword);
    expect(creds.session.did).toBe(pds.did);
    expect(String(row.credentials)).not.toContain(creds.session.accessJwt);
    sessions.push(creds.session.accessJwt);

    await admin.agent.post(`/admin/networks/${accountId}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain('Connexion réussie : le réseau reconnaît le compte « Mairie de Villeneuve ».');
    // The profile's picture: the blob the PDS serves (com.atproto.sync.getBlob), kept by Crieur as a small WebP.
    const shown = await shownAvatar(admin.agent, accountId);
    expect(shown).toMatchObject({ type: 'image/webp', width: 96, height: 96 });
    expect(near(shown!.rgb, rgbOf('#0085ff'))).toBe(true);
  });
});

describe('when the server cannot be reached', () => {
  it('says so on the networks page when the connection is tested, without disconnecting the account', async () => {
    pds.script.push({ method: 'com.atproto.server.getSession', status: 503, body: { error: 'NotEnoughResources', message: 'Service Unavailable' } });
    await admin.agent.post(`/admin/networks/${accountId}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain('Le réseau est injoignable pour le moment.');
    expect((await ctx.c.accounts.get(accountId))?.connection).toBe('connected');
  });
});

describe('posting', () => {
  it('posts the picture with its alt text and proportions, links and hashtags clickable at the right bytes', async () => {
    const text = 'Fête de l’été à Villeneuve : bal, crêpes et défilé aux lampions ! http://crieur.test/actualites/fete?ref=bluesky #FêteDeLÉté #Villeneuve';
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Fête de l’été', text });
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.sent).toBe(2); // the site page, then the post
    const p = await pub(post);
    expect(p.status).toBe('sent');
    expect(p.externalId).toMatch(new RegExp(`^at://${pds.did}/app\\.bsky\\.feed\\.post/`));
    expect(p.externalUrl).toBe(`https://bsky.app/profile/${pds.handle}/post/${rkeyOf(p.externalId!)}`);

    const record = await recordAt(p.externalId!);
    expect(record.text).toBe(text);
    const image = record.embed?.images?.[0];
    expect(record.embed?.$type).toBe('app.bsky.embed.images');
    expect(image?.alt).toBe('Les chalets du marché de Noël sur la place de la mairie');
    expect(image!.aspectRatio.width / image!.aspectRatio.height).toBeCloseTo(16 / 9, 2);
    expect(image!.image.size).toBeLessThanOrEqual(1_000_000);

    // Facets count UTF-8 bytes: every accented letter before a link shifts it by one more byte.
    const bytes = Buffer.from(record.text, 'utf8');
    const slice = (f: { index: { byteStart: number; byteEnd: number } }) => bytes.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8');
    const link = record.facets!.find((f) => f.features[0]!.$type === 'app.bsky.richtext.facet#link')!;
    expect(slice(link)).toBe('http://crieur.test/actualites/fete?ref=bluesky');
    expect(link.features[0]!.uri).toBe('http://crieur.test/actualites/fete?ref=bluesky');
    expect(link.index.byteStart).toBe(Buffer.byteLength(text.slice(0, text.indexOf('http'))));
    expect(link.index.byteStart).toBeGreaterThan(text.indexOf('http')); // accents before it
    const tags = record.facets!.filter((f) => f.features[0]!.$type === 'app.bsky.richtext.facet#tag');
    expect(tags.map((f) => f.features[0]!.tag)).toEqual(['FêteDeLÉté', 'Villeneuve']);
    expect(tags.map(slice)).toEqual(['#FêteDeLÉté', '#Villeneuve']);
  });

  it('re-encodes a picture over 1 MB before sending it', async () => {
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Photo lourde', picture: 'heavy' });
    await ctx.c.dispatcher.dispatchDue();
    const p = await pub(post);
    expect(p.status).toBe('sent');
    const image = (await recordAt(p.externalId!)).embed!.images![0]!;
    expect(image.image.size).toBeLessThanOrEqual(1_000_000);
    expect(image.aspectRatio.width / image.aspectRatio.height).toBeCloseTo(1.5, 2);
    const blob = await pds.agent.com.atproto.sync.getBlob({ did: pds.did, cid: image.image.ref.toString() });
    expect(blob.data.length).toBe(image.image.size);
  });

  it('posts a link card with the article’s title, summary and thumbnail when the account asks for cards', async () => {
    await setEmbed('card');
    try {
      const { post, slug } = await networkPost(
        ctx,
        { id: accountId, channel: 'bluesky' },
        { title: 'Travaux rue des Écoles', summary: 'La rue est fermée une semaine.' },
      );
      await ctx.c.dispatcher.dispatchDue();
      const p = await pub(post);
      expect(p.status).toBe('sent');
      const record = await recordAt(p.externalId!);
      expect(record.embed?.$type).toBe('app.bsky.embed.external');
      expect(record.embed?.external).toMatchObject({
        uri: `http://crieur.test/actualites/${slug}?ref=bluesky`,
        title: 'Travaux rue des Écoles',
        description: 'La rue est fermée une semaine.',
      });
      expect(record.embed?.external?.thumb?.mimeType).toBe('image/jpeg');
      // The generated text carries the link, clickable.
      expect(record.text).toContain(`http://crieur.test/actualites/${slug}?ref=bluesky`);
      expect(record.facets?.some((f) => f.features[0]!.uri === `http://crieur.test/actualites/${slug}?ref=bluesky`)).toBe(true);
    } finally {
      await setEmbed('image');
    }
  });
});

describe('failures', () => {
  it('fails a refused text at once, with the network’s reason in French', async () => {
    pds.script.push({
      method: 'com.atproto.repo.createRecord',
      status: 400,
      body: { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes' },
    });
    const { article, post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Texte refusé' });
    expect((await ctx.c.dispatcher.dispatchDue()).failed).toBe(1);
    expect((await pub(post)).status).toBe('failed');
    expect(await panelError(article, post)).toContain('Bluesky refuse ce texte : il dépasse 300 caractères');
  });

  it('waits for the reset time the network gives on a rate limit, then posts', async () => {
    const reset = Math.floor(ctx.clock.now().getTime() / 1000) + 900;
    pds.script.push({
      method: 'com.atproto.repo.createRecord',
      status: 429,
      headers: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) },
      body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
    });
    const before = (await pds.posts()).length;
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Limite atteinte' });
    await ctx.c.dispatcher.dispatchDue();
    const waiting = await pub(post);
    expect(waiting.status).toBe('pending');
    expect(waiting.dueAt.getTime()).toBe(reset * 1000);
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(0); // not before the reset
    ctx.clock.advance(900_000);
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('sent');
    expect((await pds.posts()).length).toBe(before + 1);
  });

  it('retries a 503 later', async () => {
    pds.script.push({ method: 'com.atproto.repo.createRecord', status: 503, body: { error: 'NotEnoughResources', message: 'Service Unavailable' } });
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Serveur occupé' });
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    expect((await pub(post)).lastError).toMatchObject({ code: 'network.unavailable', values: { status: 503 } });
    ctx.clock.advance(10 * 60_000);
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('sent');
  });

  it('does not post twice when the answer was lost after the server stored the post', async () => {
    pds.script.push({ method: 'com.atproto.repo.createRecord', status: 502, forward: true, body: { error: 'UpstreamFailure', message: 'Bad Gateway' } });
    const before = (await pds.posts()).length;
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Réponse perdue' });
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('pending');
    expect((await pds.posts()).length).toBe(before + 1); // it went out
    ctx.clock.advance(10 * 60_000);
    pds.calls.length = 0;
    await ctx.c.dispatcher.dispatchDue();
    const p = await pub(post);
    expect(p.status).toBe('sent');
    expect((await pds.posts()).length).toBe(before + 1); // and only once
    expect(pds.calls).toContain('com.atproto.repo.getRecord');
    expect(pds.calls).not.toContain('com.atproto.repo.createRecord');
    expect(rkeyOf(p.externalId!)).toBe(((await ctx.c.publications.adapterState(post)).rkeys as string[])[0]);
  });

  it('refreshes an expired session by itself and stores the new one encrypted', async () => {
    const creds = (await ctx.c.accounts.credentials(accountId)) as { session: { accessJwt: string; refreshJwt: string } };
    // An access token the server no longer accepts; the refresh token still works.
    await ctx.c.accounts.saveCredentials(accountId, { ...creds, session: { ...creds.session, accessJwt: `${creds.session.accessJwt}x` } }, ctx.clock.now());
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Session renouvelée' });
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('sent');
    const after = (await ctx.c.accounts.credentials(accountId)) as { session: { accessJwt: string; refreshJwt: string } };
    sessions.push(after.session.accessJwt, after.session.refreshJwt);
    expect(after.session.refreshJwt).not.toBe(creds.session.refreshJwt);
    expect(after.session.accessJwt).not.toBe(`${creds.session.accessJwt}x`);
  });
});

describe('after a crash in the middle of a post', () => {
  async function abandoned(title: string) {
    const { post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title });
    await ctx.c.dispatcher.dispatchDue(); // the site page (and the post, which we put back below)
    const rkey = nextTid();
    // A process chose the key, stored it, sent the post maybe, and was killed before recording it.
    await ctx.c.db('publication_parts').where({ publication_id: post }).delete();
    await ctx.c.publications.patchAdapterState(post, { rkeys: [rkey] }, ctx.clock.now());
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
    return { post, rkey };
  }

  it('finds the post under its stored key and marks it sent, without a second post', async () => {
    const { post, rkey } = await abandoned('Coupure pendant l’envoi');
    // Delete what the first dispatch sent, then put a post at the stored key, as the dead process had.
    for (const r of (await pds.posts()).filter((x) => (x.value.text as string).startsWith('Coupure'))) await pds.agent.deletePost(r.uri);
    await pds.agent.com.atproto.repo.createRecord({
      repo: pds.did,
      collection: 'app.bsky.feed.post',
      rkey,
      record: { $type: 'app.bsky.feed.post', text: 'Coupure pendant l’envoi', createdAt: new Date().toISOString() },
    });
    const before = (await pds.posts()).length;
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.resumed).toBe(1);
    const p = await pub(post);
    expect(p.status).toBe('sent');
    expect(rkeyOf(p.externalId!)).toBe(rkey);
    expect((await pds.posts()).length).toBe(before);
  });

  it('sends it, once, when the stored key is free (the process died before the network call)', async () => {
    const { post, rkey } = await abandoned('Coupure avant l’envoi');
    for (const r of (await pds.posts()).filter((x) => (x.value.text as string).startsWith('Coupure avant'))) await pds.agent.deletePost(r.uri);
    const before = (await pds.posts()).length;
    await ctx.c.dispatcher.dispatchDue();
    const p = await pub(post);
    expect(p.status).toBe('sent');
    expect(rkeyOf(p.externalId!)).toBe(rkey);
    expect((await pds.posts()).length).toBe(before + 1);
  });
});

describe('threads, retraction, figures, revoked access', () => {
  const long =
    'Le conseil municipal a voté le budget participatif : chaque habitant peut proposer un projet pour son quartier. ' +
    'Les propositions sont ouvertes jusqu’au 30 avril, sur le site ou à l’accueil de la mairie. ' +
    'Un jury d’habitants tirés au sort étudiera chaque idée avec les services techniques. ' +
    'Les projets retenus seront soumis au vote de tous en juin, et les lauréats réalisés dès la rentrée. ' +
    'Réunion publique de présentation le 12 mars à 19 h, salle des fêtes : venez nombreux, les enfants sont les bienvenus. ' +
    'Une permanence se tiendra aussi chaque samedi matin au marché, près de la fontaine, pour aider à rédiger les propositions. ' +
    'L’an dernier, quarante projets avaient été déposés et six réalisés : un jardin partagé, des bancs, un terrain de pétanque, ' +
    'une boîte à livres, des nichoirs et l’éclairage du chemin de l’école. Cette année, l’enveloppe passe de 50 000 à 80 000 euros.';
  let thread: { article: number; post: number };

  it('posts a long text as a thread, and resumes at the first unsent part after a failure', async () => {
    pds.script.push({ method: 'com.atproto.repo.createRecord', status: 503, skip: 2, body: { error: 'NotEnoughResources', message: 'Service Unavailable' } });
    thread = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Budget participatif', text: long, asThread: true });
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(thread.post)).status).toBe('pending');
    const half = await ctx.c.publications.parts(thread.post);
    expect(half.length).toBe(2);
    ctx.clock.advance(10 * 60_000);
    pds.calls.length = 0;
    await ctx.c.dispatcher.dispatchDue();
    const p = await pub(thread.post);
    expect(p.status).toBe('sent');
    const parts = await ctx.c.publications.parts(thread.post);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.slice(0, 2).map((x) => x.externalId)).toEqual(half.map((x) => x.externalId));
    expect(pds.calls.filter((c) => c === 'com.atproto.repo.createRecord')).toHaveLength(parts.length - 2);
    const third = await recordAt(parts[2]!.externalId);
    expect(third.reply?.root.uri).toBe(parts[0]!.externalId);
    expect(third.reply?.parent.uri).toBe(parts[1]!.externalId);
    const texts = (await pds.posts()).map((r) => r.value.text as string).filter((t) => t.includes('(1/') || t.includes('(2/') || t.includes('(3/'));
    expect(new Set(texts).size).toBe(texts.length); // no part twice
  });

  it('brings back likes, reposts, replies and quotes from the AppView', async () => {
    const p = await pub(thread.post);
    appview.counts.set(p.externalId!, { likeCount: 12, repostCount: 3, replyCount: 2, quoteCount: 1 });
    await ctx.c.metrics.collect();
    expect((await ctx.c.publications.metricsOf(thread.post))[0]?.metrics).toEqual({ likes: 12, reposts: 3, replies: 2, quotes: 1 });
  });

  it('retracts every part of the thread', async () => {
    const parts = await ctx.c.publications.parts(thread.post);
    await ctx.c.publishing.retract(thread.post, { id: null, label: 'test' });
    expect((await pub(thread.post)).status).toBe('retracted');
    const left = new Set((await pds.posts()).map((r) => r.uri));
    for (const part of parts) expect(left.has(part.externalId)).toBe(false);
  });

  it('marks the account disconnected when its app password was revoked, and its posts wait with the reconnect message', async () => {
    await pds.revokeAppPassword();
    const creds = (await ctx.c.accounts.credentials(accountId)) as { session: { accessJwt: string } };
    await ctx.c.accounts.saveCredentials(accountId, { ...creds, session: { ...creds.session, accessJwt: 'expired' } }, ctx.clock.now());
    const { article, post } = await networkPost(ctx, { id: accountId, channel: 'bluesky' }, { title: 'Accès révoqué' });
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.accounts.get(accountId))?.connection).toBe('disconnected');
    const waiting = await pub(post);
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBe(0);
    expect(await panelError(article, post)).toContain('n’est plus autorisé à publier : un administrateur doit le reconnecter');
    expect((await admin.agent.get('/admin/networks')).text).toContain('Déconnecté');

    // A new app password, through the same form, releases what waited.
    const fresh = (await pds.agent.com.atproto.server.createAppPassword({ name: 'Crieur 2' })).data.password;
    await admin.agent
      .post('/admin/networks/connect/bluesky')
      .type('form')
      .send({ _csrf: admin.csrf, handle: pds.handle, appPassword: fresh, service: pds.url, embed: 'image', reconnect: String(accountId) })
      .expect(302);
    await ctx.c.dispatcher.dispatchDue();
    expect((await pub(post)).status).toBe('sent');
  });
});

describe('the logs', () => {
  it('hold no password and no session token, though failures were logged', () => {
    const all = logged.join('');
    expect(all).toContain('bluesky post not accepted');
    for (const secret of [pds.appPassword, pds.password, 'aaaa-bbbb-cccc-dddd', ...sessions]) expect(all).not.toContain(secret);
  });
});
