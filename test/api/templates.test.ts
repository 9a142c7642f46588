import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Template Dental');
});

describe('K2 templates', () => {
  it('checks placeholders when saved and fills them in per recipient', async () => {
    const bad = await org.owner.post('/api/v1/templates', { name: 'Broken', body: 'Hi {{patient.firstname}}, see you {{appointment.when}}' });
    expectProblem(bad, 400, 'invalid_input');
    expect(bad.body.detail).toContain('{{patient.firstname}}');
    const created = await org.owner.post('/api/v1/templates', { name: 'Running late', body: 'Hi {{patient.firstName}}, {{clinic.name}} is running 10 minutes late. — {{staff.name}}' });
    expect(created.status).toBe(201);
    expectProblem(await org.owner.post('/api/v1/templates', { name: 'running LATE', body: 'x' }), 409, 'name_taken');
    const list = (await org.owner.get('/api/v1/templates')).body;
    expect(list.items.map((t: any) => t.name)).toEqual(['Running late']);
    expect(list.placeholders).toContain('patient.firstName');

    const { conversationId } = await inbound(org, 'Are you on time?', '+14155550961', { name: 'Nadia Kowalski' });
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { templateId: created.body.id });
    expect(sent.status).toBe(202);
    expect(sent.body.body).toBe('Hi Nadia, Template Dental Main is running 10 minutes late. — Olive Owner');
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, {}), 400, 'invalid_input');

    const other = await signupOrg(ctx.app, 'Other');
    const theirs = await inbound(other, 'Hi', '+14155550962');
    expectProblem(await other.owner.post(`/api/v1/conversations/${theirs.conversationId}/messages`, { templateId: created.body.id }), 404);
  });

  it('are created by admins only', async () => {
    const receptionist = await org.addUser('receptionist');
    expectProblem(await receptionist.client.post('/api/v1/templates', { name: 'Mine', body: 'Hello' }), 403, 'admin_only');
    expect((await receptionist.client.get('/api/v1/templates')).status).toBe(200);
  });

  it('fill in the patient’s next appointment, in the clinic’s time zone; change and delete with the same checks', async () => {
    const created = await org.owner.post('/api/v1/templates', { name: 'Reminder', body: 'Hi {{patient.firstName}}, see you {{appointment.date}} at {{appointment.time}}.' });
    const { conversationId } = await inbound(org, 'When is it?', '+14155550963', { name: 'Omar Haddad' });
    await org.owner.post(`/api/v1/conversations/${conversationId}/bookings`, { startsAt: '2026-03-10T14:30:00.000Z' });
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { templateId: created.body.id });
    expect(sent.body.body).toBe('Hi Omar, see you Tuesday, March 10 at 10:30 AM.');

    expectProblem(await org.owner.patch(`/api/v1/templates/${created.body.id}`, { body: 'See you {{appointment.when}}' }), 400, 'invalid_input');
    const changed = await org.owner.patch(`/api/v1/templates/${created.body.id}`, { body: 'See you at {{appointment.time}}' });
    expect(changed.body.body).toBe('See you at {{appointment.time}}');
    expect((await org.owner.request('DELETE', `/api/v1/templates/${created.body.id}`)).status).toBe(204);
    expect((await org.owner.get('/api/v1/templates')).body.items.map((t: any) => t.name)).not.toContain('Reminder');
  });
});
