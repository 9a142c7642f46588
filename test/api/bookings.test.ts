/** P3 bookings and conversion, over HTTP. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Client, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let pms: Client;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Booking Group', { plan: 'pro' });
  const token = await org.owner.post('/api/v1/api-tokens', { name: 'Practice system' });
  pms = new (org.owner.constructor as typeof Client)(ctx.app, { bearer: token.body.token });
});

const when = '2026-03-10T15:00:00.000Z';

describe('bookings (P3)', () => {
  it('the practice system books a new person: the contact is created as a patient, and a retry with the same externalId changes nothing', async () => {
    const body = { clinicId: org.clinicId, startsAt: when, externalId: 'APPT-1', contact: { name: 'Bea Booker', phone: '(415) 555-0140', externalId: 'PMS-77' } };
    const first = await pms.post('/api/v1/bookings', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ source: 'integration', startsAt: when, conversationId: null, externalId: 'APPT-1' });
    const contact = await org.owner.get(`/api/v1/contacts/${first.body.contactId}`);
    expect(contact.body).toMatchObject({ name: 'Bea Booker', type: 'patient', phone: '+14155550140', externalId: 'PMS-77' });
    expect(contact.body.bookings.map((b: any) => b.id)).toEqual([first.body.id]);

    const again = await pms.post('/api/v1/bookings', body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('credits a booking to the conversation the patient wrote in, and turns the lead into a patient', async () => {
    const msg = await inbound(org, 'Do you have a slot next week?', '+14155550141');
    const booked = await pms.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: when, contact: { name: 'Leo Lead', phone: '+14155550141' } });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ contactId: msg.contactId, conversationId: msg.conversationId });
    const thread = await org.owner.get(`/api/v1/conversations/${msg.conversationId}`);
    expect(thread.body.bookings.map((b: any) => b.id)).toEqual([booked.body.id]);
    expect(thread.body.contact.type).toBe('patient');
  });

  it('staff book from a thread', async () => {
    const msg = await inbound(org, 'Can I come Friday?', '+14155550143');
    const res = await org.owner.post(`/api/v1/conversations/${msg.conversationId}/bookings`, { startsAt: when, notes: 'Friday cleaning' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'staff', conversationId: msg.conversationId, notes: 'Friday cleaning' });
    const listed = await org.owner.get(`/api/v1/bookings?conversationId=${msg.conversationId}`);
    expect(listed.body.items.map((b: any) => b.id)).toEqual([res.body.id]);
    const audit = await org.owner.get(`/api/v1/audit?subjectId=${res.body.id}`);
    expect(audit.body.items.map((e: any) => e.action)).toContain('booking.create');
  });

  it('refuses what does not fit', async () => {
    expectProblem(await pms.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: 'tomorrow', contactId: org.me.user.id }), 400, 'invalid_input');
    expectProblem(await pms.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: when }), 400, 'invalid_input');
    expectProblem(await pms.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: when, contact: { name: 'Nobody' } }), 400, 'invalid_input');
    const other = await inbound(org, 'Another patient', '+14155550144');
    const mine = await inbound(org, 'Me', '+14155550145');
    expectProblem(await pms.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: when, contactId: mine.contactId, conversationId: other.conversationId }), 400, 'invalid_input');
    const stranger = await signupOrg(ctx.app, 'Stranger');
    expectProblem(await stranger.owner.post(`/api/v1/conversations/${mine.conversationId}/bookings`, { startsAt: when }), 404);
    expectProblem(await stranger.owner.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: when, contactId: mine.contactId }), 404);
  });

  it('does not credit a conversation idle for more than 30 days', async () => {
    const msg = await inbound(org, 'Hello from long ago', '+14155550142');
    // Sessions end when idle; the practice system's API token does not.
    ctx.clock.advance(31 * 86_400_000);
    const booked = await pms.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: when, contactId: msg.contactId });
    expect(booked.body.conversationId).toBeNull();
  });
});

describe('the conversion report (P3)', () => {
  it('counts conversations that led to bookings, by first channel and by month', async () => {
    const fresh = await signupOrg(ctx.app, 'Report Group', { plan: 'pro' });
    const a = await inbound(fresh, 'sms one', '+14155550151');
    await inbound(fresh, 'sms two', '+14155550152');
    const c = await inbound(fresh, 'mail one', 'mail@example.com', { channel: 'email' });
    await fresh.owner.post(`/api/v1/conversations/${a.conversationId}/bookings`, { startsAt: when });
    await fresh.owner.post(`/api/v1/conversations/${a.conversationId}/bookings`, { startsAt: when });
    await fresh.owner.post(`/api/v1/conversations/${c.conversationId}/bookings`, { startsAt: when });

    const now = ctx.clock.now();
    const month = now.toISOString().slice(0, 7);
    const report = await fresh.owner.get(`/api/v1/reports/conversions?from=${month}&to=${month}`);
    expect(report.status).toBe(200);
    expect(report.body.total).toEqual({ conversations: 3, converted: 2, rate: 0.6667 });
    expect(report.body.byChannel).toEqual([
      { channel: 'sms', conversations: 2, converted: 1, rate: 0.5 },
      { channel: 'email', conversations: 1, converted: 1, rate: 1 },
    ]);
    expect(report.body.byMonth).toEqual([{ month, conversations: 3, converted: 2, rate: 0.6667 }]);

    const year = await fresh.owner.get('/api/v1/reports/conversions');
    expect(year.body.byMonth).toHaveLength(12);

    expectProblem(await fresh.owner.get('/api/v1/reports/conversions?from=2026-05&to=2026-01'), 400, 'invalid_input');
    const nurse = await fresh.addUser('nurse');
    expectProblem(await nurse.client.get('/api/v1/reports/conversions'), 403, 'admin_only');
  });
});
