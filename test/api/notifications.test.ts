/**
 * Issue 16: per-user notification preferences (stored server-side, audited), the organization's
 * first-name setting, and the live stream's `notification` event deciding per user who is told
 * that a patient wrote — never for muted threads, own messages or campaign sends, never with
 * health data in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext, withoutIds } from '../helpers.js';
import { Stream } from '../sse.js';

let ctx: TestContext;
let base: string;
let org: Org;
const streams: Stream[] = [];
beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  org = await signupOrg(ctx.app, 'Riverside Dental');
});
afterAll(() => streams.forEach((s) => s.close()));
const open = async (client: Org['owner']) => {
  const s = await Stream.open(base, client);
  streams.push(s);
  return s;
};

describe('notification preferences', () => {
  it('answers the defaults until the user saves theirs, then what they saved; each change is audited', async () => {
    const nurse = await org.addUser('nurse');
    expect((await nurse.client.get('/api/v1/me/notifications')).body).toEqual({ level: 'mine', sound: true, quietHours: null, emailReminders: true });
    const saved = await nurse.client.put('/api/v1/me/notifications', { level: 'all', sound: false, quietHours: { start: 1320, end: 420, timeZone: 'America/New_York' }, emailReminders: false });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await nurse.client.get('/api/v1/me/notifications')).body).toEqual({ level: 'all', sound: false, quietHours: { start: 1320, end: 420, timeZone: 'America/New_York' }, emailReminders: false });
    // Another user's stay theirs.
    expect((await org.owner.get('/api/v1/me/notifications')).body.level).toBe('mine');
    const audit = await org.owner.get('/api/v1/audit?action=notification_preferences.update');
    expect(audit.body.items.some((e: { subjectId: string; details: { level: string } }) => e.subjectId === nurse.id && e.details.level === 'all')).toBe(true);
  });

  it('refuses what is not a preference', async () => {
    expectProblem(await org.owner.put('/api/v1/me/notifications', { level: 'loud', sound: true, quietHours: null, emailReminders: true }), 400, 'invalid_input');
    expectProblem(await org.owner.put('/api/v1/me/notifications', { level: 'all', sound: true, quietHours: { start: 1440, end: 0, timeZone: 'UTC' }, emailReminders: true }), 400, 'invalid_input');
    expectProblem(await org.owner.put('/api/v1/me/notifications', { level: 'all', sound: true, quietHours: { start: 0, end: 60, timeZone: 'Mars/Olympus' }, emailReminders: true }), 400, 'invalid_input');
    expectProblem(await org.owner.put('/api/v1/me/notifications', { level: 'all', sound: true }), 400, 'invalid_input');
  });

  it('the first-name setting is an admin\'s, audited', async () => {
    const receptionist = await org.addUser('receptionist');
    expectProblem(await receptionist.client.put('/api/v1/notification-settings', { showFirstName: true }), 403);
    expect((await org.owner.get('/api/v1/notification-settings')).body).toEqual({ showFirstName: false });
    expect((await org.owner.put('/api/v1/notification-settings', { showFirstName: true })).body).toEqual({ showFirstName: true });
    const audit = await org.owner.get('/api/v1/audit?action=notification_settings.update');
    expect(audit.body.items.length).toBeGreaterThan(0);
    await org.owner.put('/api/v1/notification-settings', { showFirstName: false });
  });
});

describe('the live notification event', () => {
  it('tells the user a patient wrote, with the clinic\'s name and no health data', async () => {
    await org.owner.put('/api/v1/me/notifications', { level: 'all', sound: true, quietHours: null, emailReminders: true });
    const stream = await open(org.owner);
    const { conversationId } = await inbound(org, 'My LAB RESULT shows diabetes', '+14155550801', { name: 'Maria Gonzalez' });
    const frame = await stream.next((f) => f.event === 'notification' && f.data.conversationId === conversationId);
    expect(frame.data).toEqual({ conversationId, title: 'New message', body: 'Riverside Dental Main', line: 'New message · Riverside Dental Main', sound: true });
    expect(withoutIds(JSON.stringify(frame))).not.toMatch(/LAB|diabetes|Maria|Gonzalez|555/);
  });

  it('names the first name only when the organization allows it', async () => {
    await org.owner.put('/api/v1/notification-settings', { showFirstName: true });
    const stream = await open(org.owner);
    const { conversationId } = await inbound(org, 'Hello', '+14155550802', { name: 'James Carter' });
    const frame = await stream.next((f) => f.event === 'notification' && f.data.conversationId === conversationId);
    expect(frame.data.line).toBe('New message from James · Riverside Dental Main');
    await org.owner.put('/api/v1/notification-settings', { showFirstName: false });
  });

  it('is worded in the user’s own language (issue 18)', async () => {
    expect((await org.owner.patch('/api/v1/me', { language: 'es' })).status).toBe(200);
    const stream = await open(org.owner);
    const { conversationId } = await inbound(org, 'Hola', '+14155550809', { name: 'Lucía Ramos' });
    const frame = await stream.next((f) => f.event === 'notification' && f.data.conversationId === conversationId);
    expect(frame.data).toMatchObject({ title: 'Mensaje nuevo', line: 'Mensaje nuevo · Riverside Dental Main' });
    expect((await org.owner.patch('/api/v1/me', { language: null })).status).toBe(200);
  });

  it('never for a thread the user muted, nor for a reply sent by the team or a campaign', async () => {
    const first = await inbound(org, 'First', '+14155550803', { name: 'Muted Patient' });
    await org.owner.post(`/api/v1/conversations/${first.conversationId}/mute`);
    const stream = await open(org.owner);
    const muted = await inbound(org, 'Again', '+14155550803');
    expect(muted.conversationId).toBe(first.conversationId);
    await stream.next((f) => f.event === 'message.created' && f.data.messageId === muted.messageId);
    const reply = await org.owner.post(`/api/v1/conversations/${first.conversationId}/messages`, { body: 'We will call you' });
    expect(reply.status).toBe(202);
    await stream.next((f) => f.event === 'message.created' && f.data.messageId === reply.body.id);
    // A later, unmuted message proves the stream was still telling: the earlier ones were decided against.
    const other = await inbound(org, 'Unmuted', '+14155550804');
    await stream.next((f) => f.event === 'notification' && f.data.conversationId === other.conversationId);
    expect(stream.seen((f) => f.event === 'notification' && f.data.conversationId === first.conversationId)).toBe(false);
  });

  it('"mine" skips a colleague\'s conversation; "none" tells nothing', async () => {
    const colleague = await org.addUser('receptionist');
    const { conversationId } = await inbound(org, 'First', '+14155550805');
    await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: colleague.id });
    await org.owner.put('/api/v1/me/notifications', { level: 'mine', sound: false, quietHours: null, emailReminders: true });
    const mine = await open(org.owner);
    const theirs = await open(colleague.client);
    const again = await inbound(org, 'Second', '+14155550805');
    const told = await theirs.next((f) => f.event === 'notification' && f.data.conversationId === conversationId);
    expect(told.data.sound).toBe(true);
    await mine.next((f) => f.event === 'message.created' && f.data.messageId === again.messageId);
    const unassigned = await inbound(org, 'New', '+14155550806');
    const toldMe = await mine.next((f) => f.event === 'notification' && f.data.conversationId === unassigned.conversationId);
    expect(toldMe.data.sound).toBe(false);
    expect(mine.seen((f) => f.event === 'notification' && f.data.conversationId === conversationId)).toBe(false);

    await colleague.client.put('/api/v1/me/notifications', { level: 'none', sound: true, quietHours: null, emailReminders: true });
    const quiet = await open(colleague.client);
    const third = await inbound(org, 'Third', '+14155550805');
    await quiet.next((f) => f.event === 'message.created' && f.data.messageId === third.messageId);
    await new Promise((r) => setTimeout(r, 300));
    expect(quiet.seen((f) => f.event === 'notification')).toBe(false);
  });
});
