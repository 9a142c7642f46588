import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp();
});

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((c) => c.id);

describe('starting conversations and sending (M2, M3, C1, C4)', () => {
  let org: Org;
  beforeAll(async () => {
    org = await signupOrg(ctx.app);
  });

  it('texting an unknown number creates a lead and a conversation with a queued message', async () => {
    const res = await org.owner.post('/api/v1/conversations', { phone: '(415) 555-0101', channel: 'sms', clinicId: org.clinicId, body: 'Hi from the clinic' });
    expect(res.status).toBe(201);
    expect(res.body.conversation).toMatchObject({ contact: { type: 'lead', phone: '+14155550101' }, channel: 'sms', status: 'open', unread: false, clinicId: org.clinicId, inboxId: org.inboxId });
    expect(res.body.message).toMatchObject({ direction: 'outbound', status: 'queued', body: 'Hi from the clinic', sender: { type: 'user', name: 'Olive Owner' } });
    expect(res.body.joinedExisting).toBe(false);
  });

  it('the same number in another format resolves to the same contact and joins the active thread', async () => {
    const first = await org.owner.post('/api/v1/conversations', { phone: '+1 415 555 0102', channel: 'sms', clinicId: org.clinicId, body: 'One' });
    const second = await org.owner.post('/api/v1/conversations', { phone: '4155550102', channel: 'sms', clinicId: org.clinicId, body: 'Two' });
    expect(second.body.conversation.id).toBe(first.body.conversation.id);
    expect(second.body.conversation.contact.id).toBe(first.body.conversation.contact.id);
    expect(second.body.joinedExisting).toBe(true);
    const thread = await org.owner.get(`/api/v1/conversations/${first.body.conversation.id}`);
    expect(thread.body.messages.map((m: any) => m.body)).toEqual(['One', 'Two']);
  });

  it('refuses invalid numbers and unusable channels with clear errors', async () => {
    expectProblem(await org.owner.post('/api/v1/conversations', { phone: '12', channel: 'sms', clinicId: org.clinicId, body: 'x' }), 422, 'invalid_number');
    expectProblem(await org.owner.post('/api/v1/conversations', { phone: '+14155550103', channel: 'email', clinicId: org.clinicId, body: 'x' }), 422, 'channel_unavailable');
    expectProblem(await org.owner.post('/api/v1/conversations', { phone: '+14155550103', channel: 'fax', clinicId: org.clinicId, body: 'x' }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/conversations', { channel: 'sms', clinicId: org.clinicId, body: 'x' }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/conversations', { phone: '+14155550103', channel: 'sms', clinicId: org.clinicId, body: '' }), 400, 'invalid_input');
  });

  it('an inbound message marks the thread unread, and a reply marks it replied and read', async () => {
    const { conversationId, messageId } = await inbound(org, 'My crown is loose', '+14155550104');
    let thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(thread.body).toMatchObject({ unread: true, channel: 'sms', availableChannels: ['sms', 'whatsapp'] });
    expect(thread.body.messages[0]).toMatchObject({ id: messageId, direction: 'inbound', status: 'unread', sender: { type: 'contact' } });

    const reply = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Come in at 3pm' });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ status: 'queued', channel: 'sms', direction: 'outbound' });
    thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(thread.body.unread).toBe(false);
    expect(thread.body.messages.map((m: any) => m.status)).toEqual(['replied', 'queued']);
  });

  it('a second inbound text joins the open thread; after closing, the next one reopens it', async () => {
    const a = await inbound(org, 'First', '+14155550105');
    const b = await inbound(org, 'Second', '+14155550105');
    expect(b.conversationId).toBe(a.conversationId);
    await org.owner.post(`/api/v1/conversations/${a.conversationId}/close`);
    const c = await inbound(org, 'Third', '+14155550105');
    expect(c.conversationId).toBe(a.conversationId);
    expect((await org.owner.get(`/api/v1/conversations/${a.conversationId}`)).body.status).toBe('open');
  });

  it('concurrent inbound messages from one patient never create two threads', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => inbound(org, `burst ${i}`, '+14155550106')));
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    const thread = await org.owner.get(`/api/v1/conversations/${results[0].conversationId}`);
    expect(thread.body.messages).toHaveLength(8);
  });

  it('an archived thread stays archived on new inbound: the patient gets a fresh thread', async () => {
    const a = await inbound(org, 'Old question', '+14155550107');
    await org.owner.post(`/api/v1/conversations/${a.conversationId}/archive`);
    const b = await inbound(org, 'New question', '+14155550107');
    expect(b.conversationId).not.toBe(a.conversationId);
    expectProblem(await org.owner.post(`/api/v1/conversations/${a.conversationId}/unarchive`), 409, 'another_conversation_open');
  });

  it('refuses to send to a blocked contact until unblocked', async () => {
    const a = await inbound(org, 'spam spam', '+14155550108');
    await org.owner.post(`/api/v1/contacts/${a.contactId}/block`);
    expectProblem(await org.owner.post(`/api/v1/conversations/${a.conversationId}/messages`, { body: 'hello?' }), 422, 'contact_blocked');
    await org.owner.post(`/api/v1/contacts/${a.contactId}/unblock`);
    expect((await org.owner.post(`/api/v1/conversations/${a.conversationId}/messages`, { body: 'hello?' })).status).toBe(202);
  });

  it('starts email conversations by address and keeps one contact per email', async () => {
    const a = await org.owner.post('/api/v1/conversations', { email: 'New.Patient@Example.com', channel: 'email', clinicId: org.clinicId, body: 'Welcome', name: 'Nia Patient' });
    expect(a.body.conversation.contact).toMatchObject({ email: 'new.patient@example.com', name: 'Nia Patient', type: 'lead' });
    const b = await inbound(org, 'Thanks!', 'new.patient@example.com', { channel: 'email' });
    expect(b.conversationId).toBe(a.body.conversation.id);
  });
});

describe('state changes, assignment, inboxes, pins, stars, calls (M3–M5, M9)', () => {
  let org: Org;
  let conversationId: string;
  beforeAll(async () => {
    org = await signupOrg(ctx.app);
    conversationId = (await inbound(org, 'Can I reschedule?', '+14155550120')).conversationId;
  });

  it('read and unread are shared by the team', async () => {
    const colleague = await org.addUser('receptionist');
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/read`)).body.unread).toBe(false);
    expect((await colleague.client.get(`/api/v1/conversations/${conversationId}`)).body.unread).toBe(false);
    expect((await colleague.client.post(`/api/v1/conversations/${conversationId}/unread`)).body.unread).toBe(true);
    expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.unread).toBe(true);
  });

  it('close, reopen, archive and unarchive', async () => {
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/close`)).body.status).toBe('closed');
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/reopen`)).body.status).toBe('open');
    const archived = await org.owner.post(`/api/v1/conversations/${conversationId}/archive`);
    expect(archived.body).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/unarchive`)).body.archived).toBe(false);
  });

  it('assigns to a team member who works at the clinic, and unassigns', async () => {
    const nurse = await org.addUser('nurse');
    const res = await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: nurse.id });
    expect(res.body.assignee).toEqual({ id: nurse.id, name: expect.any(String) });
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: null })).body.assignee).toBeNull();
  });

  it('refuses to assign to someone who does not work at the clinic, or to a stranger', async () => {
    const elsewhere = await org.owner.post('/api/v1/clinics', { name: 'Elsewhere' });
    const nurse = await org.addUser('nurse', { clinicIds: [elsewhere.body.id] });
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: nurse.id }), 400, 'invalid_input');
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: '00000000-0000-4000-8000-000000000000' }), 404);
  });

  it('moves between inboxes', async () => {
    const billing = await org.owner.post('/api/v1/inboxes', { name: 'Billing' });
    expectProblem(await org.owner.post('/api/v1/inboxes', { name: 'billing' }), 409, 'name_taken');
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/move`, { inboxId: billing.body.id })).body.inboxId).toBe(billing.body.id);
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/move`, { inboxId: org.inboxId })).body.inboxId).toBe(org.inboxId);
  });

  it('pin and mute are per user', async () => {
    const colleague = await org.addUser('receptionist');
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/pin`)).body.pinned).toBe(true);
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/mute`)).body.muted).toBe(true);
    const theirs = await colleague.client.get(`/api/v1/conversations/${conversationId}`);
    expect(theirs.body).toMatchObject({ pinned: false, muted: false });
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/unpin`)).body.pinned).toBe(false);
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/unmute`)).body.muted).toBe(false);
  });

  it('stars a message, and the starred filter finds its conversation', async () => {
    const thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    const messageId = thread.body.messages[0].id;
    expect((await org.owner.post(`/api/v1/messages/${messageId}/star`)).body.starred).toBe(true);
    expect(ids(await org.owner.get('/api/v1/conversations?starred=true&status=all'))).toEqual([conversationId]);
    expect((await org.owner.post(`/api/v1/messages/${messageId}/unstar`)).body.starred).toBe(false);
    expect(ids(await org.owner.get('/api/v1/conversations?starred=true&status=all'))).toEqual([]);
  });

  it('logs a call that appears in the thread with its duration and the person who logged it', async () => {
    const res = await org.owner.post(`/api/v1/conversations/${conversationId}/calls`, {
      startedAt: '2026-03-01T15:00:00.000Z',
      durationSeconds: 240,
      direction: 'inbound',
      notes: 'Rescheduled to Friday 10:00',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ channel: 'call', status: 'logged', direction: 'inbound', call: { durationSeconds: 240, startedAt: '2026-03-01T15:00:00.000Z' }, sender: { type: 'user', name: 'Olive Owner' } });
    const thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(thread.body.messages.at(-1).id).toBe(res.body.id);
    expect(thread.body.channel).toBe('sms');
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/calls`, { startedAt: '2099-01-01T00:00:00.000Z', durationSeconds: 1, direction: 'inbound', notes: 'future' }), 400);
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/calls`, { startedAt: 'yesterday', durationSeconds: -1, direction: 'sideways', notes: '' }), 400, 'invalid_input');
  });

  it('bulk marks read and unread, closes and archives; an unknown id changes nothing', async () => {
    const a = (await inbound(org, 'bulk a', '+14155550121')).conversationId;
    const b = (await inbound(org, 'bulk b', '+14155550122')).conversationId;
    const res = await org.owner.post('/api/v1/conversations/bulk', { ids: [a, b], action: 'read' });
    expect(res.body).toEqual({ updated: 2, ids: [a, b] });
    expect((await org.owner.get(`/api/v1/conversations/${a}`)).body.unread).toBe(false);
    await org.owner.post('/api/v1/conversations/bulk', { ids: [a, b], action: 'unread' });
    expect((await org.owner.get(`/api/v1/conversations/${b}`)).body.unread).toBe(true);

    const missing = await org.owner.post('/api/v1/conversations/bulk', { ids: [a, '00000000-0000-4000-8000-000000000000'], action: 'close' });
    expectProblem(missing, 404);
    expect((await org.owner.get(`/api/v1/conversations/${a}`)).body.status).toBe('open');
    await org.owner.post('/api/v1/conversations/bulk', { ids: [a, b], action: 'close' });
    expect((await org.owner.get(`/api/v1/conversations/${a}`)).body.status).toBe('closed');
    expectProblem(await org.owner.post('/api/v1/conversations/bulk', { ids: [a], action: 'explode' }), 400, 'invalid_input');
  });

  it('thread messages paginate oldest first', async () => {
    const { conversationId: id } = await inbound(org, 'page 0', '+14155550123');
    for (let i = 1; i < 5; i++) await inbound(org, `page ${i}`, '+14155550123');
    const first = await org.owner.get(`/api/v1/conversations/${id}?limit=2`);
    expect(first.body.messages.map((m: any) => m.body)).toEqual(['page 0', 'page 1']);
    const second = await org.owner.get(`/api/v1/conversations/${id}?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.messages.map((m: any) => m.body)).toEqual(['page 2', 'page 3']);
    const third = await org.owner.get(`/api/v1/conversations/${id}?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.messages.map((m: any) => m.body)).toEqual(['page 4']);
    expect(third.body.nextCursor).toBeNull();
  });
});

describe('the conversation list: filters, search, pagination, unread count (M6, M7, M8, M10)', () => {
  let org: Org;
  const c: Record<string, string> = {};
  let secondClinic: string;
  let billingInbox: string;
  let nurseId: string;

  beforeAll(async () => {
    org = await signupOrg(ctx.app);
    secondClinic = (await org.owner.post('/api/v1/clinics', { name: 'Second' })).body.id;
    billingInbox = (await org.owner.post('/api/v1/inboxes', { name: 'Billing' })).body.id;
    nurseId = (await org.addUser('nurse', { clinicIds: [org.clinicId, secondClinic] })).id;

    c.maria = (await inbound(org, 'Is my crown covered by insurance?', '(415) 555-0134', { name: 'Maria Gonzalez' })).conversationId;
    c.james = (await inbound(org, 'Running late for my appointment', '+14155550199', { name: 'James Carter' })).conversationId;
    c.aisha = (await inbound(org, 'Please send the invoice', 'aisha@example.com', { channel: 'email', name: 'Aisha Rahman' })).conversationId;
    c.chen = (await inbound(org, 'Open on Saturday?', '+14155550142', { channel: 'whatsapp', clinicId: secondClinic, name: 'Chen Wei' })).conversationId;
    const started = await org.owner.post('/api/v1/conversations', { phone: '+14155550163', channel: 'sms', clinicId: org.clinicId, body: 'Your check-up is due', name: 'Olivia Brown' });
    c.olivia = started.body.conversation.id;
    c.closed = (await inbound(org, 'Thanks, all sorted', '+14155550178', { name: 'Fatima Al-Sayed' })).conversationId;
    c.archived = (await inbound(org, 'Old thread about whitening', '+14155550185', { name: 'Lucas Martin' })).conversationId;

    const patients = [c.maria, c.aisha, c.chen, c.closed, c.archived];
    for (const id of patients) {
      const contactId = (await org.owner.get(`/api/v1/conversations/${id}`)).body.contact.id;
      await org.owner.patch(`/api/v1/contacts/${contactId}`, { type: 'patient' });
    }
    await org.owner.post(`/api/v1/conversations/${c.closed}/close`);
    await org.owner.post(`/api/v1/conversations/${c.archived}/archive`);
    await org.owner.post(`/api/v1/conversations/${c.james}/read`);
    await org.owner.post(`/api/v1/conversations/${c.james}/assign`, { userId: org.me.user.id });
    await org.owner.post(`/api/v1/conversations/${c.chen}/assign`, { userId: nurseId });
    await org.owner.post(`/api/v1/conversations/${c.aisha}/move`, { inboxId: billingInbox });
  });

  const list = async (query = '') => ids(await org.owner.get(`/api/v1/conversations${query ? `?${query}` : ''}`));

  it('defaults to all open, newest activity first', async () => {
    expect(await list()).toEqual([c.olivia, c.chen, c.aisha, c.james, c.maria]);
  });

  it.each([
    ['status=unread', ['chen', 'aisha', 'maria']],
    ['status=all', ['closed', 'olivia', 'chen', 'aisha', 'james', 'maria']],
    ['status=closed', ['closed']],
    ['status=archived', ['archived']],
    ['contactType=lead', ['olivia', 'james']],
    ['contactType=patient', ['chen', 'aisha', 'maria']],
    ['assignee=me', ['james']],
    ['assignee=none', ['olivia', 'aisha', 'maria']],
    ['channel=email', ['aisha']],
    ['channel=whatsapp', ['chen']],
    ['direction=outbound', ['olivia']],
    ['direction=inbound&channel=sms', ['james', 'maria']],
    ['messageStatus=queued', ['olivia']],
    ['status=unread&contactType=patient&channel=sms', ['maria']],
    ['status=all&contactType=patient&assignee=none', ['closed', 'aisha', 'maria']],
  ])('%s', async (query, expected) => {
    expect(await list(query)).toEqual(expected.map((k) => c[k]));
  });

  it('filters by inbox, clinic and contact, which need ids', async () => {
    expect(await list(`inboxId=${billingInbox}`)).toEqual([c.aisha]);
    expect(await list(`clinicId=${secondClinic}`)).toEqual([c.chen]);
    expect(await list(`assignee=${nurseId}`)).toEqual([c.chen]);
    const maria = (await org.owner.get(`/api/v1/conversations/${c.maria}`)).body.contact.id;
    expect(await list(`contactId=${maria}&status=all`)).toEqual([c.maria]);
  });

  it.each([['(415) 555-0134'], ['+1 415 555 0134'], ['4155550134'], ['415-555-0134']])('finds a patient by phone typed as %s', async (phone) => {
    expect(await list(`q=${encodeURIComponent(phone)}`)).toEqual([c.maria]);
  });

  it('searches by partial digits, name, email and message text, including closed and archived threads', async () => {
    expect(await list('q=0134')).toEqual([c.maria]);
    expect(await list('q=gonz')).toEqual([c.maria]);
    expect(await list('q=aisha%40example')).toEqual([c.aisha]);
    expect(await list('q=insurance')).toEqual([c.maria]);
    expect(await list('q=whiten')).toEqual([c.archived]);
    expect(await list('q=sorted')).toEqual([c.closed]);
    expect(await list('q=sorted&status=open')).toEqual([]);
    expect(await list('q=%25')).toEqual([]);
    expect(await list('q=nothing-like-this')).toEqual([]);
  });

  it('pages with a keyset cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await org.owner.get(`/api/v1/conversations?status=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(await list('status=all'));
  });

  it('refuses bad filters and cursors with 400 naming the field', async () => {
    const bad = await org.owner.get('/api/v1/conversations?status=sideways');
    expectProblem(bad, 400, 'invalid_input');
    expect(bad.body.errors[0].field).toMatch(/^querystring/);
    expectProblem(await org.owner.get('/api/v1/conversations?cursor=garbage'), 400, 'invalid_cursor');
    expectProblem(await org.owner.get('/api/v1/conversations?limit=0'), 400, 'invalid_input');
    expectProblem(await org.owner.get('/api/v1/conversations?inboxId=not-a-uuid'), 400, 'invalid_input');
  });

  it('shows who sent the last message: the team member, or the patient', async () => {
    const items = (await org.owner.get('/api/v1/conversations')).body.items;
    const olivia = items.find((i: any) => i.id === c.olivia);
    expect(olivia.lastMessage).toMatchObject({ direction: 'outbound', senderName: 'Olive Owner', preview: 'Your check-up is due' });
    const maria = items.find((i: any) => i.id === c.maria);
    expect(maria.lastMessage).toMatchObject({ direction: 'inbound', senderName: 'Maria Gonzalez' });
  });

  it('counts unread open conversations in the user\'s view, muted ones left out', async () => {
    expect((await org.owner.get('/api/v1/unread-count')).body).toEqual({ unread: 3 });
    expect((await org.owner.get(`/api/v1/unread-count?clinicId=${secondClinic}`)).body).toEqual({ unread: 1 });
    await org.owner.post(`/api/v1/conversations/${c.chen}/mute`);
    expect((await org.owner.get('/api/v1/unread-count')).body).toEqual({ unread: 2 });
    await org.owner.post(`/api/v1/conversations/${c.chen}/unmute`);
  });

  it('a non-admin sees only the clinics they work at', async () => {
    const receptionist = await org.addUser('receptionist', { clinicIds: [secondClinic] });
    expect(ids(await receptionist.client.get('/api/v1/conversations?status=all'))).toEqual([c.chen]);
    expect((await receptionist.client.get('/api/v1/unread-count')).body.unread).toBe(1);
    expectProblem(await receptionist.client.get(`/api/v1/conversations/${c.maria}`), 403, 'clinic_access_denied');
    expectProblem(await receptionist.client.get(`/api/v1/conversations?clinicId=${org.clinicId}`), 403, 'clinic_access_denied');
  });
});
