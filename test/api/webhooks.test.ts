/** B3: outgoing webhooks — signed, retried with backoff, logged — against a real receiver on loopback. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/hooks/rules.js';
import { eventually, expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

/** A receiver that checks every signature with the secret and answers 500 to the first `failures` requests. */
class Receiver {
  received: { event: string; delivery: string; body: any; signatureValid: boolean }[] = [];
  failures = 0;
  secret = '';
  private server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const signatureValid = verifySignature(this.secret, raw, String(req.headers['frontdesk-signature'] ?? ''), new Date());
      this.received.push({ event: String(req.headers['frontdesk-event']), delivery: String(req.headers['frontdesk-delivery']), body: JSON.parse(raw), signatureValid });
      if (this.failures > 0) {
        this.failures--;
        res.writeHead(500).end('not now');
      } else res.writeHead(204).end();
    });
  });
  url = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let ctx: TestContext;
let org: Org;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  ctx = await setupApp({ WEBHOOK_RETRY_BASE_MS: '100' }, { worker: true });
  org = await signupOrg(ctx.app, 'Hooked Clinic', { plan: 'pro' });
});
afterAll(() => receiver.stop());

describe('outgoing webhooks (B3)', () => {
  it('refuses a plain-http URL to another host, and is for admins only', async () => {
    expectProblem(await org.owner.post('/api/v1/webhooks', { url: 'http://pms.example.com/hooks', events: ['message.created'] }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/webhooks', { url: receiver.url, events: ['nonsense'] }), 400, 'invalid_input');
    const nurse = await org.addUser('nurse');
    expectProblem(await nurse.client.post('/api/v1/webhooks', { url: receiver.url, events: ['message.created'] }), 403, 'admin_only');
  });

  it('signs every event, retries a receiver that fails twice, and logs each try', async () => {
    const created = await org.owner.post('/api/v1/webhooks', { url: receiver.url, events: ['message.created', 'message.status', 'conversation.closed', 'booking.created'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    receiver.secret = created.body.secret;
    receiver.failures = 2;

    const msg = await inbound(org, 'Hello, is anyone there?', '+14155550901');
    const delivered = await eventually(async () => {
      const hits = receiver.received.filter((r) => r.event === 'message.created');
      expect(hits.length).toBe(3);
      return hits;
    }, 30_000);
    expect(new Set(delivered.map((d) => d.delivery)).size).toBe(1);
    expect(delivered.every((d) => d.signatureValid)).toBe(true);
    expect(delivered[2].body).toMatchObject({ event: 'message.created', data: { conversationId: msg.conversationId, messageId: msg.messageId } });
    expect(JSON.stringify(delivered[2].body)).not.toContain('anyone there');
    // The event happened when the message was stored, by the app's clock (not the wall clock).
    const thread = await org.owner.get(`/api/v1/conversations/${msg.conversationId}`);
    expect(delivered[2].body.occurredAt).toBe(thread.body.messages.find((m: { id: string }) => m.id === msg.messageId).createdAt);

    const log = await eventually(async () => {
      const res = await org.owner.get(`/api/v1/webhooks/${created.body.id}/deliveries`);
      const entry = res.body.items.find((d: any) => d.id === delivered[0].delivery);
      expect(entry.status).toBe('delivered');
      return entry;
    });
    expect(log.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 204]);

    await org.owner.post(`/api/v1/conversations/${msg.conversationId}/close`);
    await org.owner.post(`/api/v1/conversations/${msg.conversationId}/bookings`, { startsAt: '2026-03-10T15:00:00.000Z' });
    await eventually(async () => {
      const events = receiver.received.map((r) => r.event);
      expect(events).toContain('conversation.closed');
      expect(events).toContain('booking.created');
    });
  });

  it('sends nothing to a disabled endpoint, and nothing to another organization', async () => {
    const list = await org.owner.get('/api/v1/webhooks');
    for (const e of list.body.items) await org.owner.post(`/api/v1/webhooks/${e.id}/disable`);
    const other = await signupOrg(ctx.app, 'Unhooked');
    expectProblem(await other.owner.get(`/api/v1/webhooks/${list.body.items[0].id}/deliveries`), 404);
    const before = receiver.received.length;
    await inbound(org, 'After disabling', '+14155550902');
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received.length).toBe(before);
  });
});
