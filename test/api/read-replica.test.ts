/**
 * B4: with DATABASE_READ_URL set, inbox lists, searches and counts read the replica, while sign-in,
 * writes and an opened thread stay on the primary. The "replica" here is a second database that
 * never receives the primary's rows, so whatever a route answers shows which one it read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cloneTemplate, inbound, setupApp, signupOrg, type Org } from '../helpers.js';

let org: Org;
let conversationId: string;

beforeAll(async () => {
  const replica = await cloneTemplate();
  const ctx = await setupApp({ DATABASE_READ_URL: replica });
  org = await signupOrg(ctx.app, 'Replica Clinic');
  conversationId = (await inbound(org, 'Can I book a cleaning?', '+14155550177')).conversationId;
});

describe('read replica (B4)', () => {
  it('lists, searches and the unread count read the replica', async () => {
    expect((await org.owner.get('/api/v1/conversations')).body.items).toEqual([]);
    expect((await org.owner.get('/api/v1/conversations?q=cleaning')).body.items).toEqual([]);
    expect((await org.owner.get('/api/v1/unread-count')).body.unread).toBe(0);
  });

  it('an opened thread and a reply use the primary', async () => {
    const thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(thread.status).toBe(200);
    expect(thread.body.messages.map((m: { body: string }) => m.body)).toEqual(['Can I book a cleaning?']);
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Tuesday at 10?' });
    expect(sent.status).toBe(202);
  });
});
