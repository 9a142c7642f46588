/** Integrity (issue 8): sent messages are never edited or deleted, only retracted with a correction that keeps history. */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let conversationId: string;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Integrity Clinic');
  conversationId = (await inbound(org, 'What dose should I take?', '+14155550951')).conversationId;
});

const thread = async () => (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages as { id: string; body: string; status: string; retracted: { reason: string } | null; correctsMessageId: string | null }[];

describe('retraction', () => {
  it('no route edits or deletes a message', () => {
    const writes = ctx.app.routeTable.filter((r) => /\/messages\/:id/.test(r.url) && ['PUT', 'PATCH', 'DELETE'].includes(r.method));
    expect(writes).toEqual([]);
  });

  it('retracts with a reason and a correction; both stay in the thread, the old text kept', async () => {
    const wrong = (await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Take 800 mg twice a day' })).body;
    const res = await org.owner.post(`/api/v1/messages/${wrong.id}/retract`, { reason: 'wrong dose', correction: 'Correction: take 400 mg twice a day' });
    expect(res.status).toBe(200);
    expect(res.body.retracted).toMatchObject({ id: wrong.id, body: 'Take 800 mg twice a day', retracted: { reason: 'wrong dose', byUserId: org.me.user.id } });
    expect(res.body.correction).toMatchObject({ body: 'Correction: take 400 mg twice a day', correctsMessageId: wrong.id, retracted: null });
    const messages = await thread();
    expect(messages.map((m) => [m.body, m.retracted?.reason ?? null])).toEqual([
      ['What dose should I take?', null],
      ['Take 800 mg twice a day', 'wrong dose'],
      ['Correction: take 400 mg twice a day', null],
    ]);
    expectProblem(await org.owner.post(`/api/v1/messages/${wrong.id}/retract`, { reason: 'again' }), 409, 'conflict');
    const audit = (await org.owner.get(`/api/v1/audit?subjectId=${wrong.id}`)).body.items.map((e: { action: string }) => e.action);
    expect(audit).toContain('message.retract');
  });

  it('a patient\'s message cannot be retracted, and only the sender or an admin retracts', async () => {
    const [patientMessage] = await thread();
    expectProblem(await org.owner.post(`/api/v1/messages/${patientMessage.id}/retract`, { reason: 'not ours' }), 409, 'conflict');
    const nurse = await org.addUser('receptionist');
    const mine = (await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'See you at 3' })).body;
    expectProblem(await nurse.client.post(`/api/v1/messages/${mine.id}/retract`, { reason: 'not hers' }), 403, 'forbidden');
    const sent = await nurse.client.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Bring your card' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect((await nurse.client.post(`/api/v1/messages/${sent.body.id}/retract`, { reason: 'not needed' })).status).toBe(200);
  });

  it('a correction that cannot be sent leaves the message unretracted', async () => {
    const other = await inbound(org, 'Do you take new patients?', '+14155550952');
    const sent = (await org.owner.post(`/api/v1/conversations/${other.conversationId}/messages`, { body: 'Yes, from Monday' })).body;
    await org.owner.post(`/api/v1/contacts/${other.contactId}/block`);
    const res = await org.owner.post(`/api/v1/messages/${sent.id}/retract`, { reason: 'not true', correction: 'Sorry, we are full' });
    expect(res.status).toBe(422);
    const messages = (await org.owner.get(`/api/v1/conversations/${other.conversationId}`)).body.messages as { id: string; retracted: unknown }[];
    expect(messages.find((m) => m.id === sent.id)!.retracted).toBeNull();
    expect(messages).toHaveLength(2);
  });

  it('a message retracted while still queued is never sent', async () => {
    const queued = (await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Sent to the wrong patient' })).body;
    expect(queued.status).toBe('queued');
    await org.owner.post(`/api/v1/messages/${queued.id}/retract`, { reason: 'wrong patient' });
    await ctx.runtime.deps.db.execute(sql`select 1`);
    const { deliverMessage } = await import('../../src/delivery/service.js');
    await deliverMessage(ctx.deps, queued.id, { lastTry: false });
    const after = (await thread()).find((m) => m.id === queued.id)!;
    expect(after.status).toBe('failed');
    const outbox = (await org.owner.get('/api/v1/simulator/outbox')).body.items as { body: string }[];
    expect(outbox.some((m) => m.body === 'Sent to the wrong patient')).toBe(false);
  });

  it('the database itself refuses to edit or delete a message', async () => {
    const [first] = await thread();
    const refusal = (query: Promise<unknown>) => query.then(() => 'allowed', (e: Error & { cause?: Error }) => (e.cause ?? e).message);
    expect(await refusal(ctx.deps.db.execute(sql`update messages set body = 'rewritten' where id = ${first.id}`))).toMatch(/cannot be edited/);
    expect(await refusal(ctx.deps.db.execute(sql`delete from messages where id = ${first.id}`))).toMatch(/never deleted/);
    expect(await refusal(ctx.deps.db.execute(sql`update messages set retracted_at = null where retracted_at is not null`))).toMatch(/cannot be edited/);
    // Status changes stay possible: delivery and read receipts need them.
    await ctx.deps.db.execute(sql`update messages set status = 'read' where id = ${first.id}`);
  });

  it('the patient sees the clinic retracted it, not the text', async () => {
    const posted = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`,
      payload: { name: 'Gail Guest', email: 'gail@example.com', body: 'Is the office open Saturday?' },
      remoteAddress: '198.51.100.90',
    });
    expect(posted.statusCode, posted.body).toBe(201);
    const token = new URL(posted.json().guestUrl).pathname.split('/')[2];
    const guestThread = (await org.owner.get('/api/v1/conversations?channel=web')).body.items[0].id;
    const reply = (await org.owner.post(`/api/v1/conversations/${guestThread}/messages`, { body: 'Yes, 9 to 1' })).body;
    await org.owner.post(`/api/v1/messages/${reply.id}/retract`, { reason: 'we are closed', correction: 'Sorry, closed on Saturdays' });
    const seen = (await ctx.app.inject({ method: 'GET', url: `/api/v1/public/threads/${token}/messages` })).json().messages.map((m: { body: string }) => m.body);
    expect(seen).toEqual(['Is the office open Saturday?', 'This message was retracted by the clinic.', 'Sorry, closed on Saturdays']);
  });
});
