import os from 'node:os';
import sharp from 'sharp';
import type TestAgent from 'supertest/lib/agent';
import { MastodonAdapter } from '../server/publishing/channels/mastodon.adapter';
import { MASTODON_SCOPES } from '../server/publishing/channels/mastodon.client';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { ACCOUNT, OTHER_ACCOUNT, startMastodonPeer, type MastodonPeer } from './helpers/mastodon-peer';
import { near, rgbOf, shownAvatar } from './helpers/account-avatar';
import { avatarPng } from './helpers/peer-http';
import { panelRow, socialPost } from './helpers/social-articles';

/**
 * Mastodon through the whole program: an administrator connects the commune's account with the
 * instance's OAuth, then articles go out as statuses with their picture and its description, and
 * every way an instance answers (revoked token, refused text, rate limit, outage, a post of
 * uncertain fate, a crash) ends with the status posted once, or with a message saying why not.
 * The instance is a local peer speaking the documented API (test/helpers/mastodon-peer.ts).
 */
let peer: MastodonPeer;
let ctx: TestContext;
let admin: { agent: TestAgent; csrf: string };
let account: { id: number; channel: string };

const minutes = (m: number) => m * 60_000;
const statusOf = async (id: number) => (await ctx.c.publications.get(id))!;

/** Follows the authorize link as the administrator's browser would: the instance sends them back to Crieur. */
async function authorize(page: string): Promise<string> {
  const link = /href="(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.origin).toBe('http://crieur.test');
  return `${back.pathname}${back.search}`;
}

beforeAll(async () => {
  peer = await startMastodonPeer();
  // The shipped adapter, polling media faster than the real one's second.
  ctx = await createTestContext({}, { channels: [new MastodonAdapter({ website: 'http://crieur.test', mediaPoll: { everyMs: 5, times: 20 } })] });
  admin = await loginAs(ctx, 'admin');
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
  await peer.close();
});

describe('connecting the commune’s Mastodon account', () => {
  it('refuses an address that is not an instance’s, and says when the instance does not answer', async () => {
    const bad = await admin.agent
      .post('/admin/networks/connect/mastodon')
      .type('form')
      .send({ _csrf: admin.csrf, instance: 'http://example.org', visibility: 'public' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('L’adresse de l’instance n’est pas valable');
    for (const hostile of ['javascript:alert(1)', 'https://user:pass@piaille.fr', '<script>alert(1)</script>', 'file:///etc/passwd']) {
      const res = await admin.agent.post('/admin/networks/connect/mastodon').type('form').send({ _csrf: admin.csrf, instance: hostile, visibility: 'public' });
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('<script>alert(1)</script>');
    }
    const down = await admin.agent
      .post('/admin/networks/connect/mastodon')
      .type('form')
      .send({ _csrf: admin.csrf, instance: 'http://127.0.0.1:9', visibility: 'public' });
    expect(down.status).toBe(502);
    expect(down.text).toContain('Le réseau ne répond pas');
    expect(peer.apps).toHaveLength(0);
  });

  it('registers Crieur on the instance, runs its authorisation and names the account, with the instance’s limit and the chosen visibility', async () => {
    peer.maxCharacters = 1000;
    const form = await admin.agent.get('/admin/networks/connect/mastodon');
    expect(form.text).toContain('Adresse de l’instance Mastodon');
    expect(form.text).toMatch(/<select id="f-visibility" name="visibility"/);
    const go = await admin.agent.post('/admin/networks/connect/mastodon').type('form').send({ _csrf: admin.csrf, instance: peer.url, visibility: 'unlisted' });
    expect(go.status).toBe(200);
    expect(peer.apps).toHaveLength(1);
    expect(peer.apps[0]).toMatchObject({
      redirectUri: 'http://crieur.test/admin/networks/oauth/callback',
      scopes: MASTODON_SCOPES,
      website: 'http://crieur.test',
    });

    // Between the redirect and the callback, the app's secret waits in the session, sealed.
    const sessions = (await ctx.c.db('sessions').select('sess')).map((r) => String(r.sess)).join('\n');
    expect(sessions).toContain('"oauth"');
    expect(sessions).not.toContain(peer.apps[0]!.clientSecret);
    const back = await admin.agent.get(await authorize(go.text)).redirects(0);
    expect(back.status).toBe(302);
    const row = await ctx.c.db('channel_accounts').where({ channel: 'mastodon' }).first();
    account = { id: row.id as number, channel: 'mastodon' };
    expect(row.label).toBe(`@mairie@${peer.host}`);
    expect(JSON.parse(row.settings as string)).toEqual({ instance: peer.url, accountId: '109001', maxCharacters: 1000, visibility: 'unlisted' });
    const creds = await ctx.c.accounts.credentials(account.id);
    expect(creds).toMatchObject({ clientId: peer.apps[0]!.clientId, clientSecret: peer.apps[0]!.clientSecret });
    expect(String(row.credentials)).not.toContain(String(creds?.accessToken));
    expect(String(row.credentials)).not.toContain(peer.apps[0]!.clientSecret);
    expect((await admin.agent.get('/admin/networks')).text).toContain(`@mairie@${peer.host}`);
  });

  it('tests the connection and shows the name and the picture the instance gives, served by Crieur as a small WebP', async () => {
    await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain(
      `Connexion réussie : le réseau reconnaît le compte « Mairie de Villeneuve (@mairie@${peer.host}) ».`,
    );
    const shown = await shownAvatar(admin.agent, account.id);
    expect(shown).toMatchObject({ type: 'image/webp', format: 'webp', width: 96, height: 96 });
    expect(shown!.src).toMatch(new RegExp(`^/admin/networks/${account.id}/avatar\\?v=\\d+$`));
    expect(near(shown!.rgb, rgbOf('#6364ff'))).toBe(true);
    // Kept under DATA_DIR, never the instance's address in the page.
    expect((await admin.agent.get('/admin/networks')).text).not.toContain(`${peer.url}/avatars/`);
  });

  it('refuses a fake or oversized picture cleanly: the initial instead, a sentence saying so, never an error page', async () => {
    const real = peer.avatar;
    try {
      for (const bad of [
        { bytes: Buffer.from('<html><script>alert(1)</script></html>'), type: 'image/png' },
        { bytes: Buffer.alloc(3 * 1024 * 1024, 0x89), type: 'image/png' },
      ]) {
        peer.avatar = bad;
        const res = await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf });
        expect(res.status).toBe(302);
        const page = await admin.agent.get('/admin/networks');
        expect(page.text).toContain('Son image n’a pas pu être récupérée : l’initiale du compte la remplace.');
        expect(await shownAvatar(admin.agent, account.id)).toBeNull();
        expect(page.text).toMatch(new RegExp(`<span class="preview-avatar" aria-hidden="true" data-initial-for="${account.id}">M</span>`));
        expect((await admin.agent.get(`/admin/networks/${account.id}/avatar`)).status).toBe(404);
        expect((await ctx.c.accounts.get(account.id))?.connection).toBe('connected');
      }
    } finally {
      peer.avatar = real;
    }
    await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    expect(await shownAvatar(admin.agent, account.id)).not.toBeNull();
    // A different picture on the network is a new address for the browser (no stale cache).
    const before = (await shownAvatar(admin.agent, account.id))!;
    peer.avatar = { bytes: await avatarPng('#2a9d8f'), type: 'image/png' };
    await new Promise((r) => setTimeout(r, 5)); // a later modification time on coarse file systems
    await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
    const after = (await shownAvatar(admin.agent, account.id))!;
    expect(near(after.rgb, rgbOf('#2a9d8f'))).toBe(true);
    expect(after.src).not.toBe(before.src);
    peer.avatar = real;
    await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
  });

  it('shows the account’s picture in the post previews of the channels page, to an officer too', async () => {
    const editor = await loginAs(ctx, 'editor');
    const article = await makeArticle(ctx.c, { status: 'draft', title: 'Aperçu avec image' });
    const page = await editor.agent.get(`/admin/articles/${article}/channels`);
    const img = new RegExp(`<img class="preview-avatar" src="(/admin/networks/${account.id}/avatar\\?v=\\d+)" alt="" width="36" height="36">`).exec(page.text);
    expect(img).not.toBeNull();
    const res = await editor.agent.get(img![1]!).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect((await sharp(res.body as Buffer).metadata()).width).toBe(96);
  });
});

describe('an instance that does not answer', () => {
  it('says so on the networks page when the connection is tested, and keeps the account connected', async () => {
    const row = await ctx.c.db('channel_accounts').where({ id: account.id }).first('settings');
    const settings = JSON.parse(row.settings as string) as Record<string, unknown>;
    await ctx.c
      .db('channel_accounts')
      .where({ id: account.id })
      .update({ settings: JSON.stringify({ ...settings, instance: 'http://127.0.0.1:9' }) });
    try {
      await admin.agent.post(`/admin/networks/${account.id}/test`).type('form').send({ _csrf: admin.csrf }).expect(302);
      expect((await admin.agent.get('/admin/networks')).text).toContain('Le réseau est injoignable pour le moment.');
      expect((await ctx.c.accounts.get(account.id))?.connection).toBe('connected');
    } finally {
      await ctx.c
        .db('channel_accounts')
        .where({ id: account.id })
        .update({ settings: JSON.stringify(settings) });
    }
  });
});

describe('the text’s limit is the instance’s', () => {
  it('counts against this account’s instance limit on the channels page, and refuses beyond it', async () => {
    const article = await makeArticle(ctx.c, { status: 'draft', title: 'Limite de l’instance' });
    const page = await admin.agent.get(`/admin/articles/${article}/channels`);
    expect(page.text).toMatch(new RegExp(`data-post-text="${account.id}" data-limit="1000" data-method="mastodon"`));
    const save = (text: string) =>
      admin.agent
        .post(`/admin/articles/${article}/channels`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), [`channel_${account.id}_enabled`]: 'on', [`channel_${account.id}_text`]: text });
    expect((await save('é'.repeat(900))).status).toBe(302); // over Mastodon's default 500, within this instance's 1000
    const refused = await save('é'.repeat(1001));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Le texte est trop long pour Mastodon : 1001 caractères pour 1000 au plus.');
  });
});

describe('posting statuses', () => {
  it('posts the picture with its description, then the status with the link (ref=mastodon), in French, with the chosen visibility and an idempotency key', async () => {
    const { post, slug } = await socialPost(ctx, account, { title: 'Marché de Noël', alt: 'Les chalets illuminés sur la place' });
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.sent).toBe(2); // the site page, then the status
    const p = await statusOf(post);
    expect(p.status).toBe('sent');
    const status = peer.live().at(-1)!;
    expect(p.externalId).toBe(status.id);
    expect(p.externalUrl).toBe(`${peer.url}/@mairie/${status.id}`);
    expect(status.text).toContain(`http://crieur.test/actualites/${slug}?ref=mastodon`);
    expect(status).toMatchObject({ visibility: 'unlisted', language: 'fr', idempotencyKey: `crieur-${post}-0`, inReplyToId: null });
    expect(status.media).toHaveLength(1);
    expect(status.media[0]).toMatchObject({ description: 'Les chalets illuminés sur la place', type: 'image/jpeg' });
    expect(status.media[0]!.bytes).toBeGreaterThan(1000);
    expect(peer.mediaPolls).toBeGreaterThan(0); // the 202 was followed until the media was ready
  });

  it('posts a status with its link alone when the article has no picture', async () => {
    const { post } = await socialPost(ctx, account, { title: 'Conseil municipal', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    const status = peer.live().at(-1)!;
    expect(status.media).toEqual([]);
    expect(status.text).toMatch(/\?ref=mastodon/);
  });

  it('fails a text the instance refuses, with the instance’s message explained in French', async () => {
    const { article, post } = await socialPost(ctx, account, { title: 'Trop long', textVariant: 'é'.repeat(1020) });
    expect((await ctx.c.dispatcher.dispatchDue()).failed).toBe(1);
    const p = await statusOf(post);
    expect(p.status).toBe('failed');
    expect(p.lastError).toMatchObject({ code: 'mastodon.too_long', values: { detail: 'Validation failed: Text character limit of 1000 exceeded' } });
    expect((await panelRow(admin.agent, article, post))?.lastError).toBe(
      'L’instance Mastodon refuse ce texte : il dépasse le nombre de caractères qu’elle accepte (message de l’instance : « Validation failed: Text character limit of 1000 exceeded »). Raccourcissez-le, puis renvoyez la publication.',
    );
  });

  it('fails a picture the instance refuses, with its message', async () => {
    peer.mediaScript.push({ status: 422, error: 'Validation failed: File content type is invalid' });
    const before = peer.statuses.length;
    const { post } = await socialPost(ctx, account, { title: 'Image refusée' });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).lastError).toMatchObject({
      code: 'mastodon.media_refused',
      values: { detail: 'Validation failed: File content type is invalid' },
    });
    expect(peer.statuses.length).toBe(before);
  });

  it('retries after a 5xx, and the status goes out once', async () => {
    peer.script.push({ status: 502 });
    const { post } = await socialPost(ctx, account, { title: 'Panne de l’instance', image: false });
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    const waiting = await statusOf(post);
    expect(waiting.status).toBe('pending');
    expect(waiting.lastError).toMatchObject({ code: 'network.unavailable', values: { status: 502 } });
    ctx.clock.advance(minutes(2));
    expect((await ctx.c.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await statusOf(post)).status).toBe('sent');
  });

  it('sends a status whose answer was lost again with the same Idempotency-Key: the instance answers the status it made, nothing twice', async () => {
    peer.script.push({ status: 0, afterCreate: true });
    const { post, slug } = await socialPost(ctx, account, { title: 'Réponse perdue', image: false });
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    expect(peer.live().filter((s) => s.text.includes(slug))).toHaveLength(1);
    ctx.clock.advance(minutes(2));
    await ctx.c.dispatcher.dispatchDue();
    const made = peer.live().filter((s) => s.text.includes(slug));
    expect(made).toHaveLength(1);
    expect((await statusOf(post)).externalId).toBe(made[0]!.id);
  });

  it('waits for the reset time the instance gives when it limits the rate, and holds the account’s other posts with it', async () => {
    const reset = new Date(ctx.clock.now().getTime() + minutes(12));
    peer.script.push({ status: 429, resetAt: reset });
    const a = await socialPost(ctx, account, { title: 'Limite atteinte', image: false });
    const b = await socialPost(ctx, account, { title: 'Attend aussi', image: false, postAt: new Date(ctx.clock.now().getTime() + minutes(1)) });
    await ctx.c.dispatcher.dispatchDue();
    const first = await statusOf(a.post);
    expect(first.status).toBe('pending');
    expect(first.dueAt.toISOString()).toBe(reset.toISOString());
    expect((await statusOf(b.post)).dueAt.toISOString()).toBe(reset.toISOString());
    ctx.clock.advance(minutes(5));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(a.post)).status).toBe('pending');
    ctx.clock.set(new Date(reset.getTime() + 1000));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(a.post)).status).toBe('sent');
    expect((await statusOf(b.post)).status).toBe('sent');
  });
});

describe('a picture whose alt text was removed after the post was planned', () => {
  it('holds the post with a French message saying what to do, posts nothing, and posts it with its description once the alt text is back and sending confirmed', async () => {
    const { article, post, slug } = await socialPost(ctx, account, { title: 'Texte alternatif effacé', alt: 'La fontaine de la place' });
    // Saved with its alt text; then someone emptied it in the article.
    await ctx.c.db('articles').where({ id: article }).update({ hero_alt: '  ' });
    const before = peer.statusPosts;
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.held).toBe(1);
    expect(peer.statusPosts).toBe(before);
    expect(peer.live().filter((s) => s.text.includes(slug))).toHaveLength(0);
    const row = await panelRow(admin.agent, article, post);
    expect(row?.status).toBe('held');
    expect(row?.lastError).toBe(
      'L’image de l’article n’a plus de texte alternatif : la publication sur Mastodon attend. Ajoutez le texte alternatif de l’image dans l’article, puis cliquez sur « Confirmer l’envoi ».',
    );
    const page = await admin.agent.get(`/admin/articles/${article}/channels`);
    expect(page.text).toContain('Confirmer l’envoi');

    // Confirmed without the alt text: it holds again, still nothing posted.
    await admin.agent.post(`/admin/publications/${post}`).type('form').send({ _csrf: admin.csrf, action: 'confirm' }).expect(302);
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('held');
    expect(peer.statusPosts).toBe(before);

    await ctx.c.db('articles').where({ id: article }).update({ hero_alt: 'La fontaine de la place' });
    await admin.agent.post(`/admin/publications/${post}`).type('form').send({ _csrf: admin.csrf, action: 'confirm' }).expect(302);
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    const made = peer.live().filter((s) => s.text.includes(slug));
    expect(made).toHaveLength(1);
    expect(made[0]!.media[0]).toMatchObject({ description: 'La fontaine de la place' });
  });
});

describe('threads', () => {
  // Ten sentences of about 210 characters: three parts within this instance's 1000.
  const sentence = (n: number) => `Phrase ${n} : ${'la commune informe ses habitants des travaux de la rue principale. '.repeat(3).trim()}`;
  const longText = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(sentence).join(' ');

  it('posts a long text as a thread, each part replying to the one before, the picture on the first', async () => {
    const { post } = await socialPost(ctx, account, { title: 'Travaux', textVariant: longText, asThread: true });
    await ctx.c.dispatcher.dispatchDue();
    const p = await statusOf(post);
    expect(p.lastError).toBeNull();
    expect(p.status).toBe('sent');
    const parts = peer.live().filter((s) => s.idempotencyKey?.startsWith(`crieur-${post}-`));
    expect(parts).toHaveLength(3); // cut to the account's own instance limit (1000), not Mastodon's default 500
    expect(parts[0]!.id).toBe(p.externalId);
    expect(parts[0]!.media).toHaveLength(1);
    parts.slice(1).forEach((part, i) => {
      expect(part.inReplyToId).toBe(parts[i]!.id);
      expect(part.media).toEqual([]);
    });
  });

  it('cut off after its second part, resumes at the third and never posts the first two again', async () => {
    const { post } = await socialPost(ctx, account, { title: 'Travaux, suite', textVariant: longText, asThread: true, image: false });
    // Two parts go through, then the instance fails.
    peer.script.push({ status: 200 }, { status: 200 }, { status: 503 });
    const before = peer.statuses.length;
    expect((await ctx.c.dispatcher.dispatchDue()).retrying).toBe(1);
    expect(peer.statuses.length - before).toBe(2);
    const posts = peer.statusPosts;
    ctx.clock.advance(minutes(2));
    await ctx.c.dispatcher.dispatchDue();
    expect(peer.statusPosts - posts).toBe(1); // the third part only
    expect((await statusOf(post)).status).toBe('sent');
    const parts = peer.live().filter((s) => s.idempotencyKey?.startsWith(`crieur-${post}-`));
    expect(parts.map((s) => s.idempotencyKey)).toEqual(parts.map((_, i) => `crieur-${post}-${i}`));
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[2]!.inReplyToId).toBe(parts[1]!.id);
  });
});

describe('a crash in the middle of a post', () => {
  // A claim by a process of this machine that no longer exists: what a SIGKILL leaves behind.
  const deadHolder = () => `${os.hostname()}-4194303-dead00`;

  it('finds the status a dead process had posted, and marks it sent without posting again', async () => {
    const { post, slug } = await socialPost(ctx, account, { title: 'Envoi interrompu', image: false });
    await ctx.c.dispatcher.dispatchDue(); // the site page and the status
    const made = peer.live().find((s) => s.text.includes(slug))!;
    // As if the process had been killed after the instance made the status, before Crieur knew.
    await ctx.c.db('publications').where({ id: post }).update({ status: 'sending', claimed_by: deadHolder(), external_id: null, external_url: null });
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.resumed).toBe(1);
    const p = await statusOf(post);
    expect(p.status).toBe('sent');
    expect(p.externalId).toBe(made.id);
    expect(peer.live().filter((s) => s.text.includes(slug))).toHaveLength(1);
  });

  it('sends once a status the dead process never got to post', async () => {
    const { post, slug } = await socialPost(ctx, account, { title: 'Jamais parti', image: false });
    await ctx.c.db('publications').where({ id: post }).update({ status: 'sending', claimed_by: deadHolder() });
    const siteOnly = await ctx.c.dispatcher.dispatchDue();
    expect(siteOnly.resumed).toBe(1);
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    expect(peer.live().filter((s) => s.text.includes(slug))).toHaveLength(1);
  });
});

describe('after the post', () => {
  it('brings back favourites, boosts, replies and quotes', async () => {
    const sent = (await ctx.c.db('publications').where({ channel: 'mastodon', status: 'sent' }).first('id')) as { id: number };
    const report = await ctx.c.metrics.collect();
    expect(report.fetched).toBeGreaterThan(0);
    expect((await ctx.c.publications.metricsOf(sent.id))[0]?.metrics).toEqual({ favourites: 4, reblogs: 2, replies: 1, quotes: 0 });
  });

  it('deletes the status from the instance when the officer retracts it', async () => {
    const { article, post } = await socialPost(ctx, account, { title: 'À retirer', image: false });
    await ctx.c.dispatcher.dispatchDue();
    const id = (await statusOf(post)).externalId!;
    const res = await admin.agent.post(`/admin/publications/${post}`).type('form').send({ _csrf: admin.csrf, action: 'retract' });
    expect(res.status).toBe(302);
    expect((await statusOf(post)).status).toBe('retracted');
    expect(peer.statuses.find((s) => s.id === id)?.deleted).toBe(true);
    expect((await panelRow(admin.agent, article, post))?.status).toBe('retracted');

    // Sent again by the officer: a new status, not the deleted one the old key would name.
    await admin.agent.post(`/admin/publications/${post}`).type('form').send({ _csrf: admin.csrf, action: 'retry' }).expect(302);
    await ctx.c.dispatcher.dispatchDue();
    const again = await statusOf(post);
    expect(again.status).toBe('sent');
    expect(again.externalId).not.toBe(id);
    expect(peer.statuses.find((s) => s.id === again.externalId)).toMatchObject({ deleted: false, idempotencyKey: `crieur-${post}-r1-0` });
  });
});

describe('the visibility is a setting of the account', () => {
  it('is changed on the account’s settings page, without reconnecting, and the next status goes with it', async () => {
    const list = await admin.agent.get('/admin/networks');
    expect(list.text).toContain(`href="/admin/networks/${account.id}/settings"`);
    const page = await admin.agent.get(`/admin/networks/${account.id}/settings`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Visibilité des publications');
    const apps = peer.apps.length;
    const refused = await admin.agent
      .post(`/admin/networks/${account.id}/settings`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), visibility: 'direct' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Choisissez une des valeurs proposées.');
    const before = (await ctx.c.accounts.get(account.id))!.settings.visibility;

    const other = before === 'public' ? 'unlisted' : 'public';
    await admin.agent
      .post(`/admin/networks/${account.id}/settings`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), visibility: other })
      .expect(302);
    expect((await admin.agent.get('/admin/networks')).text).toContain('Les réglages du compte sont enregistrés');
    const after = await ctx.c.accounts.get(account.id);
    expect(after!.settings).toMatchObject({ visibility: other, instance: peer.url, accountId: ACCOUNT.id });
    expect(after!.connection).toBe('connected');
    expect(peer.apps.length).toBe(apps); // no new authorisation was asked
    expect((await admin.agent.get(`/admin/networks/${account.id}/settings`)).text).toMatch(new RegExp(`<option value="${other}" selected>`));

    const { post, slug } = await socialPost(ctx, account, { title: 'Visibilité changée', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    expect(peer.live().find((s) => s.text.includes(slug))!.visibility).toBe(other);
    const audit = await ctx.c.db('audit_log').where({ action: 'account.settings_changed' }).first();
    expect(audit).toBeTruthy();
  });
});

describe('reconnecting with another account', () => {
  it('is refused with a clear message, and the account keeps its identity and its token', async () => {
    const before = await ctx.c.accounts.get(account.id);
    const credsBefore = await ctx.c.accounts.credentials(account.id);
    peer.authorizeAs = OTHER_ACCOUNT;
    try {
      const go = await admin.agent
        .post('/admin/networks/connect/mastodon')
        .type('form')
        .send({ _csrf: admin.csrf, instance: peer.url, visibility: 'public', reconnect: String(account.id) });
      const back = await admin.agent.get(await authorize(go.text));
      expect(back.status).toBe(400);
      expect(back.text).toContain(
        `Ces informations sont celles d’un autre compte (@comite@${peer.host}) que celui à reconnecter (@mairie@${peer.host}) : rien n’a été changé.`,
      );
    } finally {
      peer.authorizeAs = ACCOUNT;
    }
    const after = await ctx.c.accounts.get(account.id);
    expect(after!.label).toBe(before!.label);
    expect(after!.settings).toEqual(before!.settings);
    expect(await ctx.c.accounts.credentials(account.id)).toEqual(credsBefore);
  });
});

describe('a revoked authorisation', () => {
  it('shows the account disconnected, keeps its posts waiting with the reconnect message, and sends them once reconnected', async () => {
    peer.revokeAll();
    const { article, post } = await socialPost(ctx, account, { title: 'Compte révoqué', image: false });
    await ctx.c.dispatcher.dispatchDue();
    expect((await ctx.c.accounts.get(account.id))?.connection).toBe('disconnected');
    const waiting = await statusOf(post);
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBe(0);
    expect((await panelRow(admin.agent, article, post))?.lastError).toContain('n’est plus autorisé à publier : un administrateur doit le reconnecter');
    expect((await admin.agent.get('/admin/networks')).text).toContain('Déconnecté');

    const go = await admin.agent
      .post('/admin/networks/connect/mastodon')
      .type('form')
      .send({ _csrf: admin.csrf, instance: peer.url, visibility: 'public', reconnect: String(account.id) });
    await admin.agent.get(await authorize(go.text)).expect(302);
    expect((await ctx.c.accounts.get(account.id))?.connection).toBe('connected');
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(post)).status).toBe('sent');
    expect(peer.live().at(-1)!.visibility).toBe('public');
  });
});
