/**
 * Issue 16: Web Push while the app is closed. The API process (no worker of its own) stores the
 * device's subscription and the patient's message; a second runtime's worker on the same database
 * sends the push, encrypted for the device, to a local push service speaking the Web Push protocol
 * (test/fakes/push.ts); the test decrypts it with the device's key and finds no health data. A
 * device its push service calls gone (410) is removed. The VAPID private key is encrypted at rest.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushSubscriptions } from '../../src/notifications/schema.js';
import { vapidKeys } from '../../src/notifications/push.js';
import { eventually, expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext, withoutIds } from '../helpers.js';
import { FakePushService, type Device, type Received } from '../fakes/push.js';

let api: TestContext;
let push: FakePushService;
let org: Org;

beforeAll(async () => {
  push = await new FakePushService().start();
  api = await setupApp({}, { worker: false });
  // Another runtime on the same database, with the worker: the push goes through the job queue.
  await setupApp({}, { worker: true, databaseUrl: api.deps.config.databaseUrl! });
  org = await signupOrg(api.app, 'Riverside');
});
afterAll(() => push.stop());

const devices = new Map<string, Device>();
const device = (name: string) => {
  const made = push.device(name);
  devices.set(name, made);
  return made;
};
/** What each device read, decrypted with its own key. */
const readBy = (received: Received[]) => received.map((r) => ({ device: r.device, ...JSON.parse(FakePushService.decrypt(devices.get(r.device)!, r.body)) }));

const subscriptionsOf = (userId: string) => api.deps.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));

describe('Web Push', () => {
  it('hands out the server\'s VAPID public key, and keeps the private one encrypted', async () => {
    const key = await org.owner.get('/api/v1/push/key');
    expect(key.status).toBe(200);
    expect(Buffer.from(key.body.publicKey, 'base64url')).toHaveLength(65);
    expect((await org.owner.get('/api/v1/push/key')).body.publicKey).toBe(key.body.publicKey);
    const { privateKey } = await vapidKeys(api.deps.db);
    const raw = await api.deps.db.execute<{ private_key: string }>(sql`select private_key::text from push_keys`);
    expect(raw.rows[0]!.private_key).not.toContain(privateKey);
  });

  it('refuses a subscription that is not a browser\'s', async () => {
    const bad = device('bad');
    expectProblem(await org.owner.post('/api/v1/push/subscriptions', { ...bad.subscription, endpoint: 'http://insecure.example/push' }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/push/subscriptions', { endpoint: bad.subscription.endpoint, keys: { p256dh: 'short' } }), 400, 'invalid_input');
  });

  it('the worker pushes "New message · <clinic>" to the subscribed device, encrypted for it, when a patient writes', async () => {
    await org.owner.put('/api/v1/me/notifications', { level: 'all', sound: true, quietHours: null, emailReminders: true });
    const phone = device('olive-phone');
    const created = await org.owner.post('/api/v1/push/subscriptions', { ...phone.subscription, expirationTime: null });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await subscriptionsOf(org.me.user.id)).toHaveLength(1);

    const { conversationId } = await inbound(org, 'My HIV test result, please call', '+14155550931', { name: 'Maria Gonzalez' });
    const received = await eventually(async () => {
      const hit = push.received.find((r) => r.device === 'olive-phone');
      if (!hit) throw new Error('no push yet');
      return hit;
    });
    expect(received.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(received.headers.ttl)).toBeGreaterThan(0);
    const { publicKey } = (await org.owner.get('/api/v1/push/key')).body;
    const vapid = /^vapid t=([^,]+), k=(.+)$/.exec(String(received.headers.authorization));
    expect(vapid?.[2]).toBe(publicKey);
    const claims = JSON.parse(Buffer.from(vapid![1]!.split('.')[1]!, 'base64url').toString());
    expect(claims.aud).toBe(push.origin);
    // The body on the wire is ciphertext; the device reads it with its own key.
    expect(received.body.toString('latin1')).not.toContain('New message');
    const payload = JSON.parse(FakePushService.decrypt(phone, received.body));
    expect(payload).toEqual({ title: 'New message', body: 'Riverside Main', conversationId, url: `/?c=${conversationId}` });
    expect(withoutIds(JSON.stringify(payload))).not.toMatch(/HIV|Maria|Gonzalez|555/);
  });

  it('removes a device its push service says is gone (410)', async () => {
    const old = device('old-laptop');
    expect((await org.owner.post('/api/v1/push/subscriptions', old.subscription)).status).toBe(201);
    push.gone.add('old-laptop');
    expect(await subscriptionsOf(org.me.user.id)).toHaveLength(2);
    await inbound(org, 'Are you open Saturday?', '+14155550932');
    await eventually(async () => {
      const left = (await subscriptionsOf(org.me.user.id)).map((s) => s.endpoint);
      if (left.includes(old.subscription.endpoint)) throw new Error('still subscribed');
      expect(left).toEqual([`${push.origin}/olive-phone`]);
    });
  });

  it('pushes nothing for a muted thread, nor to a user whose level is none; a user deletes only their own devices', async () => {
    const nurse = await org.addUser('nurse');
    const tablet = device('nurse-tablet');
    expect(tablet.name).toBe('nurse-tablet');
    const sub = await nurse.client.post('/api/v1/push/subscriptions', tablet.subscription);
    await nurse.client.put('/api/v1/me/notifications', { level: 'none', sound: true, quietHours: null, emailReminders: true });
    const first = await inbound(org, 'First', '+14155550933');
    await org.owner.post(`/api/v1/conversations/${first.conversationId}/mute`);
    const before = push.received.length;
    await inbound(org, 'Second, muted', '+14155550933');
    const other = await inbound(org, 'Third, elsewhere', '+14155550934');
    const pushedFor = () => readBy(push.received.slice(before)).map((r) => r.conversationId);
    await eventually(async () => expect(pushedFor()).toContain(other.conversationId));
    expect(pushedFor()).not.toContain(first.conversationId);
    expect(push.received.some((r) => r.device === 'nurse-tablet')).toBe(false);

    expectProblem(await org.owner.request('DELETE', `/api/v1/push/subscriptions/${sub.body.id}`), 404, 'not_found');
    expect((await nurse.client.request('DELETE', `/api/v1/push/subscriptions/${sub.body.id}`)).status).toBe(204);
    expect(await subscriptionsOf(nurse.id)).toHaveLength(0);
  });
});

