/** B2: reply targets by opening hours, the overdue filter, after-hours auto-replies and the first-response report. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

// The clock starts on Monday 2026-03-02 at 09:00 UTC: 4:00 in the clinic's New York, before opening.
let ctx: TestContext;
let org: Org;
const at = (iso: string) => ctx.clock.advance(new Date(iso).getTime() - ctx.clock.now().getTime());

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Timely Dental');
});

const fresh = async () => (org.owner = await signIn(ctx.app, org.me.user.email));

describe('response times (B2)', () => {
  it('sets the same-business-day target, flags the thread overdue after closing, and clears it with an answer', async () => {
    const msg = await inbound(org, 'Is the office open today?', '+14155550401');
    const item = (await org.owner.get(`/api/v1/conversations?contactId=${msg.contactId}`)).body.items[0];
    expect(item).toMatchObject({ awaitingSince: expect.any(String), replyDueAt: '2026-03-02T22:00:00.000Z', overdue: false });
    expect((await org.owner.get('/api/v1/conversations?overdue=true')).body.items).toEqual([]);

    at('2026-03-02T23:00:00Z');
    await fresh();
    const overdue = await org.owner.get('/api/v1/conversations?overdue=true');
    expect(overdue.body.items.map((c: any) => [c.id, c.overdue])).toEqual([[msg.conversationId, true]]);
    expect((await org.owner.get('/api/v1/conversations?overdue=false')).body.items.map((c: any) => c.id)).not.toContain(msg.conversationId);

    await org.owner.post(`/api/v1/conversations/${msg.conversationId}/messages`, { body: 'Yes, 8 to 5 — sorry for the wait!' });
    const answered = (await org.owner.get(`/api/v1/conversations/${msg.conversationId}`)).body;
    expect(answered).toMatchObject({ awaitingSince: null, replyDueAt: null, overdue: false });
    expect((await org.owner.get('/api/v1/conversations?overdue=true')).body.items).toEqual([]);
  });

  it('reports the median first-response time by clinic, channel and who answered', async () => {
    const report = await org.owner.get('/api/v1/reports/response-times?from=2026-03&to=2026-03');
    expect(report.status).toBe(200);
    // Written at 09:00 UTC, answered a little after 23:00 UTC: 14 hours and the test clock's few ticks.
    expect(report.body.overall.conversations).toBe(1);
    expect(Math.round(report.body.overall.medianSeconds / 3600)).toBe(14);
    expect(report.body.byStaff).toEqual([{ id: org.me.user.id, name: 'Olive Owner', conversations: 1, medianSeconds: report.body.overall.medianSeconds }]);
    expect(report.body.byChannel[0]).toMatchObject({ id: 'sms', conversations: 1 });
    expect(report.body.byClinic[0]).toMatchObject({ id: org.clinicId, name: 'Timely Dental Main' });
    expectProblem(await org.owner.get('/api/v1/reports/response-times?from=2026-04&to=2026-03'), 400, 'invalid_input');
  });

  it('sends the after-hours reply once a night, not in opening hours, and not to a STOP', async () => {
    await fresh();
    const hours = await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { afterHoursReply: 'Thanks for writing! We are closed now and will answer when we open at 8.' });
    expect(hours.body.openingHours.mon).toEqual([{ open: '08:00', close: '17:00' }]);
    expectProblem(await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { openingHours: { mon: [{ open: '18:00', close: '09:00' }] } }), 400, 'invalid_input');

    at('2026-03-03T02:00:00Z'); // Monday 21:00 in New York
    await fresh();
    const first = await inbound(org, 'Toothache, help', '+14155550402');
    await inbound(org, 'Still hurts', '+14155550402');
    const autoReplies = async () =>
      (await org.owner.get(`/api/v1/conversations/${first.conversationId}`)).body.messages.filter((m: any) => m.sender.name === 'After-hours reply');
    expect((await autoReplies()).map((m: any) => m.body)).toEqual(['Thanks for writing! We are closed now and will answer when we open at 8.']);

    at('2026-03-03T15:00:00Z'); // Tuesday 10:00: open
    await fresh();
    await inbound(org, 'Can I come at 11?', '+14155550402');
    expect(await autoReplies()).toHaveLength(1);

    at('2026-03-04T03:00:00Z'); // Tuesday 22:00: closed again, a new night
    await fresh();
    await inbound(org, 'Thanks for today', '+14155550402');
    expect(await autoReplies()).toHaveLength(2);

    const stop = await inbound(org, 'STOP', '+14155550403');
    const stopThread = (await org.owner.get(`/api/v1/conversations/${stop.conversationId}`)).body.messages;
    expect(stopThread.map((m: any) => m.sender.name)).toEqual([expect.any(String), 'Automatic replies']);
  });

  it('an outgoing call that was logged answers the patient too: the thread is no longer overdue (issue 17)', async () => {
    const msg = await inbound(org, 'Please call me back', '+14155550402');
    ctx.clock.advance(3 * 86_400_000);
    const ago = (minutes: number) => new Date(ctx.clock.now().getTime() - minutes * 60_000).toISOString();
    await fresh();
    expect((await org.owner.get('/api/v1/conversations?overdue=true')).body.items.map((c: any) => c.id)).toContain(msg.conversationId);
    const incoming = await org.owner.post(`/api/v1/conversations/${msg.conversationId}/calls`, { startedAt: ago(30), durationSeconds: 60, direction: 'inbound', notes: 'They called again' });
    expect(incoming.status).toBe(201);
    expect((await org.owner.get(`/api/v1/conversations/${msg.conversationId}`)).body.overdue).toBe(true);
    const call = await org.owner.post(`/api/v1/conversations/${msg.conversationId}/calls`, { startedAt: ago(20), durationSeconds: 240, direction: 'outbound', notes: 'Called back, booked a cleaning' });
    expect(call.status).toBe(201);
    expect((await org.owner.get(`/api/v1/conversations/${msg.conversationId}`)).body).toMatchObject({ awaitingSince: null, replyDueAt: null, overdue: false });
    expect((await org.owner.get('/api/v1/conversations?overdue=true')).body.items.map((c: any) => c.id)).not.toContain(msg.conversationId);
  });

});
