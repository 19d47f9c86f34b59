import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';
import { verifyDkim } from './helpers/dkim-verify';
import { campaignWith, deliveryStatuses, openWindow, seedSubscribers } from './helpers/newsletter-send';
import { categoryIds } from './helpers/campaigns';

// The newsletter's sending, end to end: a real SMTP server on 127.0.0.1 receives each copy,
// mailparser reads it as a mail client would, DKIM is verified as a receiving server does.

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const DKIM_ENV = {
  DKIM_DOMAIN: 'commune.test',
  DKIM_SELECTOR: 'crieur',
  DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  SMTP_FROM: 'Mairie <mairie@commune.test>',
};

let sink: SmtpSink;
let ctx: TestContext;

async function setup(env: Record<string, string> = {}) {
  sink = await startSmtpSink();
  ctx = await createTestContext({ SMTP_URL: sink.url, ...DKIM_ENV, ...env });
  await openWindow(ctx.c);
  return ctx;
}

afterEach(async () => {
  await ctx?.close();
  await sink?.close();
});

describe('sending a campaign', () => {
  it('gives each subscriber exactly one message, signed by DKIM over both List-Unsubscribe headers, with both parts and working links', async () => {
    const { c } = await setup();
    const [culture, travaux] = await categoryIds(c);
    const subs = await seedSubscribers(c, 3, { topics: [culture as number, travaux as number] });
    const id = await campaignWith(c, [culture as number, travaux as number], 'Les nouvelles de « Saint-Crieur » – décembre');
    expect((await c.campaignSender.start(id)).recipients).toBe(3);
    const report = await c.campaignSender.run();
    expect(report).toMatchObject({ sent: 3, done: 1 });

    expect(sink.messages).toHaveLength(3);
    expect([...sink.counts.values()]).toEqual([1, 1, 1]);
    for (const s of subs) {
      const raw = sink.messages.find((m) => m.rcptTo === s.email)!.raw;
      const mail = await simpleParser(raw);
      const unsubscribe = c.subscriberLinks.unsubscribeUrl(s.id);
      expect(mail.subject).toBe('Les nouvelles de « Saint-Crieur » – décembre');
      expect(mail.from?.value[0]?.address).toBe('mairie@commune.test');
      expect((mail.to as { value: { address: string }[] }).value[0]?.address).toBe(s.email);
      expect(mail.messageId).toMatch(/@commune\.test>$/);
      expect(mail.date).toBeInstanceOf(Date);
      // One List-Unsubscribe header, holding the https link; and the one-click POST header.
      expect(raw.match(/^List-Unsubscribe:/gim)).toHaveLength(1);
      expect(mail.headerLines.filter((h) => h.key === 'list-unsubscribe-post').map((h) => h.line)).toEqual([
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      ]);
      expect(raw).toContain(`List-Unsubscribe: <${unsubscribe}>`);
      expect(mail.text).toContain(unsubscribe);
      expect(mail.html).toContain(unsubscribe.replace(/&/g, '&amp;'));
      expect(mail.html).toContain('lang="fr"');
      expect(mail.text).toContain('Nouvelle 1');
      // Lines stay within RFC 5322's limit.
      expect(raw.split('\r\n').every((l) => Buffer.byteLength(l) <= 998)).toBe(true);
      const dkim = verifyDkim(raw, publicKey);
      expect(dkim.domain).toBe('commune.test');
      expect(dkim.signedHeaders).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
    }
    expect(await deliveryStatuses(c, id)).toEqual({ sent: 3 });
    expect((await c.campaigns.get(id))?.status).toBe('sent');
    // Unsubscribing from the link of this letter counts against it.
    await c.subscribers.unsubscribe(c.subscriberLinks.unsubscribeUrl(subs[0]!.id).split('/').pop());
    // (counted by a listener of the unsubscription, after it: looked at until it shows, within 5 s)
    for (let i = 0; i < 100 && (await c.campaignSender.progress(id)).counts.unsubscribes === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await c.campaignSender.progress(id)).counts).toMatchObject({ sent: 3, unsubscribes: 1, complaints: 0, bounced: 0 });
    // A second run (the job ticks again) sends nobody a second copy.
    await c.campaignSender.run();
    expect(sink.messages).toHaveLength(3);
  });

  it('does not add someone who subscribes during the send, and sends nothing more to someone who unsubscribes', async () => {
    const { c } = await setup();
    const [culture] = await categoryIds(c);
    const subs = await seedSubscribers(c, 4, { topics: [culture as number] });
    const id = await campaignWith(c, [culture as number]);
    await c.campaignSender.start(id);
    // After the start: one newcomer, one departure through the link of the e-mail.
    const [late] = await seedSubscribers(c, 1, { topics: [culture as number], prefix: 'retardataire' });
    const leaving = subs[1]!;
    const token = c.subscriberLinks.unsubscribeUrl(leaving.id).split('/').pop();
    await c.subscribers.unsubscribe(token);
    await c.campaignSender.run();
    expect(sink.counts.get(late!.email)).toBeUndefined();
    expect(sink.counts.get(leaving.email)).toBeUndefined();
    expect(sink.messages.map((m) => m.rcptTo).sort()).toEqual([subs[0]!.email, subs[2]!.email, subs[3]!.email].sort());
    expect(await deliveryStatuses(c, id)).toEqual({ sent: 3, skipped: 1 });
    const progress = await c.campaignSender.progress(id);
    expect(progress).toMatchObject({ state: 'done', sent: 3, remaining: 0 });
  });

  it('retries a temporary refusal (451) and a connection cut before the message left; a cut after it is reported, never resent', async () => {
    const { c, clock } = await setup();
    const [culture] = await categoryIds(c);
    const subs = await seedSubscribers(c, 4, { topics: [culture as number] });
    const busy = subs[0]!.email;
    const cutBefore = subs[1]!.email;
    const cutAfter = subs[2]!.email;
    const seen = new Map<string, number>();
    sink.answer = (address, attempt) => {
      seen.set(address, attempt);
      if (address === busy && attempt <= 2) return { code: 451, message: 'Try again later' };
      if (address === cutBefore && attempt === 1) return 'cut-before-data';
      // The whole message arrives, then the connection dies before the server's final answer.
      if (address === cutAfter) return 'drop';
      return 'accept';
    };
    const id = await campaignWith(c, [culture as number]);
    await c.campaignSender.start(id);
    const first = await c.campaignSender.run();
    expect(first).toMatchObject({ sent: 1, retrying: 2, unknown: 1 });
    expect(await deliveryStatuses(c, id)).toEqual({ sent: 1, queued: 2, unknown: 1 });
    // Nothing is retried before its time.
    await c.campaignSender.run();
    expect(sink.messages).toHaveLength(1);
    clock.advance(61_000);
    await c.campaignSender.run();
    clock.advance(121_000);
    await c.campaignSender.run();
    expect(sink.counts.get(busy)).toBe(1);
    expect(sink.counts.get(cutBefore)).toBe(1);
    // The one cut after its data was never offered to the server again.
    expect(seen.get(cutAfter)).toBe(1);
    expect(await deliveryStatuses(c, id)).toEqual({ sent: 3, unknown: 1 });
    expect((await c.db('campaign_deliveries').where({ campaign_id: id, subscriber_id: subs[0]!.id }).first()).attempts).toBe(2);
    expect((await c.campaigns.get(id))?.status).toBe('sent');
    // The campaign page tells the staff, in words, why one copy is not counted as sent.
    const { agent } = await loginAs(ctx, 'editor');
    const page = await agent.get(`/admin/newsletter/${id}`).expect(200);
    expect(page.text).toContain('1 envoi(s) au sort inconnu');
  });

  it('marks an address refused with a 5xx as bounced and suppresses it', async () => {
    const { c } = await setup();
    const [culture] = await categoryIds(c);
    const subs = await seedSubscribers(c, 2, { topics: [culture as number] });
    const gone = subs[0]!;
    sink.answer = (address) => (address === gone.email ? { code: 550, message: 'No such user here' } : 'accept');
    const id = await campaignWith(c, [culture as number]);
    await c.campaignSender.start(id);
    expect(await c.campaignSender.run()).toMatchObject({ sent: 1, bounced: 1 });
    expect(await deliveryStatuses(c, id)).toEqual({ sent: 1, bounced: 1 });
    expect(await c.subscribers.isSuppressed(gone.email)).toBe(true);
    expect((await c.subscribers.audience('digest')).map((r) => r.email)).toEqual([subs[1]!.email]);
    expect((await c.campaignSender.progress(id)).failed).toBe(1);
  });

  it('pauses itself after too many errors in a row, says why on the campaign page, and resumes from where it stopped', async () => {
    const { c, app } = await setup();
    const [culture] = await categoryIds(c);
    const subs = await seedSubscribers(c, 30, { topics: [culture as number] });
    sink.answer = () => ({ code: 421, message: 'Service not available' });
    const id = await campaignWith(c, [culture as number]);
    await c.campaignSender.start(id);
    expect(await c.campaignSender.run()).toMatchObject({ paused: 1 });
    const { agent } = await loginAs(ctx, 'editor');
    const json = await agent.get(`/admin/newsletter/campaigns/${id}/progress.json`).expect(200);
    expect(json.body.state).toBe('paused');
    expect(json.body.reason).toMatch(/Envoi suspendu automatiquement après 30 erreurs d’affilée \(dernière réponse du serveur : 421\)/);
    // The job ticks: a paused campaign sends nothing.
    sink.answer = () => 'accept';
    await c.campaignSender.run();
    expect(sink.messages).toHaveLength(0);

    // Resume, from a form with its CSRF token (the campaign page posts it).
    const page = await agent.get('/admin');
    await agent.post(`/admin/newsletter/campaigns/${id}/resume`).type('form').send({ _csrf: 'forged' }).expect(403);
    await agent
      .post(`/admin/newsletter/campaigns/${id}/resume`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(302);
    // The refused ones wait for their retry time, then go.
    ctx.clock.advance(61_000);
    await c.campaignSender.run();
    expect(sink.messages).toHaveLength(30);
    expect(subs.every((s) => sink.counts.get(s.email) === 1)).toBe(true);
    expect((await c.campaignSender.progress(id)).state).toBe('done');
    expect(app).toBeDefined();
  });

  it('pauses and resumes by hand, and an elected official may neither', async () => {
    const { c } = await setup();
    const [culture] = await categoryIds(c);
    await seedSubscribers(c, 5, { topics: [culture as number] });
    const id = await campaignWith(c, [culture as number]);
    await c.campaignSender.start(id);
    const { agent, csrf } = await loginAs(ctx, 'editor');
    // The campaign page shows the send without any script: a <progress>, the counts, the button, a refresh link.
    const page = await agent.get(`/admin/newsletter/${id}`).expect(200);
    expect(page.text).toMatch(/<progress id="envoi-barre" max="100" value="0"/);
    expect(page.text).toContain('Mettre l’envoi en pause');
    expect(page.text).toContain(`href="/admin/newsletter/${id}#envoi"`);
    expect(page.text).toContain('js/newsletter-progress');
    await agent.post(`/admin/newsletter/campaigns/${id}/pause`).type('form').send({ _csrf: csrf }).expect(302);
    expect((await agent.get(`/admin/newsletter/${id}`)).text).toContain('Reprendre l’envoi');
    await c.campaignSender.run();
    expect(sink.messages).toHaveLength(0);
    const progress = await agent.get(`/admin/newsletter/campaigns/${id}/progress.json`).expect(200);
    expect(progress.body).toMatchObject({ state: 'paused', sent: 0, remaining: 5, stateLabel: 'En pause' });
    expect(progress.body.reason).toMatch(/^Mise en pause par /);
    const elected = await loginAs(ctx, 'elected');
    await elected.agent.post(`/admin/newsletter/campaigns/${id}/resume`).type('form').send({ _csrf: elected.csrf }).expect(403);
    await agent.post(`/admin/newsletter/campaigns/${id}/resume`).type('form').send({ _csrf: csrf }).expect(302);
    await c.campaignSender.run();
    expect(sink.messages).toHaveLength(5);
    const audit = await c.db('audit_log').whereIn('action', ['newsletter.paused', 'newsletter.resumed']).pluck('action');
    expect(audit.sort()).toEqual(['newsletter.paused', 'newsletter.resumed']);
  });

  it('waits outside the sending window and within the hourly cap (Europe/Paris)', async () => {
    const { c, clock } = await setup();
    await c.settings.saveNewsletter(
      { ...(await c.settings.newsletter()), windowStart: '08:00', windowEnd: '20:00', hourlyCap: 2 },
      { id: null, label: 'test' },
    );
    const [culture] = await categoryIds(c);
    await seedSubscribers(c, 3, { topics: [culture as number] });
    const id = await campaignWith(c, [culture as number]);
    // 06:30 UTC in winter is 07:30 in Paris: before the window opens.
    clock.set(new Date('2026-12-02T06:30:00Z'));
    await c.campaignSender.start(id);
    expect(await c.campaignSender.run()).toMatchObject({ sent: 0, waiting: 1 });
    expect((await c.campaignSender.progress(id)).waitingFor).toBe('window');
    clock.set(new Date('2026-12-02T07:05:00Z')); // 08:05 in Paris
    expect(await c.campaignSender.run()).toMatchObject({ sent: 2, waiting: 1 });
    expect((await c.campaignSender.progress(id)).waitingFor).toBe('cap');
    clock.advance(3600_000 + 1000);
    expect(await c.campaignSender.run()).toMatchObject({ sent: 1, done: 1 });
    expect(sink.messages).toHaveLength(3);
  });
  it('sends an urgent alert outside the sending window, still within the hourly cap', async () => {
    const { c, clock } = await setup();
    await c.settings.saveNewsletter(
      { ...(await c.settings.newsletter()), windowStart: '08:00', windowEnd: '20:00', hourlyCap: 2 },
      { id: null, label: 'test' },
    );
    const [culture] = await categoryIds(c);
    const subs = await seedSubscribers(c, 3, { topics: [culture as number] });
    const digest = await campaignWith(c, [culture as number], 'La lettre');
    const alert = await campaignWith(c, [culture as number], 'Alerte : coupure d’eau rue des Écoles');
    await c.db('campaigns').where({ id: alert }).update({ kind: 'alert' });
    // 22:30 UTC is 23:30 in Paris: the window is closed.
    clock.set(new Date('2026-12-02T22:30:00Z'));
    await c.campaignSender.start(digest);
    await c.campaignSender.start(alert);
    await c.campaignSender.run();
    // The alert went out at once, up to the cap; the digest waits for the morning.
    expect(sink.messages.map((m) => (m.raw.match(/^Subject: (.*)$/m) ?? [])[1])).toHaveLength(2);
    expect(await deliveryStatuses(c, alert)).toEqual({ sent: 2, queued: 1 });
    expect(await deliveryStatuses(c, digest)).toEqual({ queued: 3 });
    for (const m of sink.messages) expect((await simpleParser(m.raw)).subject).toBe('Alerte : coupure d’eau rue des Écoles');
    expect((await c.campaignSender.progress(alert)).waitingFor).toBe('cap');
    expect((await c.campaignSender.progress(digest)).waitingFor).toBe('window');
    // An hour later, still at night: the third resident gets the alert, the digest still waits.
    clock.advance(3600_000 + 1000);
    await c.campaignSender.run();
    expect(await deliveryStatuses(c, alert)).toEqual({ sent: 3 });
    expect(subs.every((s) => sink.counts.get(s.email) === 1)).toBe(true);
    expect(await deliveryStatuses(c, digest)).toEqual({ queued: 3 });
  });
});

describe('the embedded outbox (no SMTP_URL)', () => {
  it('keeps each message as a signed .eml under DATA_DIR, listed in the admin mailbox', async () => {
    sink = await startSmtpSink();
    ctx = await createTestContext({ ...DKIM_ENV });
    const { c } = ctx;
    await openWindow(c);
    const [culture] = await categoryIds(c);
    const subs = await seedSubscribers(c, 2, { topics: [culture as number] });
    const id = await campaignWith(c, [culture as number], 'Lettre de la mairie');
    await c.campaignSender.start(id);
    expect(await c.campaignSender.run()).toMatchObject({ sent: 2, done: 1 });
    const dir = path.join(ctx.dir, 'mailbox');
    const emls = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(emls).toHaveLength(2);
    const raw = fs.readFileSync(path.join(dir, emls[0]!), 'utf8');
    expect(verifyDkim(raw, publicKey).signedHeaders).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
    const { agent } = await loginAs(ctx, 'admin');
    const list = await agent.get('/admin/mailbox').expect(200);
    expect(list.text).toContain('Lettre de la mairie');
    for (const s of subs) expect(list.text).toContain(s.email);
    expect(sink.messages).toHaveLength(0);
  });
});
