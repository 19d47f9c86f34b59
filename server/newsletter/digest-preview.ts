import crypto from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { formatDate } from '../i18n/format';
import { campaignMessage } from './campaign-message';
import type { CampaignRenderer } from './campaign-renderer';
import type { CampaignsService } from './campaigns.service';
import { nextDigestSlot } from './digest-schedule';

/**
 * The next digest as a subscriber of every topic would receive it, as a complete RFC 5322
 * message (every header, both parts), built by nodemailer's MailComposer and sent nowhere.
 * Null when nothing waits for the digest (it would not go out).
 */
export async function nextDigestMessage(d: {
  campaigns: CampaignsService;
  renderer: CampaignRenderer;
  commune: () => Promise<{ name: string }>;
  newsletter: () => Promise<{ digestDay: number; digestTime: string }>;
  timeZone: string;
  now: Date;
  to: string;
}): Promise<{ raw: Buffer; articles: number; subject: string } | null> {
  const ids = await d.campaigns.nextDigestArticles();
  if (!ids.length) return null;
  const [commune, n] = await Promise.all([d.commune(), d.newsletter()]);
  const slot = nextDigestSlot(d.now, n.digestDay, n.digestTime, d.timeZone);
  const subject = `${commune.name} : la lettre du ${formatDate(slot, 'fr', d.timeZone)}`;
  const prepared = await d.renderer.render({ campaignId: 0, number: null, kind: 'digest', subject, intro: '', blocks: await d.renderer.blocks(ids) });
  const reader = await d.campaigns.everyTopic(d.to);
  const sender = await d.campaigns.sender();
  const msg = campaignMessage(prepared, reader, d.campaigns.exampleLinks(), sender);
  const domain = sender.address.split('@')[1] ?? 'localhost';
  const raw = await new MailComposer({
    ...msg,
    date: d.now,
    messageId: `<apercu-${crypto.randomBytes(8).toString('hex')}@${domain}>`,
  })
    .compile()
    .build();
  return { raw, articles: prepared.articlesFor(reader), subject };
}
