/**
 * A local server that speaks the WhatsApp Cloud API's send endpoint (POST /{version}/{phone-number-id}/messages)
 * and its media download in two steps, every call with the bearer token: GET /{version}/{media-id}
 * answers the media's short-lived URL with mime_type, sha256 and file_size (a string, as Meta sends
 * it: docs.kapso.ai's proxy of Meta's "Retrieve media URL" shows the same body), and that URL
 * (lookaside.fbsbx.com in production) hands over the bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeGraph {
  readonly requests: { path: string; body: any }[] = [];
  readonly nextSends: { status: number; body: unknown }[] = [];
  /** Answers for the next media URL look-ups, in order; when empty, the media's URL. */
  readonly nextMediaLookups: { status: number; body: unknown }[] = [];
  /** The media downloads asked for, by media id. */
  readonly downloads: string[] = [];
  private media = new Map<string, { bytes: Buffer; mimeType: string; fileSize?: number }>();
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

  /** A file a patient sent: its media id, as the webhook would name it. `fileSize` overrides the size Graph reports. */
  addMedia(bytes: Buffer, mimeType: string, fileSize?: number): string {
    const id = String(1_000_000_000_000 + this.media.size + Math.floor(Math.random() * 1_000_000));
    this.media.set(id, { bytes, mimeType, fileSize });
    return id;
  }

  private mediaLookup(res: http.ServerResponse, id: string) {
    const next = this.nextMediaLookups.shift();
    if (next) return this.reply(res, next.status, next.body);
    const file = this.media.get(id);
    if (!file) return this.reply(res, 400, { error: { message: 'Unsupported get request. Object does not exist', type: 'GraphMethodException', code: 100, error_subcode: 33 } });
    this.reply(res, 200, {
      messaging_product: 'whatsapp',
      url: `${this.url}/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(Date.now() / 1000)}&hash=${randomBytes(8).toString('hex')}`,
      mime_type: file.mimeType,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      file_size: String(file.fileSize ?? file.bytes.length),
      id,
    });
  }

  private download(res: http.ServerResponse, url: URL) {
    const id = url.searchParams.get('mid') ?? '';
    const file = this.media.get(id);
    this.downloads.push(id);
    if (!file) return this.reply(res, 404, { error: { message: 'not found' } });
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.length });
    res.end(file.bytes);
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
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/whatsapp_business/attachments/') return this.download(res, url);
    const lookup = /^\/v\d+\.\d+\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && lookup) return this.mediaLookup(res, lookup[1]);
    if (req.method !== 'POST' || !/^\/v\d+\.\d+\/\d+\/messages$/.test(req.url ?? '')) return this.reply(res, 404, { error: { message: 'Unknown path', code: 803 } });
    const body = JSON.parse(Buffer.concat(chunks).toString());
    this.requests.push({ path: req.url!, body });
    const next = this.nextSends.shift();
    if (next) return this.reply(res, next.status, next.body);
    this.reply(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${randomBytes(12).toString('hex')}` }] });
  }
}
