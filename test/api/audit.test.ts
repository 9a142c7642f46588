import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Clinic Group', { plan: 'pro' });
});

const actionsFor = async (subjectId: string) =>
  (await org.owner.get(`/api/v1/audit?subjectId=${subjectId}&limit=200`)).body.items.map((e: any) => e.action).reverse();

describe('M13 audit log', () => {
  it('records reads of a thread, sends, assignment, moves and state changes, with who and from where', async () => {
    const { conversationId } = await inbound(org, 'Private question', '+14155550401');
    const nurse = await org.addUser('nurse');
    const inbox = (await org.owner.post('/api/v1/inboxes', { name: 'Triage' })).body.id;
    await org.owner.get(`/api/v1/conversations/${conversationId}`);
    await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Answer' });
    await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: nurse.id });
    await org.owner.post(`/api/v1/conversations/${conversationId}/move`, { inboxId: inbox });
    await org.owner.post(`/api/v1/conversations/${conversationId}/close`);
    await org.owner.post('/api/v1/conversations/bulk', { ids: [conversationId], action: 'reopen' });
    expect(await actionsFor(conversationId)).toEqual([
      'message.receive',
      'simulator.inbound',
      'conversation.view',
      'message.send',
      'conversation.assign',
      'conversation.move',
      'conversation.close',
      'conversation.reopen',
    ]);
    const [view] = (await org.owner.get(`/api/v1/audit?subjectId=${conversationId}&action=conversation.view`)).body.items;
    expect(view).toMatchObject({ actorKind: 'user', actorUserId: org.me.user.id, ip: '127.0.0.1', subjectType: 'conversation' });
  });

  it('never stores message text in the log', async () => {
    const { conversationId } = await inbound(org, 'SECRET-DIAGNOSIS-XYZ', '+14155550402');
    await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'SECRET-REPLY-XYZ' });
    const all = JSON.stringify((await org.owner.get('/api/v1/audit?limit=200')).body);
    expect(all).not.toContain('SECRET-');
  });

  it('records contact views, notes, blocks and settings changes', async () => {
    const { contactId } = await inbound(org, 'Hi', '+14155550403');
    await org.owner.get(`/api/v1/contacts/${contactId}`);
    await org.owner.post(`/api/v1/contacts/${contactId}/notes`, { body: 'Prefers mornings' });
    await org.owner.post(`/api/v1/contacts/${contactId}/block`);
    expect(await actionsFor(contactId)).toEqual(['contact.view', 'contact.note_add', 'contact.block']);
  });

  it('filters by user and pages with a cursor', async () => {
    const mine = (await org.owner.get(`/api/v1/audit?userId=${org.me.user.id}&limit=3`)).body;
    expect(mine.items).toHaveLength(3);
    expect(mine.items.every((e: any) => e.actorUserId === org.me.user.id)).toBe(true);
    const next = (await org.owner.get(`/api/v1/audit?userId=${org.me.user.id}&limit=3&cursor=${mine.nextCursor}`)).body;
    expect(Number(next.items[0].id)).toBeLessThan(Number(mine.items[2].id));
  });

  it('is for admins only', async () => {
    const receptionist = await org.addUser('receptionist');
    expectProblem(await receptionist.client.get('/api/v1/audit'), 403, 'admin_only');
  });

  it('cannot be edited or deleted, even with direct SQL', async () => {
    await expect(ctx.deps.db.execute(sql`update audit_log set action = 'nothing'`)).rejects.toThrow();
    await expect(ctx.deps.db.execute(sql`delete from audit_log`)).rejects.toThrow();
    await expect(ctx.deps.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    const count = await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log`);
    expect(count.rows[0].n).toBeGreaterThan(10);
  });

  it('selects one patient: their contact, their conversations and those conversations\' messages', async () => {
    const first = await inbound(org, 'About my filling', '+14155550410');
    await org.owner.get(`/api/v1/conversations/${first.conversationId}`);
    await org.owner.post(`/api/v1/conversations/${first.conversationId}/messages`, { body: 'Tuesday?' });
    await org.owner.get(`/api/v1/contacts/${first.contactId}`);
    const other = await inbound(org, 'Someone else', '+14155550411');
    await org.owner.get(`/api/v1/conversations/${other.conversationId}`);
    const items = (await org.owner.get(`/api/v1/audit?patientId=${first.contactId}&limit=200`)).body.items as { action: string; subjectId: string }[];
    expect(items.map((e) => e.action).reverse()).toEqual(['message.receive', 'simulator.inbound', 'conversation.view', 'message.send', 'contact.view']);
    expect(items.some((e) => e.subjectId === other.conversationId)).toBe(false);
  });

  it('exports as CSV (who, what, when, from where, outcome) and as JSON, and audits the export', async () => {
    const { contactId } = await inbound(org, 'Export me', '+14155550412');
    await org.owner.get(`/api/v1/contacts/${contactId}`);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit/export?patientId=${contactId}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const [header, ...rows] = res.body.trim().split('\r\n');
    expect(header).toBe('id,at,actor_kind,actor_user_id,actor_email,actor_token_id,action,outcome,subject_type,subject_id,ip,user_agent,details');
    expect(rows.map((r) => r.split(',')[6])).toEqual(['message.receive', 'simulator.inbound', 'contact.view']);
    expect(rows[2]).toContain(org.me.user.email);
    expect(rows[2]).toContain(',success,contact,');
    expect(rows[2]).toContain('127.0.0.1');

    const json = await org.owner.get(`/api/v1/audit/export?patientId=${contactId}&format=json`);
    expect(json.body.entries.map((e: { action: string }) => e.action)).toEqual(['message.receive', 'simulator.inbound', 'contact.view']);
    const exports = (await org.owner.get('/api/v1/audit?action=audit.export')).body.items;
    expect(exports).toHaveLength(2);
    expect(exports[0].details).toMatchObject({ format: 'json', entries: 3 });
  });

  it('filters by outcome: refused sign-ins show as failures', async () => {
    await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: org.me.user.email, password: 'not-the-right-one' } });
    const failed = (await org.owner.get('/api/v1/audit?outcome=failure')).body.items;
    expect(failed.map((e: { action: string }) => e.action)).toEqual(['auth.login_failed']);
    expectProblem(await org.owner.get('/api/v1/audit?outcome=maybe'), 400, 'invalid_input');
  });
});
