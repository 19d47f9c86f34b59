import nodemailer, { type Transporter } from 'nodemailer';
import DKIM from 'nodemailer/lib/dkim';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type { MailMessage } from '../mail/mailer';
import { SmtpPool, type PoolOptions } from './smtp-pool';

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

export type SendOutcome =
  | { ok: true }
  /** `unknown`: the connection was cut after the whole message had left; the server may have taken it. */
  | { ok: false; permanent: boolean; unknown?: boolean; code: string; status?: number };

export interface OutboxSink {
  storeInMailbox(msg: MailMessage, raw: Buffer): Promise<void>;
}

/**
 * Hands finished messages to the SMTP server through a pool of connections (smtp-pool.ts), or,
 * without SMTP_URL, keeps them as .eml files in the local mailbox (the embedded outbox). Both
 * sign with DKIM through nodemailer's signer, so what the admin shows is what would have gone out.
 */
export class CampaignTransport {
  private readonly pool: SmtpPool | null;
  private readonly outboxTransport: Transporter | null;
  private readonly dkim: DKIM | null;
  readonly mode: 'smtp' | 'mailbox';

  constructor(
    opts: { smtpUrl?: string; poolSize: number; dkim?: DkimKey },
    private readonly outbox: OutboxSink,
  ) {
    this.mode = opts.smtpUrl ? 'smtp' : 'mailbox';
    const dkim = opts.dkim ? { ...opts.dkim, headerFieldNames: DKIM_HEADER_FIELDS } : undefined;
    this.dkim = dkim && opts.smtpUrl ? new DKIM(dkim) : null;
    if (opts.smtpUrl) {
      const smtp = parseConnectionUrl(opts.smtpUrl);
      const secure = Boolean(smtp.secure);
      this.pool = new SmtpPool({ ...smtp, host: smtp.host ?? '127.0.0.1', port: smtp.port ?? (secure ? 465 : 587), secure } as PoolOptions, opts.poolSize);
      this.outboxTransport = null;
    } else {
      this.pool = null;
      this.outboxTransport = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim } as nodemailer.TransportOptions);
    }
  }

  /** `copy` (what the admin mailbox lists) is only built in outbox mode. */
  async send(raw: Buffer, envelope: { from: string; to: string }, copy: () => MailMessage): Promise<SendOutcome> {
    try {
      if (this.outboxTransport) {
        const info = await this.outboxTransport.sendMail({ raw, envelope });
        await this.outbox.storeInMailbox(copy(), (info as unknown as { message: Buffer }).message);
        return { ok: true };
      }
      const signed = this.dkim ? await collect(this.dkim.sign(raw)) : raw;
      const result = await this.pool!.send(signed, envelope);
      if (result.ok) return result;
      if (!result.answered && result.dataSent) return { ok: false, permanent: false, unknown: true, code: 'smtp.unknown' };
      return classify(result.err);
    } catch (err) {
      return classify(err);
    }
  }

  close(): void {
    this.pool?.close();
    this.outboxTransport?.close();
  }
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
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
