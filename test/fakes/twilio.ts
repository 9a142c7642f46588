/**
 * A local server that speaks the parts of Twilio's REST API Frontdesk uses: Messages.json,
 * AvailablePhoneNumbers and IncomingPhoneNumbers (buy, list in pages, fetch, update, release), with
 * HTTP basic auth and Twilio's error bodies. The account's numbers are kept, so a test can give the
 * clinic numbers of its own and see what was done to them.
 *
 * MMS media as Twilio serves it: the webhook's MediaUrl{N} is an address on the API
 * (/Messages/MM…/Media/ME…), which with the account's basic auth answers a redirect to a signed,
 * short-lived address on a media store of another origin (mms.twiliocdn.com, see
 * github.com/Abilityai/trinity/pull/1937); the store, like S3 behind it, refuses a request that
 * also carries an Authorization header.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { twilioSignature } from '../../src/channels/sms/twilio.js';

export interface TwilioRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  /** performance.now() when the request arrived. */
  at: number;
}

type Behaviour = { status: number; body: unknown } | 'hang';

/** An IncomingPhoneNumber resource, in Twilio's field names. */
export interface FakeNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
  sms_url: string;
  sms_method: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean };
}

interface StoredMedia {
  bytes: Buffer;
  contentType: string;
}

export class FakeTwilio {
  readonly requests: TwilioRequest[] = [];
  /** Answers for the next media fetches on the API, in order; when empty, the redirect to the store. */
  readonly nextMedia: Behaviour[] = [];
  /** What the media store was asked, with the Authorization header it saw. */
  readonly storeRequests: { path: string; authorization?: string }[] = [];
  private media = new Map<string, StoredMedia>();
  private store = http.createServer((req, res) => this.serveStored(req, res));
  private storeUrl = '';
  /** Answers for the next sends, in order; when empty, a send succeeds. */
  readonly nextSends: Behaviour[] = [];
  /** The account's numbers, by SID. */
  readonly numbers = new Map<string, FakeNumber>();
  private server = http.createServer((req, res) => void this.handle(req, res));
  private hanging: http.ServerResponse[] = [];
  url = '';

  constructor(
    readonly accountSid = 'ACtest0000000000000000000000000000',
    readonly authToken = 'test-auth-token',
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.store.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.storeUrl = `http://127.0.0.1:${(this.store.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const server of [this.server, this.store]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Keeps a file for an incoming MMS and gives the MediaUrl Twilio would put in the webhook. */
  addMedia(messageSid: string, bytes: Buffer, contentType: string): string {
    const sid = `ME${randomBytes(16).toString('hex')}`;
    this.media.set(sid, { bytes, contentType });
    return `${this.url}/2010-04-01/Accounts/${this.accountSid}/Messages/${messageSid}/Media/${sid}`;
  }

  /** The signed store address a media fetch is redirected to (the signature stands in for S3's). */
  private storeAddress(sid: string): string {
    return `${this.storeUrl}/${this.accountSid}/${sid}?Expires=${Math.floor(Date.now() / 1000) + 300}&Signature=${this.storeSignature(sid)}`;
  }

  private storeSignature(sid: string): string {
    return Buffer.from(`${this.authToken}:${sid}`).toString('base64url');
  }

  private serveStored(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, 'http://x');
    this.storeRequests.push({ path: url.pathname, authorization: req.headers.authorization });
    const sid = url.pathname.split('/').at(-1) ?? '';
    const file = this.media.get(sid);
    if (req.headers.authorization) {
      res.writeHead(400, { 'content-type': 'application/xml' });
      return res.end('<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>');
    }
    if (!file || url.searchParams.get('Signature') !== this.storeSignature(sid)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
    res.end(file.bytes);
  }

  get sends(): TwilioRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
  }

  async waitForSends(n: number, ms = 15_000): Promise<TwilioRequest[]> {
    const deadline = Date.now() + ms;
    while (this.sends.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} sends, got ${this.sends.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.sends;
  }

  /** A number the clinic already has in its account (bought elsewhere, perhaps pointed at another vendor). */
  ownNumber(phoneNumber: string, friendlyName: string, smsUrl = '', sms = true): FakeNumber {
    const number: FakeNumber = {
      sid: `PN${randomBytes(16).toString('hex')}`,
      phone_number: phoneNumber,
      friendly_name: friendlyName,
      sms_url: smsUrl,
      sms_method: 'POST',
      capabilities: { voice: true, sms, mms: sms },
    };
    this.numbers.set(number.sid, number);
    return number;
  }

  numberByPhone(phoneNumber: string): FakeNumber | undefined {
    return [...this.numbers.values()].find((n) => n.phone_number === phoneNumber);
  }

  /**
   * AvailablePhoneNumbers/{IsoCountry}/{Type}: US local numbers by AreaCode; Mexico's local numbers
   * cannot text (SmsEnabled=true leaves none) but its mobile ones can; a country or type Twilio
   * does not sell answers 404 with error 20404, as Twilio does.
   */
  private availableNumbers(res: http.ServerResponse, url: URL, country: string, type: string) {
    const smsOnly = url.searchParams.get('SmsEnabled') === 'true';
    const uri = `/2010-04-01/Accounts/${this.accountSid}${url.pathname.replace(/^.*\/AvailablePhoneNumbers/, '/AvailablePhoneNumbers')}${url.search}`;
    const number = (phone: string, friendly: string, locality: string, region: string, sms: boolean) => ({
      friendly_name: friendly,
      phone_number: phone,
      lata: null,
      locality,
      rate_center: null,
      latitude: null,
      longitude: null,
      region,
      postal_code: null,
      iso_country: country,
      address_requirements: country === 'US' ? 'none' : 'any',
      beta: false,
      capabilities: { voice: true, SMS: sms, MMS: sms },
    });
    let offered: ReturnType<typeof number>[] | null = null;
    if (country === 'US' && type === 'Local') {
      const area = url.searchParams.get('AreaCode') ?? '415';
      offered = [1, 2, 3].map((i) => number(`+1${area}555${String(200 + i).padStart(4, '0')}`, `(${area}) 555-0${200 + i}`, 'San Francisco', 'CA', true));
    }
    if (country === 'MX' && type === 'Local') offered = [number('+525541690311', '+525541690311', 'Ciudad de Mexico', 'CDMX', false)];
    if (country === 'MX' && type === 'Mobile') offered = [1, 2].map((i) => number(`+52331234567${i}`, `+52331234567${i}`, 'Guadalajara', 'JAL', true));
    if (!offered) return this.json(res, 404, { code: 20404, message: `The requested resource ${url.pathname} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    return this.json(res, 200, { available_phone_numbers: offered.filter((n) => !smsOnly || n.capabilities.SMS), uri });
  }

  private json(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Twilio's list shape: a page of resources and the URI of the next page, PageSize and Page in the query. */
  private listNumbers(res: http.ServerResponse, url: URL) {
    const size = Number(url.searchParams.get('PageSize') ?? 50);
    const page = Number(url.searchParams.get('Page') ?? 0);
    const all = [...this.numbers.values()];
    const items = all.slice(page * size, (page + 1) * size);
    const base = `/2010-04-01/Accounts/${this.accountSid}/IncomingPhoneNumbers.json`;
    const more = (page + 1) * size < all.length;
    return this.json(res, 200, {
      incoming_phone_numbers: items,
      page,
      page_size: size,
      uri: `${base}?PageSize=${size}&Page=${page}`,
      next_page_uri: more ? `${base}?PageSize=${size}&Page=${page + 1}` : null,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url!, 'http://x');
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    const expectedAuth = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expectedAuth) {
      return this.json(res, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    const prefix = `/2010-04-01/Accounts/${this.accountSid}`;
    if (!url.pathname.startsWith(prefix)) return this.json(res, 404, { code: 20404, message: 'not found', status: 404 });
    const path = url.pathname.slice(prefix.length);
    this.requests.push({ method: req.method!, path: path + url.search, form, at: performance.now() });

    if (req.method === 'POST' && path === '/Messages.json') {
      const behaviour = this.nextSends.shift();
      if (behaviour === 'hang') {
        this.hanging.push(res);
        return;
      }
      if (behaviour) return this.json(res, behaviour.status, behaviour.body);
      return this.json(res, 201, { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued', to: form.To, from: form.From, body: form.Body });
    }
    const mediaPath = /^\/Messages\/MM[0-9a-zA-Z]+\/Media\/(ME[0-9a-f]{32})$/.exec(path);
    if (req.method === 'GET' && mediaPath) {
      const behaviour = this.nextMedia.shift();
      if (behaviour && behaviour !== 'hang') return this.json(res, behaviour.status, behaviour.body);
      if (!this.media.has(mediaPath[1])) return this.json(res, 404, { code: 20404, message: `The requested resource ${path} was not found`, status: 404 });
      res.writeHead(307, { location: this.storeAddress(mediaPath[1]) });
      return res.end();
    }
    const search = /^\/AvailablePhoneNumbers\/([A-Z]{2})\/(Local|Mobile|TollFree)\.json$/.exec(path);
    if (req.method === 'GET' && search) return this.availableNumbers(res, url, search[1], search[2]);
    if (req.method === 'POST' && path === '/IncomingPhoneNumbers.json' && form.PhoneNumber?.endsWith('9999')) {
      return this.json(res, 400, { code: 21422, message: 'PhoneNumber is not available', status: 400 });
    }
    if (req.method === 'POST' && path === '/IncomingPhoneNumbers.json') {
      const bought = this.ownNumber(form.PhoneNumber, form.PhoneNumber, form.SmsUrl ?? '');
      return this.json(res, 201, bought);
    }
    if (req.method === 'GET' && path === '/IncomingPhoneNumbers.json') return this.listNumbers(res, url);
    const one = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(path);
    const number = one ? this.numbers.get(one[1]) : undefined;
    if (one && !number) return this.json(res, 404, { code: 20404, message: `The requested resource ${path} was not found`, status: 404 });
    if (number && req.method === 'GET') return this.json(res, 200, number);
    if (number && req.method === 'POST') {
      if (form.SmsUrl !== undefined) number.sms_url = form.SmsUrl;
      if (form.SmsMethod !== undefined) number.sms_method = form.SmsMethod;
      return this.json(res, 200, number);
    }
    if (number && req.method === 'DELETE') {
      this.numbers.delete(number.sid);
      res.writeHead(204);
      return res.end();
    }
    this.json(res, 404, { code: 20404, message: 'not found', status: 404 });
  }
}

export const twilioError = (code: number, message: string, status = 400) => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } });

/**
 * A patient's text as Twilio posts it to our webhook (https://www.twilio.com/docs/messaging/guides/webhook-request:
 * MessageSid, AccountSid, From, To, Body, NumMedia), signed with the account's token; answers the status code.
 */
export async function twilioTextWebhook(
  app: { inject(opts: { method: 'POST'; url: string; headers: Record<string, string>; payload: string }): Promise<{ statusCode: number }> },
  twilio: FakeTwilio,
  publicUrl: string,
  text: { messageSid: string; from: string; to: string; body: string },
): Promise<number> {
  const path = '/webhooks/twilio/sms';
  const form = { MessageSid: text.messageSid, AccountSid: twilio.accountSid, From: text.from, To: text.to, Body: text.body, NumMedia: '0' };
  const res = await app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, publicUrl + path, form) },
    payload: new URLSearchParams(form).toString(),
  });
  return res.statusCode;
}

/** The configuration that points Frontdesk's SMS at this fake Twilio. */
export const twilioEnv = (twilio: FakeTwilio, publicUrl: string) => ({
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: twilio.accountSid,
  TWILIO_AUTH_TOKEN: twilio.authToken,
  TWILIO_API_BASE_URL: twilio.url,
  PUBLIC_URL: publicUrl,
});

/** Buys the first 415 number on offer as the organization's SMS inbox (as the settings screen does) and answers it. */
export async function buyClinicNumber(owner: { get(url: string): Promise<{ body: any }>; post(url: string, body: unknown): Promise<{ status: number }> }): Promise<string> {
  const numbers = await owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415');
  const phoneNumber: string = numbers.body.items[0].phoneNumber;
  const bought = await owner.post('/api/v1/sms-inbox', { phoneNumber });
  if (bought.status !== 201) throw new Error(`buying ${phoneNumber} answered ${bought.status}`);
  return phoneNumber;
}
