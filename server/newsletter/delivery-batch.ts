import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { CampaignMessage } from './raw-message';
import { isSafeAddress } from './raw-message';
import type { CampaignTransport, SendOutcome } from './campaign-transport';
import { CODES, type ClaimedDelivery, type DeliveriesRepository } from './deliveries.repository';
import type { RunState, SendableCampaign, SendRecipient, SenderOptions, SenderPorts, SendReport } from './campaign-sender.types';

export interface BatchDeps {
  repo: DeliveriesRepository;
  transport: CampaignTransport;
  ports: SenderPorts;
  clock: Clock;
  log: Logger;
  opts: SenderOptions;
}

type Result = { d: ClaimedDelivery; r: SendRecipient; out: SendOutcome };

/**
 * Sends one claimed batch and settles every row of it. The recipients are read for this batch
 * only (still confirmed, with their topics of now): nobody's data is held for a whole campaign.
 * Messages are built one at a time per connection, just before a connection is free to take
 * them, so that a fast send never piles up built copies waiting for the server.
 */
export async function sendBatch(
  deps: BatchDeps,
  campaign: SendableCampaign,
  message: CampaignMessage,
  claimed: ClaimedDelivery[],
  report: SendReport,
  run: RunState,
): Promise<void> {
  const { repo, ports, opts } = deps;
  const instance = opts.instance;
  // Read just before sending: whoever unsubscribed since the start gets nothing more.
  const recipients = await ports.subscribers.recipients(claimed.map((d) => d.subscriberId));
  const gone: number[] = [];
  const empty: number[] = [];
  const invalid: number[] = [];
  const toSend: { d: ClaimedDelivery; r: SendRecipient }[] = [];
  for (const d of claimed) {
    const r = recipients.get(d.subscriberId);
    if (!r) gone.push(d.id);
    else if (campaign.articlesFor(r) === 0) empty.push(d.id);
    else if (!isSafeAddress(r.email)) invalid.push(d.id);
    else toSend.push({ d, r });
  }
  if (gone.length) report.skipped += await repo.settle(gone, instance, { status: 'skipped', error: 'unsubscribed' });
  if (empty.length) report.skipped += await repo.settle(empty, instance, { status: 'skipped', error: 'empty' });
  if (invalid.length) report.failed += await repo.settle(invalid, instance, { status: 'failed', error: CODES.invalidAddress });

  const from = await ports.limits();
  const results: Result[] = [];
  let next = 0;
  // As many builders as the pool has connections: each builds its next copy once its last one has
  // been answered, so at most about two copies per connection exist at any moment.
  const worker = async () => {
    while (next < toSend.length) {
      const { d, r } = toSend[next++]!;
      results.push({ d, r, out: await sendOne(deps, campaign, message, d, r, from.fromAddress) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.inFlight, toSend.length) }, worker));
  await settle(deps, campaign, results, report, run);
}

async function sendOne(
  deps: BatchDeps,
  campaign: SendableCampaign,
  message: CampaignMessage,
  d: ClaimedDelivery,
  r: SendRecipient,
  fromAddress: string,
): Promise<SendOutcome> {
  let built: { raw: Buffer; html: string; text: string };
  try {
    const unsubscribeUrl = deps.ports.links.unsubscribeUrl(r.id);
    const { html, text } = campaign.personalise(r, { manageUrl: deps.ports.links.manageUrl(r.id), unsubscribeUrl });
    built = { raw: message.build({ deliveryId: d.id, to: r.email, unsubscribeUrl, html, text, date: deps.clock.now() }).raw, html, text };
  } catch (err) {
    // Nothing left for the server: the row is retried like a temporary error, never left `sending`.
    deps.log.error({ err, deliveryId: d.id }, 'a campaign message could not be built');
    return { ok: false, permanent: false, code: CODES.unexpected };
  }
  const copy = () => ({ to: r.email, subject: campaign.subject, text: built.text, html: built.html });
  return deps.transport.send(built.raw, { from: fromAddress, to: r.email }, copy);
}

async function settle(deps: BatchDeps, campaign: SendableCampaign, results: Result[], report: SendReport, run: RunState): Promise<void> {
  const { repo, ports, opts, clock } = deps;
  const instance = opts.instance;
  const now = clock.now();
  const sent: number[] = [];
  const unknown: number[] = [];
  const bounced: { id: number; email: string }[] = [];
  const retry = new Map<number, number[]>(); // attempts → ids
  const failed: number[] = [];
  for (const { d, r, out } of results) {
    if (out.ok) {
      sent.push(d.id);
      run.errorsInRow = 0;
      continue;
    }
    run.errorsInRow++;
    run.lastError = out.status ? `${out.status}` : out.code;
    if (out.unknown) unknown.push(d.id);
    else if (out.permanent) bounced.push({ id: d.id, email: r.email });
    else if (d.attempts + 1 >= opts.maxAttempts) failed.push(d.id);
    else retry.set(d.attempts + 1, [...(retry.get(d.attempts + 1) ?? []), d.id]);
  }
  if (sent.length) {
    const moved = await repo.settle(sent, instance, { status: 'sent', sentAt: now, error: null });
    if (moved !== sent.length) deps.log.error({ expected: sent.length, moved }, 'some sent deliveries were settled by someone else');
    report.sent += moved;
    countDelivered(deps, campaign, results, now);
  }
  // The server may have taken these: reported on the campaign page, never sent again.
  if (unknown.length) {
    report.unknown += await repo.settle(unknown, instance, { status: 'unknown', error: CODES.cutAfterData });
    deps.log.warn({ unknown: unknown.length }, 'connection cut after the message had left: reported as unknown, not sent again');
  }
  for (const b of bounced) {
    await repo.settle([b.id], instance, { status: 'bounced', error: CODES.permanent });
    await ports.subscribers.suppress(b.email, 'bounced', now);
    report.bounced++;
  }
  if (bounced.length) ports.engagement?.record({ channel: 'newsletter', kind: 'bounce', campaignId: campaign.campaignId, value: bounced.length, at: now });
  if (failed.length) report.failed += await repo.settle(failed, instance, { status: 'failed', error: CODES.gaveUp, attempts: opts.maxAttempts });
  for (const [attempts, ids] of retry) {
    const at = new Date(now.getTime() + opts.retryBaseMs * 2 ** (attempts - 1));
    report.retrying += await repo.settle(ids, instance, { status: 'queued', attempts, retryAt: at, error: CODES.temporary });
  }
}

/** Copies the mail server accepted: one count for the campaign, and one per article they held. */
function countDelivered(deps: BatchDeps, campaign: SendableCampaign, results: Result[], at: Date): void {
  const engagement = deps.ports.engagement;
  if (!engagement) return;
  let delivered = 0;
  const perArticle = new Map<number, number>();
  for (const { r, out } of results) {
    if (!out.ok) continue;
    delivered++;
    for (const id of campaign.articleIdsFor?.(r) ?? []) perArticle.set(id, (perArticle.get(id) ?? 0) + 1);
  }
  const campaignId = campaign.campaignId;
  engagement.record({ channel: 'newsletter', kind: 'delivery', campaignId, value: delivered, at });
  for (const [articleId, n] of perArticle) engagement.record({ channel: 'newsletter', kind: 'article_delivery', campaignId, articleId, value: n, at });
}
