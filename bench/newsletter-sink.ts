/**
 * The benchmark's SMTP sink, in a process of its own so that it never takes the sender's CPU:
 * a real smtp-server on 127.0.0.1 that reads each message and throws it away. Prints its port,
 * then answers "count" on stdin with the number of messages accepted so far.
 */
import readline from 'node:readline';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let accepted = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 100,
  onData(stream, _session, callback) {
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      accepted++;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  console.log(`port ${(server.server.address() as AddressInfo).port}`);
});
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'count') console.log(`count ${accepted} ${bytes}`);
  if (line.trim() === 'exit') server.close(() => process.exit(0));
});
