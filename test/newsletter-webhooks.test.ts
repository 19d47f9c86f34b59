import { simpleParser } from 'mailparser';
import request from 'supertest';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { figureText } from './helpers/engagement-events';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';
import { campaignWith, openWindow, seedSubscribers } from './helpers/newsletter-send';
import { categoryIds } from './helpers/campaigns';
import { CampaignMessage } from '../server/newsletter/raw-message';

// Bounces and complaints reported later by Brevo and Mailjet, in the formats of their
// documentation, posted to Crieur as those services do (HTTP basic auth in the URL they call).

const SECRET = 'webhook-secret-long-enough-0123456789';
const basic = (password: string) => `Basic ${Buffer.from(`brevo:${password}`).toString('base64')}`;

let sink: SmtpSink;
let ctx: TestContext;

afterEach(async () => {
  await ctx?.close();
  await sink?.close();
});

/** A sent campaign to three subscribers, and the reference each message carries for the services. */
async function sentCampaign(env: Record<string, string> = {}) {
  sink = await startSmtpSink();
  ctx = await createTestContext({ SMTP_URL: sink.url, SMTP_FROM: 'Mairie <mairie@commune.test>', ...env });
  const { c } = ctx;
  await openWindow(c);
  const [culture] = await categoryIds(c);
  const subs = await seedSubscribers(c, 3, { topics: [culture as number] });
  const id = await campaignWith(c, [culture as number]);
  await c.campaignSender.start(id);
  await c.campaignSender.run();
  const refOf = async (email: string) => {
    const mail = await simpleParser(sink.messages.find((m) => m.rcptTo === email)!.raw);
    return { custom: String(mail.headers.get('x-mailin-custom')), mj: String(mail.headers.get('x-mj-customid')), messageId: mail.messageId! };
  };
  return { c, id, subs, refOf };
}

async function unchanged(c: TestContext['c'], emails: string[]) {
  const rows = await c.db('subscribers').whereIn('email', emails).pluck('email');
  expect(rows.sort()).toEqual([...emails].sort());
  expect(Number((await c.db('newsletter_suppressions').count({ n: '*' }).first())?.n)).toBe(0);
}

describe('bounce and complaint webhooks', () => {
  it('refuses every call while no secret is configured, and writes nothing', async () => {
    const { c, subs } = await sentCampaign();
    const res = await request(ctx.app)
      .post('/webhooks/newsletter/brevo')
      .set('Authorization', basic('anything-at-all-long-enough'))
      .send({ event: 'hard_bounce', email: subs[0]!.email });
    expect(res.status).toBe(403);
    await unchanged(
      c,
      subs.map((s) => s.email),
    );
  });

  it('answers 401 to a call without the secret or with a wrong one, and writes nothing', async () => {
    const { c, subs } = await sentCampaign({ NEWSLETTER_WEBHOOK_SECRET: SECRET });
    const body = [{ event: 'spam', email: subs[0]!.email }];
    await request(ctx.app).post('/webhooks/newsletter/mailjet').send(body).expect(401);
    await request(ctx.app)
      .post('/webhooks/newsletter/mailjet')
      .set('Authorization', basic(`${SECRET}x`))
      .send(body)
      .expect(401);
    await request(ctx.app)
      .post('/webhooks/newsletter/mailjet')
      .set('Authorization', `Bearer ${SECRET.slice(0, -1)}`)
      .send(body)
      .expect(401);
    await request(ctx.app).post('/webhooks/newsletter/brevo').set('Authorization', 'Basic !!!').send(body).expect(401);
    await unchanged(
      c,
      subs.map((s) => s.email),
    );
  });

  it('suppresses the address of a Brevo hard bounce and counts it against its campaign', async () => {
    const { c, id, subs, refOf } = await sentCampaign({ NEWSLETTER_WEBHOOK_SECRET: SECRET });
    const ref = await refOf(subs[0]!.email);
    const res = await request(ctx.app)
      .post('/webhooks/newsletter/brevo')
      .set('Authorization', basic(SECRET))
      .send({
        event: 'hard_bounce',
        email: subs[0]!.email.toUpperCase(),
        id: 523104,
        date: '2026-12-02 10:04:11',
        ts: 1796202251,
        'message-id': ref.messageId,
        ts_event: 1796202251,
        subject: 'La lettre de la commune',
        'X-Mailin-custom': ref.custom,
        sending_ip: '185.41.28.109',
        reason: 'mailbox does not exist',
      })
      .expect(200);
    expect(res.body).toEqual({ ok: true, applied: 1 });
    expect(await c.subscribers.isSuppressed(subs[0]!.email)).toBe(true);
    const progress = await c.campaignSender.progress(id);
    expect(progress.counts).toMatchObject({ sent: 2, bounced: 1 });
    // A soft bounce is only passing: nothing happens.
    await request(ctx.app)
      .post('/webhooks/newsletter/brevo')
      .set('Authorization', `Bearer ${SECRET}`)
      .send({ event: 'soft_bounce', email: subs[1]!.email })
      .expect(200);
    expect(await c.subscribers.isSuppressed(subs[1]!.email)).toBe(false);
  });

  it('suppresses the addresses of a Mailjet batch (spam complaint, hard bounce), ignores a soft bounce, and counts them', async () => {
    const { c, id, subs, refOf } = await sentCampaign({ NEWSLETTER_WEBHOOK_SECRET: SECRET });
    const [a, b, soft] = [subs[0]!, subs[1]!, subs[2]!];
    const batch = [
      {
        event: 'spam',
        time: 1796202251,
        MessageID: 1942177783514649,
        Message_GUID: '1ab23cd4-e567-8901-2345-6789f0gh1i2j',
        email: a.email,
        mj_campaign_id: 0,
        mj_contact_id: 0,
        customcampaign: '',
        CustomID: (await refOf(a.email)).mj,
        Payload: '',
        source: 'JMRPP',
      },
      {
        event: 'bounce',
        time: 1796202252,
        MessageID: 1942177783514650,
        email: b.email,
        CustomID: (await refOf(b.email)).mj,
        blocked: false,
        hard_bounce: true,
        error_related_to: 'recipient',
        error: 'user unknown',
      },
      {
        event: 'bounce',
        time: 1796202253,
        email: soft.email,
        CustomID: (await refOf(soft.email)).mj,
        blocked: false,
        hard_bounce: false,
        error_related_to: 'domain',
        error: 'mailbox full',
      },
    ];
    const res = await request(ctx.app).post('/webhooks/newsletter/mailjet').set('Authorization', basic(SECRET)).send(batch).expect(200);
    expect(res.body.applied).toBe(2);
    expect(await c.subscribers.isSuppressed(a.email)).toBe(true);
    expect(await c.subscribers.isSuppressed(b.email)).toBe(true);
    expect(await c.subscribers.isSuppressed(soft.email)).toBe(false);
    expect((await c.campaignSender.progress(id)).counts).toMatchObject({ sent: 2, bounced: 1, complaints: 1 });
  });

  it('takes a copy that bounced later back from the people reached, on the day it was counted, once', async () => {
    const { c, subs, refOf } = await sentCampaign({ NEWSLETTER_WEBHOOK_SECRET: SECRET });
    await c.engagement.flush();
    const elected = (await loginAs(ctx, 'elected')).agent;
    const reached = async (query: string) => figureText((await elected.get(`/admin?${query}`)).text, 'reached');
    // Sent on Sunday 15 March; the night's rollup totals the day, then Brevo reports a bounce on the 16th.
    expect(await reached('periode=7j')).toContain('3 lettres remises');
    ctx.clock.set(new Date('2026-03-16T08:00:00.000Z'));
    await c.engagementRollup.rollUp();
    expect(await c.db('engagement_rollup_days').pluck('day')).toContain('2026-03-15');
    const bounce = { event: 'hard_bounce', email: subs[0]!.email, 'X-Mailin-custom': (await refOf(subs[0]!.email)).custom };
    await request(ctx.app).post('/webhooks/newsletter/brevo').set('Authorization', basic(SECRET)).send(bounce).expect(200);
    // The service repeats its webhook: nothing more is taken back or counted.
    await request(ctx.app).post('/webhooks/newsletter/brevo').set('Authorization', basic(SECRET)).send(bounce).expect(200);
    await c.engagement.flush();
    expect(await reached('periode=7j')).toMatch(/^Personnes atteintes 2 .*2 lettres remises/);
    // The 15th alone (read from its totals, rolled up again) and the 16th alone.
    expect(await reached('periode=dates&du=2026-03-15&au=2026-03-15')).toMatch(/^Personnes atteintes 2 /);
    expect(await reached('periode=dates&du=2026-03-16&au=2026-03-16')).toMatch(/^Personnes atteintes 0 /);
    const bounces = await c.db('engagement_events').where({ channel: 'newsletter', kind: 'bounce' }).select('day', 'value');
    expect(bounces.map((r: { day: string; value: unknown }) => [r.day, Number(r.value)])).toEqual([['2026-03-16', 1]]);
  });

  it('answers 400 to a body that is not an event, and writes nothing', async () => {
    const { c, subs } = await sentCampaign({ NEWSLETTER_WEBHOOK_SECRET: SECRET });
    const res = await request(ctx.app).post('/webhooks/newsletter/brevo').set('Authorization', basic(SECRET)).send([]);
    expect(res.status).toBe(400);
    await request(ctx.app)
      .post('/webhooks/newsletter/mailjet')
      .set('Authorization', basic(SECRET))
      .send(Array.from({ length: 1001 }, () => ({ event: 'spam', email: subs[0]!.email })))
      .expect(400);
    await request(ctx.app)
      .post('/webhooks/newsletter/mailjet')
      .set('Authorization', basic(SECRET))
      .set('Content-Type', 'application/json')
      .send('{"event":')
      .expect(400);
    await unchanged(
      c,
      subs.map((s) => s.email),
    );
  });
});

describe('header injection', () => {
  it('keeps a hostile sender name and subject inside their own headers', async () => {
    const message = new CampaignMessage({
      campaignId: 1,
      fromName: 'Mairie"\r\nBcc: victime@exemple.test\r\nX-Evil: 1',
      fromAddress: 'mairie@commune.test',
      subject: 'Fête\r\nBcc: victime@exemple.test',
      domain: 'commune.test',
    });
    const { raw } = message.build({
      deliveryId: 7,
      to: 'habitant@exemple.test',
      unsubscribeUrl: 'https://commune.test/lettre/desabonner/abc',
      html: '<p>Bonjour</p>',
      text: 'Bonjour',
      date: new Date(),
    });
    const mail = await simpleParser(raw);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(mail.subject).toBe('Fête Bcc: victime@exemple.test');
    expect(mail.from?.value[0]?.address).toBe('mairie@commune.test');
    expect(() =>
      message.build({ deliveryId: 8, to: 'a@b.test>\r\nBcc: c@d.test', unsubscribeUrl: 'https://x.test/u', html: '', text: '', date: new Date() }),
    ).toThrow();
    expect(() =>
      message.build({ deliveryId: 9, to: 'a@b.test', unsubscribeUrl: 'https://x.test/u>\r\nBcc: c@d.test', html: '', text: '', date: new Date() }),
    ).toThrow();
  });
});
