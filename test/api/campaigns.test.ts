/** M10 campaigns with a controllable clock: due reminders, quiet hours, opted-out and blocked skipped, never twice. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let templateId: string;

beforeAll(async () => {
  // The clock starts at 2026-03-02 09:00 UTC: 4:00 in the clinic's New York — inside quiet hours.
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Reminding Dental');
  templateId = (await org.owner.post('/api/v1/templates', { name: 'Reminder', body: 'Hi {{patient.firstName}}, see you {{appointment.date}} at {{appointment.time}} at {{clinic.name}}.' })).body.id;
});

const hours = (n: number) => new Date(ctx.clock.now().getTime() + n * 3_600_000).toISOString();

async function patient(name: string, fields: Record<string, unknown>) {
  const res = await org.owner.post('/api/v1/contacts', { name, ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function book(contactId: string, inHours: number) {
  const res = await org.owner.post('/api/v1/bookings', { clinicId: org.clinicId, contactId, startsAt: hours(inHours) });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('appointment reminders (M10)', () => {
  it('sends each due reminder once, through the normal path, labelled with the campaign; skips quiet hours, opted-out and blocked patients', async () => {
    const alice = await patient('Alice Able', { phone: '+14155550311' });
    const bob = await patient('Bob Stop', { phone: '+14155550312' });
    await inbound(org, 'STOP', '+14155550312');
    const cara = await patient('Cara Blocked', { phone: '+14155550313' });
    await org.owner.post(`/api/v1/contacts/${cara}/block`);
    const erin = await patient('Erin Email', { email: 'erin@example.com' });
    const dan = await patient('Dan Later', { phone: '+14155550314' });
    const aliceBooking = await book(alice, 20);
    await book(bob, 20);
    await book(cara, 20);
    await book(erin, 10);
    await book(dan, 30);

    expectProblem(await org.owner.post('/api/v1/campaigns', { name: 'No hours', trigger: 'appointment_reminder', templateId }), 400, 'invalid_input');
    const campaign = await org.owner.post('/api/v1/campaigns', { name: 'Appointment reminders', trigger: 'appointment_reminder', hoursBefore: 24, templateId });
    expect(campaign.status).toBe(201);
    expect(campaign.body.quietHours).toEqual({ start: '21:00', end: '08:00' });

    const night = await org.owner.post(`/api/v1/campaigns/${campaign.body.id}/run`);
    expect(night.body).toMatchObject({ sent: 1, skipped: 3, failed: 0 });
    const reasons = Object.fromEntries(night.body.items.filter((i: any) => i.status === 'skipped').map((i: any) => [i.contactId, i.reason]));
    expect(reasons).toEqual({ [alice]: 'quiet_hours', [bob]: 'opted_out', [cara]: 'contact_blocked' });
    expect(night.body.items.find((i: any) => i.status === 'sent').contactId).toBe(erin);

    ctx.clock.advance(4 * 3_600_000); // 8:00 in New York
    org.owner = await signIn(ctx.app, org.me.user.email);
    const morning = await org.owner.post(`/api/v1/campaigns/${campaign.body.id}/run`);
    expect(morning.body).toMatchObject({ sent: 1, skipped: 2 });
    const sent = morning.body.items.find((i: any) => i.status === 'sent');
    expect(sent).toMatchObject({ contactId: alice, target: `booking:${aliceBooking}` });

    const thread = (await org.owner.get(`/api/v1/conversations?contactId=${alice}`)).body.items[0];
    const detail = await org.owner.get(`/api/v1/conversations/${thread.id}`);
    const message = detail.body.messages.at(-1);
    expect(message).toMatchObject({ channel: 'sms', status: 'queued', sender: { type: 'campaign', name: 'Appointment reminders' } });
    expect(message.body).toMatch(/^Hi Alice, see you Tuesday, March 3 at 12:00 AM at Reminding Dental Main\.$/);

    const again = await org.owner.post(`/api/v1/campaigns/${campaign.body.id}/run`);
    expect(again.body.sent).toBe(0);
    expect(again.body.items.filter((i: any) => i.contactId === alice || i.contactId === erin)).toEqual([]);
    const runs = await org.owner.get(`/api/v1/campaigns/${campaign.body.id}/runs`);
    expect(runs.body.items.map((r: any) => r.sent)).toEqual([0, 1, 1]);
  });

  it('form invites go once per booking made after the campaign, and a paused campaign sends nothing', async () => {
    const before = await patient('Old Booking', { email: 'old@example.com' });
    await book(before, 48);
    const invite = await org.owner.post('/api/v1/campaigns', { name: 'New patient forms', trigger: 'form_invite', templateId, channel: 'email' });
    const fresh = await patient('Fresh Booking', { email: 'fresh@example.com' });
    await book(fresh, 48);
    const first = await org.owner.post(`/api/v1/campaigns/${invite.body.id}/run`);
    expect(first.body.items.map((i: any) => [i.contactId, i.status])).toEqual([[fresh, 'sent']]);
    expect((await org.owner.post(`/api/v1/campaigns/${invite.body.id}/run`)).body.sent).toBe(0);

    await org.owner.patch(`/api/v1/campaigns/${invite.body.id}`, { active: false });
    await book(await patient('Paused', { email: 'paused@example.com' }), 48);
    expect((await org.owner.post(`/api/v1/campaigns/${invite.body.id}/run`)).body.sent).toBe(0);
  });

  it('keeps the template a campaign sends: deleting it is 409 naming the campaign, not a crash', async () => {
    const refused = await org.owner.request('DELETE', `/api/v1/templates/${templateId}`);
    expectProblem(refused, 409, 'conflict');
    expect(refused.body.detail).toContain('"Appointment reminders"');
  });

  it('is for admins, and walled off by organization', async () => {
    const nurse = await org.addUser('nurse');
    expectProblem(await nurse.client.get('/api/v1/campaigns'), 403, 'admin_only');
    const other = await signupOrg(ctx.app, 'Other Dental');
    const mine = (await org.owner.get('/api/v1/campaigns')).body.items[0];
    expectProblem(await other.owner.post(`/api/v1/campaigns/${mine.id}/run`), 404);
    expectProblem(await other.owner.post('/api/v1/campaigns', { name: 'Theft', trigger: 'form_invite', templateId }), 404);
  });
});
