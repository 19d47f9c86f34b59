import net from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type { MailMessage } from '../mail/mailer';

export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/**
 * nodemailer signs List-Unsubscribe by default but not List-Unsubscribe-Post; RFC 8058 (and
 * Gmail) want both covered. The rest is nodemailer's own default list.
 */
export const DKIM_HEADER_FIELDS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
  'Content-ID:Content-Description:Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:Resent-Message-ID:' +
  'In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Unsubscribe-Post:List-Subscribe:List-Post:List-Owner:List-Archive';

export type SendOutcome = { ok: true } | { ok: false; permanent: boolean; code: string; status?: number };

export interface OutboxSink {
  storeInMailbox(msg: MailMessage, raw: Buffer): Promise<void>;
}

/**
 * Hands finished messages to the SMTP server through a pool of connections, or, without
 * SMTP_URL, keeps them as .eml files in the local mailbox (the embedded outbox). DKIM is applied
 * by nodemailer in both cases, so what the admin shows is what would have gone out.
 */
export class CampaignTransport {
  private readonly transport: Transporter;
  readonly mode: 'smtp' | 'mailbox';

  constructor(
    opts: { smtpUrl?: string; poolSize: number; dkim?: DkimKey },
    private readonly outbox: OutboxSink,
  ) {
    this.mode = opts.smtpUrl ? 'smtp' : 'mailbox';
    const dkim = opts.dkim ? { ...opts.dkim, headerFieldNames: DKIM_HEADER_FIELDS } : undefined;
    const smtp = opts.smtpUrl ? parseConnectionUrl(opts.smtpUrl) : null;
    this.transport = smtp
      ? nodemailer.createTransport({
          ...smtp,
          getSocket: noDelaySocket(smtp.host ?? '127.0.0.1', smtp.port ?? (smtp.secure ? 465 : 587)),
          pool: true,
          maxConnections: opts.poolSize,
          // A connection is renewed now and then rather than kept for a whole campaign.
          maxMessages: 1000,
          dkim,
        } as nodemailer.TransportOptions)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, dkim } as nodemailer.TransportOptions);
  }

  /** `copy` is what the admin mailbox lists in outbox mode. */
  async send(raw: Buffer, envelope: { from: string; to: string }, copy: MailMessage): Promise<SendOutcome> {
    try {
      const info = await this.transport.sendMail({ raw, envelope });
      if (this.mode === 'mailbox') await this.outbox.storeInMailbox(copy, (info as unknown as { message: Buffer }).message);
      return { ok: true };
    } catch (err) {
      return classify(err);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * The pool's connections with Nagle's algorithm off. Each message ends with a short write (the
 * final dot) that otherwise waits for the server's delayed acknowledgement, up to 40 ms on Linux:
 * with a few connections, that wait and not the CPU bounds a campaign. nodemailer negotiates TLS
 * (smtps, STARTTLS) over the socket handed to it, as over its own.
 */
function noDelaySocket(host: string, port: number) {
  return (_options: unknown, callback: (err: Error | null, socket?: { connection: net.Socket }) => void) => {
    const socket = net.connect({ host, port });
    const fail = (err: Error) => callback(err);
    socket.once('error', fail);
    // A server that never answers the connection is an error of the moment, not a hang.
    socket.setTimeout(30_000, () => socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.setTimeout(0);
      socket.setNoDelay(true);
      callback(null, { connection: socket });
    });
  };
}

/**
 * A 5xx about the recipient (refused at RCPT TO, or its message refused after DATA) is
 * permanent: that address bounces. Everything else — 4xx, a lost connection, a refused login or
 * sender — is a problem of the moment or of the server, never the resident's: retried, and
 * counted toward the automatic pause.
 */
export function classify(err: unknown): SendOutcome {
  const e = err as { code?: string; responseCode?: number; command?: string };
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const aboutRecipient = e.code === 'EENVELOPE' || (e.code === 'EMESSAGE' && e.command === 'DATA') || /RCPT/i.test(e.command ?? '');
  if (status !== undefined && status >= 500 && status < 600 && aboutRecipient) return { ok: false, permanent: true, code: 'smtp.permanent', status };
  if (e.code === 'EAUTH') return { ok: false, permanent: false, code: 'smtp.auth', status };
  if (status !== undefined && status >= 500) return { ok: false, permanent: false, code: 'smtp.refused', status };
  if (status !== undefined && status >= 400) return { ok: false, permanent: false, code: 'smtp.temporary', status };
  return { ok: false, permanent: false, code: 'smtp.connection' };
}
