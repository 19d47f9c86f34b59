import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logger';
import { maskEmail } from '../logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  /** Overrides the configured sender (the newsletter sends as the commune). */
  from?: string;
}

export interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
  date: string;
  text: string;
  html?: string;
}

/**
 * The one way Crieur sends e-mail. With SMTP_URL it speaks SMTP through nodemailer; without,
 * it writes each message as a .eml file (plus a small JSON index) under DATA_DIR/mailbox, which
 * the admin lists, so that the demo works with nothing installed.
 */
export class Mailer {
  private readonly transport: Transporter;
  readonly mode: 'smtp' | 'mailbox';

  constructor(
    private readonly opts: { smtpUrl?: string; from: string; mailboxDir: string },
    private readonly log: Logger,
  ) {
    this.mode = opts.smtpUrl ? 'smtp' : 'mailbox';
    this.transport = opts.smtpUrl
      ? nodemailer.createTransport(opts.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(msg: MailMessage): Promise<{ messageId: string }> {
    const info = await this.transport.sendMail({
      from: msg.from ?? this.opts.from,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      html: msg.html,
      headers: msg.headers,
    });
    if (this.mode === 'mailbox') await this.storeInMailbox(msg, (info as unknown as { message: Buffer }).message);
    this.log.info({ to: maskEmail(msg.to), mode: this.mode }, 'mail sent');
    return { messageId: info.messageId };
  }

  /** Keeps a finished message in the local mailbox (the newsletter's outbox writes here too). */
  async storeInMailbox(msg: MailMessage, raw: Buffer): Promise<void> {
    await fs.mkdir(this.opts.mailboxDir, { recursive: true });
    const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}`;
    const entry: MailboxEntry = { id, to: msg.to, subject: msg.subject, date: new Date().toISOString(), text: msg.text, html: msg.html };
    await fs.writeFile(path.join(this.opts.mailboxDir, `${id}.eml`), raw);
    await fs.writeFile(path.join(this.opts.mailboxDir, `${id}.json`), JSON.stringify(entry));
  }

  async listMailbox(opts: { limit: number; offset: number }): Promise<{ rows: MailboxEntry[]; total: number }> {
    let files: string[];
    try {
      files = (await fs.readdir(this.opts.mailboxDir))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .reverse();
    } catch {
      return { rows: [], total: 0 };
    }
    const page = files.slice(opts.offset, opts.offset + opts.limit);
    const rows = await Promise.all(page.map(async (f) => JSON.parse(await fs.readFile(path.join(this.opts.mailboxDir, f), 'utf8')) as MailboxEntry));
    return { rows, total: files.length };
  }

  async readMailbox(id: string): Promise<{ entry: MailboxEntry; raw: string } | null> {
    if (!/^[\w-]+$/.test(id)) return null;
    try {
      const entry = JSON.parse(await fs.readFile(path.join(this.opts.mailboxDir, `${id}.json`), 'utf8')) as MailboxEntry;
      const raw = await fs.readFile(path.join(this.opts.mailboxDir, `${id}.eml`), 'utf8');
      return { entry, raw };
    } catch {
      return null;
    }
  }

  close(): void {
    this.transport.close();
  }
}
