import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Clinic Group', { plan: 'pro' });
});

describe('contacts (C1, C2, C4)', () => {
  it('creates a contact by hand with a normalised phone and email', async () => {
    const res = await org.owner.post('/api/v1/contacts', {
      name: 'Rosa Diaz',
      phone: '(415) 555-0501',
      email: 'Rosa@Example.com',
      dateOfBirth: '1988-04-12',
      externalId: 'PMS-1001',
      portalAccount: true,
      chatOptIn: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'patient',
      phone: '+14155550501',
      email: 'rosa@example.com',
      dateOfBirth: '1988-04-12',
      externalId: 'PMS-1001',
      optedOut: { sms: false, email: false, whatsapp: false },
      blocked: false,
    });
  });

  it('refuses a duplicate phone, email or external id in the organization', async () => {
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Dup', phone: '+1 415 555 0501' }), 409, 'conflict');
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Dup', email: 'ROSA@example.com' }), 409, 'conflict');
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Dup', phone: '+14155550599', externalId: 'PMS-1001' }), 409, 'conflict');
  });

  it('refuses a contact with neither phone nor email, or with bad ones', async () => {
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Nobody' }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Bad', phone: 'call me' }), 400, 'invalid_phone');
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Bad', email: 'not-an-email' }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/contacts', { name: 'Bad', email: 'a@b.co', dateOfBirth: '12/04/1988' }), 400, 'invalid_input');
  });

  it('a patient who writes in is added automatically as a lead', async () => {
    const { contactId } = await inbound(org, 'Hello', '+14155550502', { name: 'Walk In' });
    const res = await org.owner.get(`/api/v1/contacts/${contactId}`);
    expect(res.body).toMatchObject({ type: 'lead', name: 'Walk In', phone: '+14155550502' });
  });

  it('searches by name, email and phone in any format', async () => {
    const names = async (q: string) => (await org.owner.get(`/api/v1/contacts?q=${encodeURIComponent(q)}`)).body.items.map((c: any) => c.name);
    expect(await names('rosa')).toEqual(['Rosa Diaz']);
    expect(await names('example.com')).toEqual(['Rosa Diaz']);
    expect(await names('415-555-0501')).toEqual(['Rosa Diaz']);
    expect(await names('0501')).toEqual(['Rosa Diaz']);
    expect(await names('zzz')).toEqual([]);
  });

  it('shows history and private notes on the contact page; updates and blocks', async () => {
    const { contactId, conversationId } = await inbound(org, 'Toothache', '+14155550503');
    await org.owner.post(`/api/v1/conversations/${conversationId}/calls`, { startedAt: '2026-03-01T10:00:00.000Z', durationSeconds: 90, direction: 'outbound', notes: 'Called back' });
    const note = await org.owner.post(`/api/v1/contacts/${contactId}/notes`, { body: 'Anxious about needles' });
    expect(note.status).toBe(201);
    const page = (await org.owner.get(`/api/v1/contacts/${contactId}`)).body;
    expect(page.notes.map((n: any) => n.body)).toEqual(['Anxious about needles']);
    expect(page.conversations.map((c: any) => c.id)).toEqual([conversationId]);
    expect(page.messages.map((m: any) => m.channel)).toEqual(['call', 'sms']);

    const updated = await org.owner.patch(`/api/v1/contacts/${contactId}`, { name: 'Tara Tooth', type: 'patient', email: 'tara@example.com' });
    expect(updated.body).toMatchObject({ name: 'Tara Tooth', type: 'patient', email: 'tara@example.com' });
    expect((await org.owner.post(`/api/v1/contacts/${contactId}/block`)).body.blocked).toBe(true);
    expect((await org.owner.get('/api/v1/contacts?blocked=true')).body.items.map((c: any) => c.id)).toEqual([contactId]);
  });

  it('a sender without the contacts privilege can look contacts up but sees no private notes', async () => {
    const { contactId } = await inbound(org, 'Hi', '+14155550504');
    await org.owner.post(`/api/v1/contacts/${contactId}/notes`, { body: 'Private' });
    const receptionist = await org.addUser('receptionist', { privileges: ['send_messages'] });
    const page = await receptionist.client.get(`/api/v1/contacts/${contactId}`);
    expect(page.status).toBe(200);
    expect(page.body.notes).toEqual([]);
    expectProblem(await receptionist.client.post(`/api/v1/contacts/${contactId}/notes`, { body: 'x' }), 403, 'missing_privilege');
  });

  it('pages contacts newest first', async () => {
    const first = await org.owner.get('/api/v1/contacts?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await org.owner.get(`/api/v1/contacts?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
    expectProblem(await org.owner.get('/api/v1/contacts?cursor=nope'), 400, 'invalid_cursor');
  });
});

describe('the CRM is a Pro-plan feature (C3, P4)', () => {
  it('answers 402 naming Pro on Free for the list, the contact page and notes; creating contacts and blocking stay open', async () => {
    const free = await signupOrg(ctx.app, 'Free Group');
    const created = await free.owner.post('/api/v1/contacts', { name: 'Fay Free', phone: '+14155550777' });
    expect(created.status).toBe(201);
    for (const res of [
      await free.owner.get('/api/v1/contacts'),
      await free.owner.get(`/api/v1/contacts/${created.body.id}`),
      await free.owner.post(`/api/v1/contacts/${created.body.id}/notes`, { body: 'Prefers mornings' }),
    ]) {
      expectProblem(res, 402, 'plan_required');
      expect(res.body).toMatchObject({ plan: 'pro', detail: expect.stringMatching(/Pro plan; you are on Free/) });
    }
    expect((await free.owner.post(`/api/v1/contacts/${created.body.id}/block`)).status).toBe(200);
    await free.owner.request('PUT', '/api/v1/plan', { plan: 'pro' });
    expect((await free.owner.get(`/api/v1/contacts/${created.body.id}`)).status).toBe(200);
  });

  it('checks the privilege before the plan: a user without it gets 403 whatever the plan', async () => {
    const free = await signupOrg(ctx.app, 'Free Group 2');
    const nurse = await free.addUser('nurse', { privileges: [] });
    expectProblem(await nurse.client.get('/api/v1/contacts'), 403, 'missing_privilege');
  });
});
