/** A local server that speaks the WhatsApp Cloud API's send endpoint: POST /{version}/{phone-number-id}/messages with a bearer token. */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeGraph {
  readonly requests: { path: string; body: any }[] = [];
  readonly nextSends: { status: number; body: unknown }[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(readonly token = 'graph-test-token') {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private reply(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return this.reply(res, 401, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
    }
    if (req.method !== 'POST' || !/^\/v\d+\.\d+\/\d+\/messages$/.test(req.url ?? '')) return this.reply(res, 404, { error: { message: 'Unknown path', code: 803 } });
    const body = JSON.parse(Buffer.concat(chunks).toString());
    this.requests.push({ path: req.url!, body });
    const next = this.nextSends.shift();
    if (next) return this.reply(res, next.status, next.body);
    this.reply(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${randomBytes(12).toString('hex')}` }] });
  }
}
