/** The inbound SMTP listener (INBOUND_SMTP_PORT): accepts mail for our domain and hands each message to receiveEmail. */
import { SMTPServer } from 'smtp-server';
import type { Deps } from '../../deps.js';
import { receiveEmail } from '../webhooks.js';

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

export async function startSmtpListener(deps: Deps, port: number, log: (message: string) => void): Promise<SmtpListener> {
  const domain = deps.config.email.domain.toLowerCase();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: 30 * 1024 * 1024,
    banner: 'Frontdesk',
    onRcptTo(address, _session, callback) {
      const host = address.address.split('@')[1]?.toLowerCase();
      if (host !== domain) return callback(new Error(`we only accept mail for @${domain}`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        receiveEmail(deps, Buffer.concat(chunks), recipients)
          .then((result) => {
            if (result.kind === 'unroutable') log(`inbound mail not routed: ${result.reason}`);
            callback();
          })
          .catch((e) => {
            log(`inbound mail failed: ${(e as Error).message}`);
            callback(Object.assign(new Error('temporary failure, try again later'), { responseCode: 451 }));
          });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  server.on('error', (e) => log(`SMTP listener: ${e.message}`));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
