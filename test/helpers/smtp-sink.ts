import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * What the sink answers for one recipient: accept, a temporary or permanent refusal, or a cut
 * connection: 'drop' once the whole message has arrived (before the final answer: the sender
 * cannot know whether it was taken), 'cut-before-data' at RCPT TO (nothing has left yet).
 */
export type SinkAnswer = 'accept' | { code: number; message: string } | 'drop' | 'cut-before-data';

export interface SinkMessage {
  rcptTo: string;
  raw: string;
}

export interface SmtpSink {
  url: string;
  messages: SinkMessage[];
  /** Messages accepted per recipient address. */
  counts: Map<string, number>;
  /** Decides per recipient and attempt (1 for the first time that address is seen). */
  answer: (address: string, attempt: number) => SinkAnswer;
  /** While true, accepted messages wait before their final answer (the crash test kills the sender then). */
  hold: boolean;
  held(): number;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps what it accepts (one recipient per message, as the
 * newsletter sends) and can refuse chosen recipients with 4xx/5xx answers or cut the connection.
 */
export async function startSmtpSink(opts: { keepRaw?: boolean } = {}): Promise<SmtpSink> {
  const attempts = new Map<string, number>();
  let holding = 0;
  const sink: SmtpSink = {
    url: '',
    messages: [],
    counts: new Map(),
    answer: () => 'accept',
    hold: false,
    held: () => holding,
    close: async () => undefined,
  };
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, session, callback) {
      const a = address.address.toLowerCase();
      const n = (attempts.get(a) ?? 0) + 1;
      attempts.set(a, n);
      const ans = sink.answer(a, n);
      if (ans === 'cut-before-data') return cut(session.id);
      if (ans === 'accept' || ans === 'drop') return callback();
      const err = new Error(ans.message) as Error & { responseCode: number };
      err.responseCode = ans.code;
      callback(err);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const rcpt = (session.envelope.rcptTo[0]?.address ?? '').toLowerCase();
        const ans = sink.answer(rcpt, attempts.get(rcpt) ?? 1);
        // The connection is lost before the final answer: the sender cannot know the outcome.
        if (ans === 'drop') return cut(session.id);
        const finish = () => {
          sink.counts.set(rcpt, (sink.counts.get(rcpt) ?? 0) + 1);
          sink.messages.push({ rcptTo: rcpt, raw: opts.keepRaw === false ? '' : Buffer.concat(chunks).toString('utf8') });
          callback();
        };
        if (!sink.hold) return finish();
        holding++;
        // Bounded wait: released when the test lifts the hold, or after a minute.
        const started = Date.now();
        const timer = setInterval(() => {
          if (!sink.hold || Date.now() - started > 60_000) {
            clearInterval(timer);
            holding--;
            finish();
          }
        }, 20);
      });
    },
  });
  // The socket of that SMTP session destroyed, as a network failure would.
  const cut = (sessionId: string) => {
    for (const conn of (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections)
      if (conn.id === sessionId) conn._socket.destroy();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined); // a connection cut on purpose is not a failure of the sink
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
