import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import type { DeliveriesRepository } from './deliveries.repository';
import { inSendingWindow } from './sending-window';
import type { SendProgress, SenderOptions, SenderPorts } from './campaign-sender.types';

const HOUR = 3600_000;

/** Where a campaign's send stands, for the progress bar: counts, why it waits, time left. */
export async function sendProgress(
  deps: { repo: DeliveriesRepository; ports: SenderPorts; clock: Clock; opts: SenderOptions },
  campaignId: number,
): Promise<SendProgress> {
  const { repo, ports, clock, opts } = deps;
  const send = await repo.get(campaignId);
  if (!send) throw new NotFoundError('Cette lettre n’a pas commencé à partir.');
  const now = clock.now();
  const counts = await repo.counts(campaignId);
  const remaining = counts.queued + counts.sending;
  const failed = counts.failed + counts.bounced;
  const settled = counts.total - remaining;
  let waitingFor: SendProgress['waitingFor'] = null;
  let secondsLeft: number | null = null;
  if (send.state === 'sending' && remaining > 0) {
    const limits = await ports.limits();
    const urgent = (await ports.campaigns.kind(campaignId)) === 'alert';
    // An alert does not wait for the window; the hourly cap is the mail provider's and holds for all.
    if (!urgent && !inSendingWindow(now, { start: limits.windowStart, end: limits.windowEnd }, opts.timeZone)) waitingFor = 'window';
    else if ((await repo.sentSince(new Date(now.getTime() - HOUR))) >= limits.hourlyCap) waitingFor = 'cap';
    const recent = await repo.sentSince(new Date(now.getTime() - 600_000), campaignId);
    // The pace of the last ten minutes, never faster than the hourly cap allows.
    const perSecond = Math.min(recent / 600, limits.hourlyCap / 3600);
    if (perSecond > 0) secondsLeft = Math.ceil(remaining / perSecond);
  }
  if (remaining === 0) secondsLeft = 0;
  return {
    state: send.state,
    counts,
    sent: counts.sent,
    remaining,
    failed,
    percent: counts.total ? Math.floor((settled * 100) / counts.total) : 100,
    secondsLeft,
    pausedReason: send.pausedReason,
    waitingFor,
  };
}
