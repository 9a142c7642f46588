import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { publish } from '../../src/realtime/events.js';
import { inbound, password, setupApp, signIn, signupOrg, Client, type Org, type TestContext } from '../helpers.js';
import { Stream } from '../sse.js';

let ctx: TestContext;
let base: string;
beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});

const streams: Stream[] = [];
afterAll(() => streams.forEach((s) => s.close()));
const open = async (client: Client) => {
  const s = await Stream.open(base, client);
  streams.push(s);
  return s;
};

describe('live events (M8, B1)', () => {
  let org: Org;
  beforeAll(async () => {
    org = await signupOrg(ctx.app);
  });

  it('sends the unread count on connect, then message.created and the new count when a patient writes', async () => {
    const stream = await open(org.owner);
    await stream.next((f) => f.event === 'unread.count' && f.data.unread === 0);
    const { conversationId, messageId } = await inbound(org, 'Hello?', '+14155550701');
    const created = await stream.next((f) => f.event === 'message.created' && f.data.messageId === messageId);
    expect(created.data).toEqual({ type: 'message.created', clinicId: org.clinicId, conversationId, messageId });
    await stream.next((f) => f.event === 'unread.count' && f.data.unread === 1);
    await org.owner.post(`/api/v1/conversations/${conversationId}/read`);
    await stream.next((f) => f.event === 'conversation.updated' && f.data.conversationId === conversationId);
    await stream.next((f) => f.event === 'unread.count' && f.data.unread === 0);
  });

  it('never carries message text', async () => {
    const stream = await open(org.owner);
    const { messageId } = await inbound(org, 'CONFIDENTIAL-LAB-RESULT', '+14155550702');
    const created = await stream.next((f) => f.data?.messageId === messageId);
    expect(JSON.stringify(created)).not.toContain('CONFIDENTIAL');
  });

  it('reaches only the organization, and only the clinics the user works at', async () => {
    const other = await signupOrg(ctx.app);
    const elsewhere = (await org.owner.post('/api/v1/clinics', { name: 'Elsewhere' })).body.id;
    const nurse = await org.addUser('nurse', { clinicIds: [elsewhere] });
    const outsider = await open(other.owner);
    const nurseStream = await open(nurse.client);
    const mine = await open(org.owner);

    const hidden = await inbound(org, 'Main clinic only', '+14155550703');
    const visible = await inbound(org, 'Elsewhere', '+14155550704', { clinicId: elsewhere });
    const theirs = await inbound(other, 'Their own', '+14155550705');

    await mine.next((f) => f.data?.messageId === hidden.messageId);
    await nurseStream.next((f) => f.data?.messageId === visible.messageId);
    await outsider.next((f) => f.data?.messageId === theirs.messageId);
    // By now each stream has had its chance at the earlier events.
    expect(nurseStream.seen((f) => f.data?.messageId === hidden.messageId)).toBe(false);
    expect(outsider.seen((f) => f.data?.conversationId === hidden.conversationId || f.data?.conversationId === visible.conversationId)).toBe(false);
    expect(mine.seen((f) => f.data?.messageId === theirs.messageId)).toBe(false);
  });

  it('needs a signed-in user with the send_messages privilege', async () => {
    expect((await fetch(`${base}/api/v1/events`)).status).toBe(401);
    const nurse = await org.addUser('nurse', { privileges: [] });
    expect((await fetch(`${base}/api/v1/events`, { headers: { cookie: nurse.client.auth.cookie! } })).status).toBe(403);
  });

  it('carries SMS threads only to users with the inbox privilege, like the API', async () => {
    const withoutInbox = await org.addUser('nurse', { privileges: ['send_messages'] });
    const stream = await open(withoutInbox.client);
    const sms = await inbound(org, 'By text', '+14155550711');
    const email = await inbound(org, 'By mail', 'pat-0711@example.com', { channel: 'email' });
    await stream.next((f) => f.data?.messageId === email.messageId);
    expect((await withoutInbox.client.get(`/api/v1/conversations/${sms.conversationId}`)).status).toBe(403);
    expect(stream.seen((f) => f.data?.conversationId === sms.conversationId)).toBe(false);
  });

  it('carries nothing of hidden or held threads, nor of hidden messages', async () => {
    const stream = await open(org.owner);
    const hidden = await inbound(org, 'Hidden soon', '+14155550712');
    const held = await inbound(org, 'Held soon', '+14155550713');
    const quiet = await inbound(org, 'Message hidden soon', '+14155550714');
    await stream.next((f) => f.data?.messageId === quiet.messageId);
    await ctx.database.db.execute(sql`update conversations set hidden_at = now() where id = ${hidden.conversationId}`);
    await ctx.database.db.execute(sql`update conversations set held_at = now() where id = ${held.conversationId}`);
    await ctx.database.db.execute(sql`update messages set hidden = true where id = ${quiet.messageId}`);
    const scope = (c: { conversationId: string }) => ({ orgId: org.orgId, clinicId: org.clinicId, conversationId: c.conversationId });
    await publish(ctx.database.db, [
      { type: 'conversation.updated', ...scope(hidden) },
      { type: 'conversation.updated', ...scope(held) },
      { type: 'message.status', ...scope(quiet), messageId: quiet.messageId, status: 'read' },
    ], ctx.clock.now());
    const after = await inbound(org, 'Still shown', '+14155550715');
    await stream.next((f) => f.data?.messageId === after.messageId);
    expect(stream.seen((f) => f.event === 'conversation.updated' && [hidden.conversationId, held.conversationId].includes(f.data.conversationId))).toBe(false);
    expect(stream.seen((f) => f.event === 'message.status' && f.data.messageId === quiet.messageId)).toBe(false);
  });
});

describe('a stream ends with the sign-in it was opened with', () => {
  let org: Org;
  beforeAll(async () => {
    org = await signupOrg(ctx.app);
  });
  const emailOf = async (client: Client) => (await client.get('/api/v1/me')).body.user.email as string;

  it('ends at sign-out, before any later event', async () => {
    const nurse = await org.addUser('nurse');
    const stream = await open(nurse.client);
    expect((await nurse.client.post('/api/v1/auth/logout')).status).toBe(200);
    const later = await inbound(org, 'After sign-out', '+14155550721');
    await stream.ended();
    expect(stream.seen((f) => f.data?.messageId === later.messageId)).toBe(false);
  });

  it('ends when the user signs out everywhere from another device', async () => {
    const nurse = await org.addUser('nurse');
    const stream = await open(nurse.client);
    const laptop = await signIn(ctx.app, await emailOf(nurse.client), password);
    expect((await laptop.post('/api/v1/auth/logout-everywhere')).status).toBe(200);
    await stream.ended();
  });

  it('ends when an admin deactivates the user', async () => {
    const nurse = await org.addUser('nurse');
    const stream = await open(nurse.client);
    expect((await org.owner.patch(`/api/v1/users/${nurse.id}`, { active: false })).status).toBe(200);
    await stream.ended();
  });

  it('ends when the user\'s role, privileges or clinics change, and the next one follows the new ones', async () => {
    const elsewhere = (await org.owner.post('/api/v1/clinics', { name: 'Elsewhere' })).body.id;
    const nurse = await org.addUser('nurse');
    for (const change of [{ privileges: ['send_messages'] }, { clinicIds: [elsewhere] }, { role: 'doctor' }]) {
      const stream = await open(nurse.client);
      expect((await org.owner.patch(`/api/v1/users/${nurse.id}`, change)).status).toBe(200);
      await stream.ended();
    }
    const reopened = await open(nurse.client);
    const sms = await inbound(org, 'Main clinic, by text', '+14155550722');
    const there = await inbound(org, 'Elsewhere, by mail', 'pat-0722@example.com', { channel: 'email', clinicId: elsewhere });
    await reopened.next((f) => f.data?.messageId === there.messageId);
    expect(reopened.seen((f) => f.data?.conversationId === sms.conversationId)).toBe(false);
  });

  it('ends when the organization starts requiring two-factor sign-in the user has not set up, and only theirs', async () => {
    const nurse = await org.addUser('nurse');
    const enrolled = await org.addUser('nurse');
    const stream = await open(nurse.client);
    const enrolledStream = await open(enrolled.client);
    for (const who of [org.owner, enrolled.client]) {
      const { secret } = (await who.post('/api/v1/auth/two-factor/enrol')).body;
      const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: ctx.clock.now().getTime() });
      expect((await who.post('/api/v1/auth/two-factor/confirm', { code })).status).toBe(200);
    }
    expect((await org.owner.request('PUT', '/api/v1/organization/two-factor', { required: true })).status).toBe(200);
    await stream.ended(1500);
    const later = await inbound(org, 'After the requirement', '+14155550723');
    await enrolledStream.next((f) => f.data?.messageId === later.messageId);
    expect(stream.seen((f) => f.data?.messageId === later.messageId)).toBe(false);
    await org.owner.request('PUT', '/api/v1/organization/two-factor', { required: false });
  });

  it('ends when an integration\'s API token is revoked', async () => {
    const token = (await org.owner.post('/api/v1/api-tokens', { name: 'wallboard' })).body;
    const stream = await open(new Client(ctx.app, { bearer: token.token }));
    expect((await org.owner.post(`/api/v1/api-tokens/${token.id}/revoke`)).status).toBe(200);
    await stream.ended();
  });

  // Last in the file: it moves the clock past every session's idle limit.
  it('ends when the session goes idle, though the stream itself stayed open', async () => {
    const nurse = await org.addUser('nurse');
    const stream = await open(nurse.client);
    ctx.clock.advance((ctx.deps.config.sessionIdleMinutes + 1) * 60_000);
    await stream.ended();
    expect((await nurse.client.get('/api/v1/me')).status).toBe(401);
  });
});
