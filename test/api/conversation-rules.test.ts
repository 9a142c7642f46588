import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app);
});

describe('T4 end to end: who may post', () => {
  it('a doctor may start a conversation with a patient who has none, and both sides continue it', async () => {
    const doctor = await org.addUser('doctor');
    const started = await doctor.client.post('/api/v1/conversations', { phone: '+14155550201', channel: 'sms', clinicId: org.clinicId, body: 'Your results are in' });
    expect(started.status).toBe(201);
    const reply = await inbound(org, 'Thank you doctor', '+14155550201');
    expect(reply.conversationId).toBe(started.body.conversation.id);
    expect((await doctor.client.post(`/api/v1/conversations/${reply.conversationId}/messages`, { body: 'All normal.' })).status).toBe(202);
  });

  it('a doctor may not start a second thread while the patient has an active one: 403 with the rule', async () => {
    const { conversationId } = await inbound(org, 'Question for reception', '+14155550202');
    const doctor = await org.addUser('doctor');
    const res = await doctor.client.post('/api/v1/conversations', { phone: '+14155550202', channel: 'sms', clinicId: org.clinicId, body: 'Hi' });
    expectProblem(res, 403, 'doctor_conversation_exists');
    // Issue 17, defect 7: the refusal names the thread, so the app can link to it.
    expect(res.body.conversationId).toBe(conversationId);
    const thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(thread.body.messages).toHaveLength(1);
  });

  it('a doctor may not post in reception\'s thread until it is assigned to them', async () => {
    const { conversationId } = await inbound(org, 'Need a refill', '+14155550203');
    const doctor = await org.addUser('doctor');
    expectProblem(await doctor.client.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Hi' }), 403, 'clinician_not_participant');
    await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: doctor.id });
    expect((await doctor.client.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Refill sent' })).status).toBe(202);
  });

  it('nurses follow the same rule as doctors', async () => {
    await inbound(org, 'Hello', '+14155550204');
    const nurse = await org.addUser('nurse');
    expectProblem(await nurse.client.post('/api/v1/conversations', { phone: '+14155550204', channel: 'sms', clinicId: org.clinicId, body: 'Hi' }), 403, 'doctor_conversation_exists');
  });

  it('once the thread is closed, a doctor may start a new one', async () => {
    const { conversationId } = await inbound(org, 'Bye', '+14155550205');
    await org.owner.post(`/api/v1/conversations/${conversationId}/close`);
    const doctor = await org.addUser('doctor');
    const res = await doctor.client.post('/api/v1/conversations', { phone: '+14155550205', channel: 'sms', clinicId: org.clinicId, body: 'Follow-up' });
    expect(res.status).toBe(201);
    expect(res.body.conversation.id).not.toBe(conversationId);
  });

  it('receptionists and admins are unrestricted: their message joins the active thread', async () => {
    const { conversationId } = await inbound(org, 'Hi there', '+14155550206');
    const receptionist = await org.addUser('receptionist');
    const r = await receptionist.client.post('/api/v1/conversations', { phone: '+14155550206', channel: 'sms', clinicId: org.clinicId, body: 'Hello!' });
    expect(r.body).toMatchObject({ joinedExisting: true, conversation: { id: conversationId } });
    const admin = await org.addUser('admin');
    expect((await admin.client.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Admin here' })).status).toBe(202);
  });

  it('two doctors racing to start the same patient\'s thread: exactly one wins', async () => {
    const [a, b] = await Promise.all([org.addUser('doctor'), org.addUser('doctor')]);
    const results = await Promise.all(
      [a, b].map((d) => d.client.post('/api/v1/conversations', { phone: '+14155550207', channel: 'sms', clinicId: org.clinicId, body: 'Hello from your doctor' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 403]);
    expect(results.find((r) => r.status === 403)!.body.code).toBe('doctor_conversation_exists');
  });

  it('a clinician cannot start a conversation at a clinic they do not work at', async () => {
    const other = (await org.owner.post('/api/v1/clinics', { name: 'Other site' })).body.id;
    const doctor = await org.addUser('doctor');
    expectProblem(await doctor.client.post('/api/v1/conversations', { phone: '+14155550208', channel: 'sms', clinicId: other, body: 'Hi' }), 403, 'clinic_access_denied');
  });
});
