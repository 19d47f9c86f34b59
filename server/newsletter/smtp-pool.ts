import net from 'node:net';
import { PassThrough } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** What became of one message handed to the pool. */
export type PoolResult =
  | { ok: true }
  /**
   * `answered`: the server said no (an SMTP reply). Otherwise the connection failed, and
   * `dataSent` says whether the whole message, final dot included, had been handed to it: the
   * server may then have accepted it without our hearing so.
   */
  | { ok: false; err: SMTPConnection.SMTPError; answered: boolean; dataSent: boolean };

export interface PoolOptions {
  host: string;
  port: number;
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** nodemailer's parsed URL may carry more (tls, name, ignoreTLS…): passed on to each connection. */
  [key: string]: unknown;
}

interface Slot {
  conn: SMTPConnection | null;
  messages: number;
}

/**
 * A small pool of SMTP connections built on nodemailer's SMTPConnection rather than its pool:
 * nodemailer's pool reports a connection cut the same way whether it happened before DATA (safe
 * to send again) or after the message's final dot (the server may have taken it), and may even
 * queue such a message again by itself. Here each message is a stream that SMTPConnection only
 * reads after the server's 354, so its end tells exactly whether the message had left.
 * `size` connections at most, each renewed after `maxMessages`; a caller waits for a free one.
 */
export class SmtpPool {
  private readonly free: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private closed = false;

  constructor(
    private readonly opts: PoolOptions,
    size: number,
    private readonly maxMessages = 1000,
  ) {
    this.free = Array.from({ length: Math.max(1, size) }, () => ({ conn: null, messages: 0 }));
  }

  async send(raw: Buffer, envelope: { from: string; to: string }): Promise<PoolResult> {
    const slot = await this.acquire();
    try {
      let conn: SMTPConnection;
      try {
        conn = await this.connection(slot);
      } catch (err) {
        return { ok: false, err: err as SMTPConnection.SMTPError, answered: false, dataSent: false };
      }
      const result = await transmit(conn, raw, envelope);
      slot.messages++;
      // After any failure the connection is dropped: its state (mid-transaction, cut) is not trusted.
      if (!result.ok || slot.messages >= this.maxMessages) drop(slot);
      return result;
    } finally {
      this.release(slot);
    }
  }

  close(): void {
    this.closed = true;
    for (const slot of this.free) drop(slot);
  }

  private acquire(): Promise<Slot> {
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else {
      if (this.closed) drop(slot);
      this.free.push(slot);
    }
  }

  private async connection(slot: Slot): Promise<SMTPConnection> {
    if (slot.conn) return slot.conn;
    const { auth, ...rest } = this.opts;
    const socket = await noDelaySocket(this.opts.host, this.opts.port);
    const conn = new SMTPConnection({ ...(rest as SMTPConnection.Options), connection: socket });
    // An idle connection closed by the server emits an error: it is simply forgotten.
    const forget = () => {
      if (slot.conn === conn) {
        slot.conn = null;
        slot.messages = 0;
      }
    };
    conn.on('error', forget);
    conn.on('end', forget);
    await new Promise<void>((resolve, reject) => {
      conn.once('error', reject);
      conn.connect(() => {
        conn.off('error', reject);
        resolve();
      });
    });
    if (auth) {
      await new Promise<void>((resolve, reject) => conn.login(auth, (err) => (err ? reject(err) : resolve()))).catch((err: unknown) => {
        conn.close();
        throw err;
      });
    }
    slot.conn = conn;
    slot.messages = 0;
    return conn;
  }
}

function drop(slot: Slot): void {
  const conn = slot.conn;
  slot.conn = null;
  slot.messages = 0;
  if (conn) conn.quit();
}

/** One message over one connection; settles once, whichever comes first. */
function transmit(conn: SMTPConnection, raw: Buffer, envelope: { from: string; to: string }): Promise<PoolResult> {
  return new Promise((resolve) => {
    const body = new PassThrough();
    let dataSent = false;
    // SMTPConnection pipes the message only after the server's 354: its end means the whole
    // message has been handed to the socket, and the final dot follows at once.
    body.once('end', () => (dataSent = true));
    body.end(raw);
    let done = false;
    const finish = (r: PoolResult) => {
      if (done) return;
      done = true;
      conn.off('error', onError);
      conn.off('end', onEnd);
      resolve(r);
    };
    const onError = (err: SMTPConnection.SMTPError) => finish({ ok: false, err, answered: false, dataSent });
    const onEnd = () => finish({ ok: false, err: Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }), answered: false, dataSent });
    conn.once('error', onError);
    conn.once('end', onEnd);
    conn.send({ from: envelope.from, to: [envelope.to] }, body, (err) => {
      if (!err) return finish({ ok: true });
      // A reply of the server (a 4xx/5xx code) is an answer; an error without one is the connection's.
      finish({ ok: false, err, answered: typeof err.responseCode === 'number', dataSent });
    });
  });
}

/**
 * A connected TCP socket with Nagle's algorithm off. Each message ends with a short write (the
 * final dot) that otherwise waits for the server's delayed acknowledgement, up to 40 ms on Linux:
 * with a few connections, that wait and not the CPU bounds a campaign. SMTPConnection negotiates
 * TLS (smtps, STARTTLS) over the socket handed to it, as over its own.
 */
function noDelaySocket(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('error', reject);
    // A server that never answers the connection is an error of the moment, not a hang.
    socket.setTimeout(30_000, () => socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setTimeout(0);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
