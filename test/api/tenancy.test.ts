import { beforeAll, describe, expect, it } from 'vitest';
import { fillRoute, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let a: Org;
let b: Org;
const aIds: Record<string, string> = {};

beforeAll(async () => {
  ctx = await setupApp();
  a = await signupOrg(ctx.app, 'Org A', { plan: 'pro' });
  b = await signupOrg(ctx.app, 'Org B', { plan: 'pro' });
  const msg = await inbound(a, 'Private health question', '+14155550301');
  aIds.conversation = msg.conversationId;
  aIds.message = msg.messageId;
  aIds.contact = msg.contactId;
  aIds.user = (await a.addUser('nurse')).id;
  aIds.inbox = a.inboxId;
  aIds.clinic = a.clinicId;
  aIds.token = (await a.owner.post('/api/v1/api-tokens', { name: 'A token' })).body.id;
  aIds.template = (await a.owner.post('/api/v1/templates', { name: 'A template', body: 'Hi {{patient.firstName}}' })).body.id;
  aIds.webhook = (await a.owner.post('/api/v1/webhooks', { url: 'https://a.example.com/hooks', events: ['message.created'] })).body.id;
  aIds.emergency = (await a.owner.post(`/api/v1/conversations/${msg.conversationId}/emergency-access`, { reason: 'Tenancy test opening' })).body.emergencyAccessId;
  aIds.campaign = (await a.owner.post('/api/v1/campaigns', { name: 'A reminders', trigger: 'appointment_reminder', hoursBefore: 24, templateId: aIds.template })).body.id;
});

/** A plausible body for each route, so that only the organization check can refuse it. */
function bodyFor(url: string): Record<string, unknown> {
  if (url.endsWith('/messages')) return { body: 'hello' };
  if (url.endsWith('/emergency-access')) return { reason: 'Looking for a leak across organizations' };
  if (url.endsWith('/retract')) return { reason: 'leak test' };
  if (url.endsWith('/assign')) return { userId: null };
  if (url.endsWith('/move')) return { inboxId: b.inboxId };
  if (url.endsWith('/calls')) return { startedAt: '2026-01-01T10:00:00.000Z', durationSeconds: 60, direction: 'inbound', notes: 'n' };
  if (url.endsWith('/notes')) return { body: 'note' };
  if (url.endsWith('/bookings')) return { startsAt: '2026-01-01T10:00:00.000Z' };
  if (url.includes('/users/')) return { name: 'Renamed' };
  if (url.endsWith('/reminder')) return { waitMinutes: 60 };
  if (url.includes('/clinics/')) return { name: 'Renamed' };
  if (url.includes('/templates/') || url.includes('/campaigns/')) return { name: 'Renamed' };
  if (url.includes('/inboxes/')) return { name: 'Renamed' };
  if (url.includes('/contacts/')) return { name: 'Renamed' };
  return {};
}


describe('tenant isolation: another organization\'s ids answer 404 on every id-taking route', () => {
  it('covers every route with an :id', () => {
    const idRoutes = ctx.app.routeTable.filter((r) => r.url.includes(':id'));
    expect(idRoutes.length).toBeGreaterThanOrEqual(25);
  });

  it('answers 404 to org B for each of them, and changes nothing', async () => {
    // Portal routes take a patient's session, not staff's: portal.test.ts walls patients off from each other.
    // Signed-link routes take no session at all: the signature is the permission (links.test.ts, guest and FHIR tests).
    const signedLink = (url: string) => url === '/api/v1/files/:id' || url === '/api/v1/public/threads/:token/attachments/:id';
    const idRoutes = ctx.app.routeTable.filter((r) => r.url.includes(':id') && !r.url.startsWith('/api/v1/portal/') && !signedLink(r.url));
    const leaks: string[] = [];
    for (const route of idRoutes) {
      const url = fillRoute(route.url, { ...aIds, conversation: aIds.conversation, clinic: a.clinicId, guestToken: 'x'.repeat(43) });
      const res = await b.owner.request(route.method as 'GET' | 'POST' | 'PATCH' | 'DELETE', url, route.method === 'GET' ? undefined : bodyFor(route.url));
      if (res.status !== 404) leaks.push(`${route.method} ${route.url} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      expect(JSON.stringify(res.body)).not.toContain('Private health question');
    }
    expect(leaks).toEqual([]);
    const thread = await a.owner.get(`/api/v1/conversations/${aIds.conversation}`);
    expect(thread.body.messages).toHaveLength(1);
    expect(thread.body.status).toBe('open');
  });

  it('lists and searches never show another organization\'s data', async () => {
    for (const url of ['/api/v1/conversations?status=all', '/api/v1/conversations?q=health', '/api/v1/conversations?q=4155550301', '/api/v1/contacts', '/api/v1/contacts?q=0301', '/api/v1/users', '/api/v1/inboxes', '/api/v1/clinics', '/api/v1/audit', '/api/v1/api-tokens']) {
      const res = await b.owner.get(url);
      expect(res.status, url).toBe(200);
      const text = JSON.stringify(res.body);
      for (const id of Object.values(aIds)) expect(text, `${url} leaks ${id}`).not.toContain(id);
    }
    expect((await b.owner.get('/api/v1/unread-count')).body.unread).toBe(0);
  });

  it('refuses org A\'s clinic, inbox and contact ids in org B\'s writes', async () => {
    expect((await b.owner.post('/api/v1/conversations', { contactId: aIds.contact, channel: 'sms', clinicId: b.clinicId, body: 'x' })).status).toBe(404);
    expect((await b.owner.post('/api/v1/conversations', { phone: '+14155550302', channel: 'sms', clinicId: aIds.clinic, body: 'x' })).status).toBe(404);
    expect((await b.owner.post('/api/v1/conversations', { phone: '+14155550302', channel: 'sms', clinicId: b.clinicId, inboxId: aIds.inbox, body: 'x' })).status).toBe(404);
    expect((await b.owner.post('/api/v1/simulator/inbound', { clinicId: aIds.clinic, channel: 'sms', from: '+14155550303', body: 'x' })).status).toBe(404);
    expect((await b.owner.post('/api/v1/conversations/bulk', { ids: [aIds.conversation], action: 'close' })).status).toBe(404);
  });

  it('the same phone number in two organizations is two contacts', async () => {
    const mine = await inbound(b, 'Hello B', '+14155550301');
    expect(mine.contactId).not.toBe(aIds.contact);
    expect(mine.conversationId).not.toBe(aIds.conversation);
  });
});

describe('mass assignment', () => {
  it('a body naming a column the route does not offer is refused, so nothing moves to another organization', async () => {
    const res = await a.owner.request('PATCH', `/api/v1/clinics/${a.clinicId}`, { name: 'Moved', orgId: b.orgId, slug: 'hijacked' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ field: 'body.orgId', message: 'is not a known field' });
    expect((await b.owner.get('/api/v1/clinics')).body.items.map((c: { id: string }) => c.id)).not.toContain(a.clinicId);
    expect((await a.owner.request('PATCH', `/api/v1/users/${aIds.user}`, { name: 'N', orgId: b.orgId })).status).toBe(400);
    expect((await a.owner.request('PATCH', `/api/v1/contacts/${aIds.contact}`, { name: 'N', orgId: b.orgId })).status).toBe(400);
  });

  it('a PATCH naming nothing is a 400 that says so; one changing only a user\'s clinics works', async () => {
    for (const url of [`/api/v1/clinics/${a.clinicId}`, `/api/v1/users/${aIds.user}`, `/api/v1/templates/${aIds.template}`, `/api/v1/campaigns/${aIds.campaign}`]) {
      const res = await a.owner.request('PATCH', url, {});
      expect(res.status, url).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'names nothing to change: send at least one field' }]);
    }
    const moved = await a.owner.request('PATCH', `/api/v1/users/${aIds.user}`, { clinicIds: [a.clinicId] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  });
});
