import { addDays, dayFormatter } from '../audience/audience.days';
import { fromLocalInput } from '../i18n/format';
import type { EngagementEvent } from './engagement.types';

export const DEMO_HISTORY_DAYS = 90;

export interface DemoArticleFacts {
  id: number;
  publishedAt: Date;
  urgent: boolean;
  /** Its publication on the site, which the demo records as sent: its views name it. */
  sitePublicationId?: number | null;
}

// Monday-first visits of a small commune's site: busy on weekdays, quiet at the weekend.
const WEEKDAY_FACTOR = [0.55, 1.15, 1.05, 1, 1, 0.95, 0.6]; // Sunday … Saturday
const SOURCES: [string, number][] = [
  ['direct', 0.38],
  ['search', 0.27],
  ['social', 0.17],
  ['newsletter', 0.13],
  ['other', 0.05],
];
const NETWORKS = ['facebook', 'mastodon', 'bluesky'] as const;
// A post's reach on each network, relative to Facebook (where most residents are).
const NETWORK_SIZE: Record<(typeof NETWORKS)[number], number> = { facebook: 1, mastodon: 0.25, bluesky: 0.18 };
const DIGEST_WEEKDAY = 5; // Friday, the newsletter's default

/** A small deterministic generator (mulberry32): the same demo gives the same history. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ninety days of plausible figures for the demo commune, ending yesterday: site visits with a
 * weekly rhythm and a peak on each article's publication, a Friday newsletter to a list that
 * grows slowly (deliveries, per-article copies, opens, clicks, a rare bounce, departures), and
 * each article's social figures on Facebook, Mastodon and Bluesky over the days after it was
 * published. Every event is marked demo. An article's site views name its site publication (the
 * demo records it as sent); the demo has no social accounts and no past campaigns, so social
 * figures name no publication and newsletter figures no campaign.
 */
export function demoHistory(now: Date, timeZone: string, articles: DemoArticleFacts[]): EngagementEvent[] {
  const rnd = random(20261203);
  const around = (n: number, spread = 0.25) => Math.max(0, Math.round(n * (1 - spread + 2 * spread * rnd())));
  const dayOf = dayFormatter(timeZone);
  const today = dayOf(now);
  const at = (day: string, time: string) => fromLocalInput(`${day}T${time}`, timeZone) ?? new Date(`${day}T12:00:00.000Z`);
  const out: EngagementEvent[] = [];
  const push = (e: Omit<EngagementEvent, 'demo'> & { value: number }) => {
    if (e.value) out.push({ ...e, demo: true } as EngagementEvent);
  };
  let subscribers = 180;

  for (let back = DEMO_HISTORY_DAYS; back >= 1; back--) {
    const day = addDays(today, -back);
    const weekday = new Date(`${day}T12:00:00.000Z`).getUTCDay();
    const factor = WEEKDAY_FACTOR[weekday] as number;
    const noon = at(day, '12:30');
    // Other pages (home, lists, agenda): a base that grows a little over the quarter.
    const growth = 1 + (DEMO_HISTORY_DAYS - back) / (DEMO_HISTORY_DAYS * 3);
    let visitors = 0;
    for (const [source, share] of SOURCES) {
      const n = around(95 * growth * factor * share);
      push({ channel: 'site', kind: 'view', articleId: null, source, value: n, at: noon });
      visitors += n * 0.7;
    }
    // Each article published by then: a peak on its day, fading over about two weeks.
    for (const a of articles) {
      const age = Math.floor((noon.getTime() - a.publishedAt.getTime()) / 86_400_000);
      if (age < 0 || dayOf(a.publishedAt) > day) continue;
      const interest = (a.urgent ? 260 : 110) * Math.exp(-age / 4) + 3;
      for (const [source, share] of SOURCES) {
        const n = around(interest * factor * share, 0.4);
        push({ channel: 'site', kind: 'view', articleId: a.id, publicationId: a.sitePublicationId ?? null, source, value: n, at: noon });
        visitors += n * 0.6;
      }
      if (age <= 6) {
        for (const network of NETWORKS) {
          const size = NETWORK_SIZE[network] * (a.urgent ? 2.5 : 1) * Math.exp(-age / 1.5);
          const when = at(day, '18:00');
          if (network === 'facebook') push({ channel: network, kind: 'impression', articleId: a.id, value: around(420 * size, 0.3), at: when });
          push({ channel: network, kind: 'reaction', articleId: a.id, value: around(24 * size, 0.4), at: when });
          push({ channel: network, kind: 'share', articleId: a.id, value: around(5 * size, 0.5), at: when });
          push({ channel: network, kind: 'reply', articleId: a.id, value: around(3 * size, 0.6), at: when });
        }
      }
    }
    push({ channel: 'site', kind: 'visitor', articleId: null, value: Math.round(visitors), at: at(day, '23:30') });

    // The list: a few confirmations a day, more after a letter; a departure now and then.
    const joined = around(weekday === DIGEST_WEEKDAY ? 4 : 1.6, 0.8);
    const left = rnd() < 0.22 ? 1 : 0;
    subscribers += joined - left;
    push({ channel: 'newsletter', kind: 'subscribe', value: joined, at: at(day, '09:10') });
    push({ channel: 'newsletter', kind: 'unsubscribe', value: left, at: at(day, '10:40') });

    if (weekday === DIGEST_WEEKDAY) {
      const sentAt = at(day, '10:00');
      const bounced = rnd() < 0.5 ? 1 : 0;
      const delivered = subscribers - bounced;
      push({ channel: 'newsletter', kind: 'delivery', value: delivered, at: sentAt });
      push({ channel: 'newsletter', kind: 'bounce', value: bounced, at: sentAt });
      push({ channel: 'newsletter', kind: 'open', value: around(delivered * 0.46, 0.1), at: at(day, '12:00') });
      // The week's articles, each in most copies (subscribers choose their topics).
      const inLetter = articles.filter((a) => {
        const age = (sentAt.getTime() - a.publishedAt.getTime()) / 86_400_000;
        return age >= 0 && age < 7;
      });
      for (const a of inLetter) {
        const copies = Math.round(delivered * (0.6 + 0.35 * rnd()));
        push({ channel: 'newsletter', kind: 'article_delivery', articleId: a.id, value: copies, at: sentAt });
        push({ channel: 'newsletter', kind: 'click', articleId: a.id, value: around(copies * 0.09, 0.4), at: at(day, '12:30') });
      }
    }
  }
  return out;
}
