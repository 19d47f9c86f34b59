import type { MailMessage } from '../mail/mailer';
import type { PreparedCampaign, Recipient } from './campaign-renderer';

export interface Sender {
  name: string;
  address: string;
}

/** A display name cannot break out of its header: no quotes, backslashes or line breaks. */
export function fromHeader(s: Sender): string {
  const name = s.name.replace(/[\r\n"\\]+/g, ' ').trim();
  const address = s.address.replace(/[\r\n<>\s]+/g, '');
  return name ? `"${name}" <${address}>` : address;
}

/** The address part of "Name <address>" (SMTP_FROM), or the value itself. */
export function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

/**
 * One copy of a campaign as a message: both parts, and the one-click unsubscribe of RFC 8058
 * (one List-Unsubscribe header holding the https address, and List-Unsubscribe-Post). The same
 * shape goes to the Mailer (test sends), to nodemailer's MailComposer (the CLI preview) and to
 * the bulk sender.
 */
export function campaignMessage(
  p: PreparedCampaign,
  r: Recipient,
  links: { manageUrl: string; unsubscribeUrl: string },
  sender: Sender,
  opts: { test?: boolean } = {},
): MailMessage & { from: string; html: string; headers: Record<string, string> } {
  const { html, text } = p.personalise(r, links);
  const subject = `${opts.test ? '[TEST] ' : ''}${p.subject}`.replace(/[\r\n]+/g, ' ');
  return {
    from: fromHeader(sender),
    to: r.email,
    subject,
    html,
    text,
    headers: {
      'List-Unsubscribe': `<${links.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}
