/**
 * B3: outgoing webhooks — signed as Standard Webhooks specifies (checked with its reference library,
 * `standardwebhooks`), retried with backoff, logged, rotated with an overlap, redelivered — against a
 * real receiver on loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { eventually, expectProblem, inbound, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

/**
 * Whether the reference library accepts the request under this secret, its clock reading `now`: the
 * app's clock, which stamps webhook-timestamp (the library checks the stamp is within five minutes).
 */
function verifies(secret: string, raw: string, headers: http.IncomingHttpHeaders, now: Date): boolean {
  const clock = vi.spyOn(Date, 'now').mockReturnValue(now.getTime());
  try {
    new Webhook(secret).verify(raw, { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) });
    return true;
  } catch {
    return false;
  } finally {
    clock.mockRestore();
  }
}

/** A receiver that checks every signature with the secret(s) it knows and answers 500 to the first `failures` requests. */
class Receiver {
  received: { event: string; delivery: string; body: any; signatureValid: boolean; validUnder: string[]; signatures: number; timestamp: number }[] = [];
  failures = 0;
  secret = '';
  /** Other secrets to try each request with (a rotation's old and new one). */
  alsoTry: string[] = [];
  private server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const validUnder = [this.secret, ...this.alsoTry].filter((secret) => verifies(secret, raw, req.headers, ctx.clock.now()));
      const signatures = String(req.headers['webhook-signature'] ?? '').split(' ').length;
      this.received.push({ event: String(req.headers['frontdesk-event']), delivery: String(req.headers['webhook-id']), body: JSON.parse(raw), signatureValid: validUnder.includes(this.secret), validUnder, signatures, timestamp: Number(req.headers['webhook-timestamp']) });
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
    // And it is signed as sent by the app's clock too (webhook-timestamp), which the receiver checks against its own.
    for (const d of delivered) expect(Math.abs(d.timestamp * 1000 - new Date(delivered[2].body.occurredAt).getTime())).toBeLessThan(60_000);

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

  it('rotates the secret: both sign during the overlap, the old one stops when it ends', async () => {
    const created = await org.owner.post('/api/v1/webhooks', { url: receiver.url, events: ['message.created'] });
    const old = created.body.secret as string;
    receiver.secret = old;
    const rotated = await org.owner.post(`/api/v1/webhooks/${created.body.id}/rotate-secret`, { overlapHours: 2 });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(JSON.stringify((await org.owner.get('/api/v1/webhooks')).body)).not.toContain(fresh);
    receiver.alsoTry = [fresh];

    const before = receiver.received.length;
    await inbound(org, 'During the overlap', '+14155550903');
    const during = await eventually(async () => {
      const hit = receiver.received.slice(before).find((r) => r.event === 'message.created' && r.signatures === 2);
      expect(hit).toBeDefined();
      return hit!;
    });
    expect(during.validUnder).toEqual([old, fresh]);

    ctx.clock.advance(2 * 3_600_000 + 1000);
    org.owner = await signIn(ctx.app, org.me.user.email);
    const afterOverlap = receiver.received.length;
    await inbound(org, 'After the overlap', '+14155550904');
    const after = await eventually(async () => {
      const hit = receiver.received.slice(afterOverlap).find((r) => r.event === 'message.created' && r.signatures === 1 && r.validUnder.includes(fresh));
      expect(hit).toBeDefined();
      return hit!;
    });
    expect(after.validUnder).toEqual([fresh]);
    receiver.secret = fresh;
    receiver.alsoTry = [];
    await org.owner.post(`/api/v1/webhooks/${created.body.id}/disable`);
  });

  it('redelivers a failed delivery from the log under the same webhook-id, once it is over', async () => {
    // Alone, so no other endpoint of this organization uses up the receiver's failures.
    for (const e of (await org.owner.get('/api/v1/webhooks')).body.items) await org.owner.post(`/api/v1/webhooks/${e.id}/disable`);
    const created = await org.owner.post('/api/v1/webhooks', { url: receiver.url, events: ['message.created'] });
    receiver.secret = created.body.secret;
    receiver.failures = 8;
    await inbound(org, 'Failing for good', '+14155550905');
    const failed = await eventually(async () => {
      const entry = (await org.owner.get(`/api/v1/webhooks/${created.body.id}/deliveries`)).body.items[0];
      expect(entry.status).toBe('failed');
      return entry;
    }, 60_000);
    expect(failed.attempts).toHaveLength(8);
    const count = receiver.received.filter((r) => r.delivery === failed.id).length;

    const again = await org.owner.post(`/api/v1/webhooks/${created.body.id}/deliveries/${failed.id}/redeliver`);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ id: failed.id, status: 'pending' });
    const entry = await eventually(async () => {
      const e = (await org.owner.get(`/api/v1/webhooks/${created.body.id}/deliveries`)).body.items.find((d: any) => d.id === failed.id);
      expect(e.status).toBe('delivered');
      return e;
    });
    expect(entry.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 500, 500, 500, 500, 500, 204]);
    const redelivered = receiver.received.filter((r) => r.delivery === failed.id);
    expect(redelivered).toHaveLength(count + 1);
    expect(redelivered.at(-1)!.signatureValid).toBe(true);

    const other = await signupOrg(ctx.app, 'Not theirs');
    expectProblem(await other.owner.post(`/api/v1/webhooks/${created.body.id}/deliveries/${failed.id}/redeliver`), 404);
    expectProblem(await other.owner.post(`/api/v1/webhooks/${created.body.id}/rotate-secret`, {}), 404);
    const audit = (await org.owner.get('/api/v1/audit?action=webhook.redeliver')).body.items;
    expect(audit.length).toBeGreaterThanOrEqual(1);
    // Eight real tries at doubling waits from WEBHOOK_RETRY_BASE_MS (100 ms) come first: ~13 s of waiting.
  }, 90_000);

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
