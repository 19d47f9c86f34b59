import type { EngagementEvent } from '../engagement/engagement.types';
import type { CampaignSend, DeliveryCounts, SendReason } from './deliveries.repository';

/** The shapes the campaign sender works with (campaign-sender.ts and the files it calls). */

/** A subscriber as the subscribers domain answers them (same shape as its Recipient). */
export interface SendRecipient {
  id: number;
  email: string;
  topics: number[];
  alertsOnly: boolean;
  tracking: boolean;
}

/** What the campaigns domain's renderer hands over, compiled once per campaign. */
export interface SendableCampaign {
  campaignId: number;
  kind: 'digest' | 'alert' | 'manual';
  subject: string;
  articlesFor(r: SendRecipient): number;
  /** The articles of this recipient's copy (counted per article when it is delivered). */
  articleIdsFor?(r: SendRecipient): number[];
  personalise(r: SendRecipient, links: { manageUrl: string; unsubscribeUrl: string }): { html: string; text: string };
}

export interface SenderPorts {
  subscribers: {
    /** Confirmed subscribers after the id `after`, in id order, `limit` at most. */
    audiencePage(kind: 'digest' | 'alert', after: number, limit: number): Promise<SendRecipient[]>;
    /** Those of `ids` still confirmed, with their topics of now. */
    recipients(ids: number[]): Promise<Map<number, SendRecipient>>;
    suppress(email: string, reason: 'bounced' | 'complaint' | 'unsubscribed', at: Date): Promise<unknown>;
  };
  links: { manageUrl(id: number): string; unsubscribeUrl(id: number): string };
  campaigns: {
    prepare(campaignId: number): Promise<SendableCampaign>;
    /** Idempotent: the campaign becomes `started` and gets its public number. */
    markStarted(campaignId: number, at: Date): Promise<unknown>;
    markSent(campaignId: number, at: Date): Promise<unknown>;
    /** The campaign's kind, without preparing it (an alert does not wait for the window). */
    kind(campaignId: number): Promise<'digest' | 'alert' | 'manual' | null>;
  };
  /** The engagement store: deliveries (per campaign and per article) and bounces, as counts. */
  engagement?: {
    record(...events: EngagementEvent[]): void;
    /** Corrections of past days (a delivery that bounced later), totalled again where already totalled. */
    correct?(events: EngagementEvent[]): Promise<void>;
  };
  /** The settings of the moment: window, hourly cap, who the mail is from. */
  limits(): Promise<{ windowStart: string; windowEnd: string; hourlyCap: number; fromName: string; fromAddress: string }>;
}

export interface SenderOptions {
  instance: string;
  timeZone: string;
  /** Deliveries claimed at a time (the most a crash can leave unknown). */
  batchSize: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Errors in a row after which the campaign pauses itself. */
  maxConsecutiveErrors: number;
  /** A delivery still `sending` this long after its claim was abandoned (another machine). */
  sendingTimeoutMs: number;
  /** Copies built and handed over at a time per batch: the pool's connections, no more. */
  inFlight: number;
  unsubscribeMailto?: string;
}

export interface SendReport {
  sent: number;
  skipped: number;
  retrying: number;
  failed: number;
  bounced: number;
  unknown: number;
  waiting: number;
  paused: number;
  done: number;
}

export interface SendProgress {
  state: CampaignSend['state'];
  counts: DeliveryCounts;
  sent: number;
  remaining: number;
  failed: number;
  percent: number;
  /** Seconds, from the pace of the last ten minutes (null: nothing sent lately to judge from). */
  secondsLeft: number | null;
  pausedReason: SendReason | null;
  /** Why it is not sending right now although it should (outside the window, hourly cap). */
  waitingFor: 'window' | 'cap' | null;
}

/** What the lanes of one run of one campaign share. */
export interface RunState {
  errorsInRow: number;
  lastError: string | null;
  /** Messages the hourly cap still allows in this run (shares being claimed already taken off). */
  budget: number;
  /** Shares of the cap taken by claims not yet answered (the other lane's). */
  reserved: number;
  /** Why the run stopped early: outside the window or the cap, or paused after errors. */
  halt: 'waiting' | 'paused' | null;
}
