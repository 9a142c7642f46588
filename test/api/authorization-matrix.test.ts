/**
 * Issue 8: the authorization matrix. Every route the server has (the OpenAPI document's, plus the
 * providers' hidden webhooks) is called as every identity — nobody, the owner, each role with no
 * privilege, with each one alone and with all three, an API token, a portal patient, a guest's
 * private-link token, and another organization's owner — and the answer must say "allowed" or
 * "refused" exactly as the table below does. A route missing from the table fails the test, so a
 * new route cannot ship without someone deciding who may call it.
 *
 * "Refused" means 401 not_signed_in, or 403 missing_privilege / admin_only / main_admin_only; a
 * webhook without a provider's signature is refused with 401/403. "Allowed" means the answer is
 * anything else: 2xx, or the route's own 400/404/409/422 about the (empty) input — the request got
 * past authorization. Another organization's owner must never get a 2xx from a route that takes
 * one of this organization's ids.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, fillRoute, inbound, password, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

type Rule = 'public' | 'webhook' | 'staff' | 'hub' | 'inbox' | 'contacts' | 'hubOrContacts' | 'admin' | 'main_admin' | 'portal';

/** Who may call each route. Written from the spec (T2, T3, P2, S1), not read from the code. */
const table: Record<string, Rule> = {
  'GET /health': 'public',
  'GET /livez': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'POST /api/v1/signup': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': 'staff',
  'POST /api/v1/auth/logout-everywhere': 'staff',
  'POST /api/v1/auth/two-factor/enrol': 'staff',
  'POST /api/v1/auth/two-factor/confirm': 'staff',
  'POST /api/v1/auth/two-factor/disable': 'staff',
  'GET /api/v1/me': 'staff',
  'PATCH /api/v1/me': 'staff',
  'GET /api/v1/me/notifications': 'staff',
  'PUT /api/v1/me/notifications': 'staff',
  'GET /api/v1/notification-settings': 'admin',
  'PUT /api/v1/notification-settings': 'admin',
  'GET /api/v1/clinics/:id/reminder': 'admin',
  'PUT /api/v1/clinics/:id/reminder': 'admin',
  'GET /api/v1/push/key': 'hub',
  'POST /api/v1/push/subscriptions': 'hub',
  'DELETE /api/v1/push/subscriptions/:id': 'staff',
  'POST /api/v1/users/:id/unlock': 'admin',
  'POST /api/v1/api-tokens': 'admin',
  'GET /api/v1/api-tokens': 'admin',
  'POST /api/v1/api-tokens/:id/revoke': 'admin',
  'GET /api/v1/plan': 'staff',
  'PUT /api/v1/plan': 'main_admin',
  'GET /api/v1/billing/charges': 'admin',
  'GET /api/v1/clinics': 'staff',
  'POST /api/v1/clinics': 'admin',
  'PATCH /api/v1/clinics/:id': 'admin',
  'GET /api/v1/inboxes': 'staff',
  'POST /api/v1/inboxes': 'admin',
  'PATCH /api/v1/inboxes/:id': 'admin',
  'PATCH /api/v1/organization': 'admin',
  'PUT /api/v1/organization/two-factor': 'admin',
  'GET /api/v1/users': 'staff',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/:id': 'admin',
  'GET /api/v1/audit': 'admin',
  'GET /api/v1/audit/export': 'admin',
  'POST /api/v1/conversations/:id/emergency-access': 'admin',
  'GET /api/v1/emergency-access': 'admin',
  'POST /api/v1/emergency-access/:id/review': 'admin',
  'GET /api/v1/contacts/:id/record': 'admin',
  'GET /api/v1/reports/conversions': 'admin',
  'GET /api/v1/reports/response-times': 'admin',
  // Channels and the two-way SMS inbox (S1: the number is the main admin's to buy and release).
  'GET /api/v1/channels': 'staff',
  'PUT /api/v1/channels/whatsapp': 'admin',
  'GET /api/v1/sms-inbox': 'inbox',
  'GET /api/v1/sms-inbox/available-numbers': 'main_admin',
  'POST /api/v1/sms-inbox': 'main_admin',
  'POST /api/v1/sms-inbox/disable': 'main_admin',
  // Issue 22: connecting a number of the clinic's own account is the main admin's, like buying one.
  'GET /api/v1/sms-inbox/owned-numbers': 'main_admin',
  'POST /api/v1/sms-inbox/connect': 'main_admin',
  'POST /api/v1/simulator/inbound': 'admin',
  'GET /api/v1/simulator/outbox': 'admin',
  'POST /webhooks/twilio/sms': 'webhook',
  'POST /webhooks/twilio/status': 'webhook',
  'GET /webhooks/whatsapp': 'webhook',
  'POST /webhooks/whatsapp': 'webhook',
  'POST /webhooks/email': 'webhook',
  // The communication hub (T3 send_messages) and its SMS threads (inbox).
  'GET /api/v1/conversations': 'hub',
  'POST /api/v1/conversations': 'hub',
  'GET /api/v1/conversations/:id': 'hub',
  'POST /api/v1/conversations/:id/messages': 'hub',
  'POST /api/v1/conversations/:id/spam': 'hub',
  'POST /api/v1/conversations/:id/read': 'hub',
  'POST /api/v1/conversations/:id/unread': 'hub',
  'POST /api/v1/conversations/:id/close': 'hub',
  'POST /api/v1/conversations/:id/reopen': 'hub',
  'POST /api/v1/conversations/:id/archive': 'hub',
  'POST /api/v1/conversations/:id/unarchive': 'hub',
  'POST /api/v1/conversations/:id/pin': 'hub',
  'POST /api/v1/conversations/:id/unpin': 'hub',
  'POST /api/v1/conversations/:id/mute': 'hub',
  'POST /api/v1/conversations/:id/unmute': 'hub',
  'POST /api/v1/conversations/:id/typing': 'hub',
  'POST /api/v1/conversations/:id/assign': 'hub',
  'POST /api/v1/conversations/:id/move': 'hub',
  'POST /api/v1/conversations/bulk': 'hub',
  'POST /api/v1/conversations/:id/calls': 'hub',
  'POST /api/v1/messages/:id/star': 'hub',
  'POST /api/v1/messages/:id/unstar': 'hub',
  'POST /api/v1/messages/:id/retract': 'hub',
  'GET /api/v1/unread-count': 'hub',
  'GET /api/v1/events': 'hub',
  'POST /api/v1/attachments': 'hub',
  'GET /api/v1/attachments/:id': 'hub',
  'GET /api/v1/templates': 'hub',
  'POST /api/v1/templates': 'admin',
  'PATCH /api/v1/templates/:id': 'admin',
  'DELETE /api/v1/templates/:id': 'admin',
  // Contacts (C3): the CRM pages need "contacts"; the hub may look a patient up and block spam.
  'GET /api/v1/contacts': 'hubOrContacts',
  'POST /api/v1/contacts': 'contacts',
  'GET /api/v1/contacts/:id': 'hubOrContacts',
  'PATCH /api/v1/contacts/:id': 'contacts',
  'POST /api/v1/contacts/:id/notes': 'contacts',
  'POST /api/v1/contacts/:id/block': 'hubOrContacts',
  'POST /api/v1/contacts/:id/unblock': 'hubOrContacts',
  'GET /api/v1/opt-outs': 'hubOrContacts',
  // Issue 22: bringing the patient list and opt-outs from another system is an admin's setting.
  'POST /api/v1/contacts/import': 'admin',
  'POST /api/v1/contacts/import/fhir': 'admin',
  'GET /api/v1/exports/contacts': 'admin',
  'GET /api/v1/exports/conversations': 'admin',
  'POST /api/v1/contacts/:id/portal-invitation': 'hubOrContacts',
  'POST /api/v1/artifacts': 'hubOrContacts',
  'GET /api/v1/contacts/:id/artifacts': 'hubOrContacts',
  'POST /api/v1/bookings': 'hubOrContacts',
  'POST /api/v1/conversations/:id/bookings': 'hubOrContacts',
  'GET /api/v1/bookings': 'hubOrContacts',
  'GET /fhir/R4/Communication': 'hubOrContacts',
  'GET /fhir/R4/Communication/:id': 'hubOrContacts',
  'GET /fhir/R4/metadata': 'public',
  'GET /fhir/R4/Patient/:id': 'hubOrContacts',
  'GET /fhir/R4/Practitioner/:id': 'hubOrContacts',
  'GET /fhir/R4/Organization/:id': 'hubOrContacts',
  // Automation (B3) is configured by admins.
  'GET /api/v1/campaigns': 'admin',
  'POST /api/v1/campaigns': 'admin',
  'PATCH /api/v1/campaigns/:id': 'admin',
  'POST /api/v1/campaigns/:id/run': 'admin',
  'GET /api/v1/campaigns/:id/runs': 'admin',
  'GET /api/v1/webhooks': 'admin',
  'POST /api/v1/webhooks': 'admin',
  'POST /api/v1/webhooks/:id/rotate-secret': 'admin',
  'POST /api/v1/webhooks/:id/deliveries/:deliveryId/redeliver': 'admin',
  'POST /api/v1/webhooks/:id/disable': 'admin',
  'GET /api/v1/webhooks/:id/deliveries': 'admin',
  // The patients' side: public pages, guest links (the token is the credential), the portal.
  'GET /c/:clinicSlug': 'public',
  'POST /c/:clinicSlug': 'public',
  'GET /g/:token': 'public',
  'POST /g/:token': 'public',
  'GET /l/:token': 'public',
  'GET /api/v1/public/clinics/:clinicSlug': 'public',
  'POST /api/v1/public/clinics/:clinicSlug/messages': 'public',
  'GET /api/v1/public/threads/:token/messages': 'public',
  'POST /api/v1/public/threads/:token/messages': 'public',
  'GET /api/v1/public/threads/:token/attachments/:id': 'public',
  'GET /api/v1/files/:id': 'public',
  'POST /api/v1/portal/activate': 'public',
  'POST /api/v1/portal/login': 'public',
  'POST /api/v1/portal/logout': 'portal',
  'GET /api/v1/portal/me': 'portal',
  'PUT /api/v1/portal/preferences': 'portal',
  'POST /api/v1/portal/reauth': 'portal',
  'GET /api/v1/portal/conversations': 'portal',
  'POST /api/v1/portal/conversations': 'portal',
  'GET /api/v1/portal/conversations/:id': 'portal',
  'POST /api/v1/portal/conversations/:id/read': 'portal',
  'POST /api/v1/portal/conversations/:id/messages': 'portal',
  'POST /api/v1/portal/conversations/:id/attachments': 'portal',
  'GET /api/v1/portal/messages/:id': 'portal',
  'GET /api/v1/portal/attachments/:id': 'portal',
};

/** Not API: the web app's shell, its static files and the API's own description. */
const notApi = (url: string) => url === '/' || url === '/*' || url.startsWith('/assets') || url.startsWith('/docs') || url === '/openapi.json' || url.startsWith('/public/guest.');

type Privilege = 'send_messages' | 'inbox' | 'contacts';
const privileges: Privilege[] = ['send_messages', 'inbox', 'contacts'];

interface Identity {
  name: string;
  client: Client;
  /** What the rules look at; null for callers who are not staff of this organization. */
  staff: { role: 'main_admin' | 'admin' | 'doctor' | 'nurse' | 'receptionist'; privileges: Privilege[] } | null;
  kind: 'anonymous' | 'staff' | 'patient' | 'guest' | 'other_org';
  /** A session identity's email, to sign in again after signing out. */
  email?: string;
}

let ctx: TestContext;
let base: string;
let org: Org;
const identities: Identity[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  // Real providers configured, so their webhooks exist and check signatures (nothing is sent: every
  // call here carries an empty body).
  ctx = await setupApp({
    TWILIO_ACCOUNT_SID: 'ACmatrix',
    TWILIO_AUTH_TOKEN: 'matrix-auth-token',
    TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
    WHATSAPP_TOKEN: 'matrix-token',
    WHATSAPP_APP_SECRET: 'matrix-app-secret',
    WHATSAPP_VERIFY_TOKEN: 'matrix-verify',
    WHATSAPP_GRAPH_BASE_URL: 'http://127.0.0.1:9',
    EMAIL_WEBHOOK_TOKEN: 'matrix-email-token',
  });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  org = await signupOrg(ctx.app, 'Matrix Dental', { plan: 'accelerator' });
  // An email thread: SMS threads also need the "inbox" privilege (S1), which the conversation tests cover.
  const msg = await inbound(org, 'Matrix question', 'mia@example.com', { name: 'Mia Matrix', channel: 'email' });
  Object.assign(ids, { conversation: msg.conversationId, message: msg.messageId, contact: msg.contactId });
  ids.user = (await org.addUser('nurse')).id;
  ids.token = (await org.owner.post('/api/v1/api-tokens', { name: 'to revoke' })).body.id;
  ids.template = (await org.owner.post('/api/v1/templates', { name: 'Matrix template', body: 'Hi {{patient.firstName}}' })).body.id;
  ids.webhook = (await org.owner.post('/api/v1/webhooks', { url: 'https://matrix.example.com/hooks', events: ['message.created'] })).body.id;
  ids.campaign = (await org.owner.post('/api/v1/campaigns', { name: 'Matrix reminders', trigger: 'appointment_reminder', hoursBefore: 24, templateId: ids.template })).body.id;
  ids.emergency = (await org.owner.post(`/api/v1/conversations/${msg.conversationId}/emergency-access`, { reason: 'Matrix test opening' })).body.emergencyAccessId;

  // A guest (P1), with the private link's token as their only credential.
  const guest = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`,
    payload: { name: 'Gus Guest', email: 'gus@example.com', body: 'Matrix guest question' },
    remoteAddress: '198.51.100.200',
  });
  ids.guestToken = new URL(guest.json().guestUrl).pathname.split('/')[2];

  // A portal patient (P2).
  const contact = await org.owner.post('/api/v1/contacts', { name: 'Pia Portal', email: 'pia@example.com' });
  const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
  const activated = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/activate', payload: { token: new URL(invite.body.inviteUrl).hash.slice(1), password: 'pia-portal-passphrase' } });
  const patient = new Client(ctx.app, { cookie: String(activated.headers['set-cookie']).split(';')[0], csrf: activated.json().csrfToken });

  const apiToken = (await org.owner.post('/api/v1/api-tokens', { name: 'matrix integration' })).body.token;
  const other = await signupOrg(ctx.app, 'Other Matrix Group', { plan: 'accelerator' });

  identities.push(
    { name: 'anonymous', client: new Client(ctx.app), staff: null, kind: 'anonymous' },
    { name: 'guest link token as a bearer', client: new Client(ctx.app, { bearer: ids.guestToken }), staff: null, kind: 'guest' },
    { name: 'portal patient', client: patient, staff: null, kind: 'patient' },
    { name: 'main admin', client: org.owner, staff: { role: 'main_admin', privileges }, kind: 'staff', email: org.me.user.email },
    { name: 'API token (main admin)', client: new Client(ctx.app, { bearer: apiToken }), staff: { role: 'main_admin', privileges }, kind: 'staff' },
    { name: 'another organization\'s main admin', client: other.owner, staff: { role: 'main_admin', privileges }, kind: 'other_org', email: other.me.user.email },
  );
  const grants: Privilege[][] = [[], ...privileges.map((p) => [p]), privileges];
  for (const role of ['admin', 'doctor', 'nurse', 'receptionist'] as const) {
    for (const granted of grants) {
      const email = `${role}-${granted.join('-') || 'none'}@matrix.test`;
      const created = await org.owner.post('/api/v1/users', { name: `${role} ${granted.join(' ') || 'none'}`, email, password, role, privileges: granted, clinicIds: [org.clinicId] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      identities.push({ name: `${role} with ${granted.join('+') || 'no privilege'}`, client: await signIn(ctx.app, email), staff: { role, privileges: granted }, kind: 'staff', email });
    }
  }
});

/** Whether the table lets this identity through this route. */
function allowed(rule: Rule, who: Identity): boolean {
  const staff = who.kind === 'staff' || who.kind === 'other_org' ? who.staff : null;
  const has = (p: Privilege) => staff?.role === 'main_admin' || !!staff?.privileges.includes(p);
  switch (rule) {
    case 'public':
      return true;
    case 'webhook':
      return false;
    case 'portal':
      return who.kind === 'patient';
    case 'staff':
      return !!staff;
    case 'hub':
      return has('send_messages');
    case 'inbox':
      return has('inbox');
    case 'contacts':
      return has('contacts');
    case 'hubOrContacts':
      return has('send_messages') || has('contacts');
    case 'admin':
      return staff?.role === 'admin' || staff?.role === 'main_admin';
    case 'main_admin':
      return staff?.role === 'main_admin';
  }
}

const refusalCodes = new Set(['not_signed_in', 'missing_privilege', 'admin_only', 'main_admin_only']);

function refused(rule: Rule, status: number, body: unknown): boolean {
  // A problem document's code, or a FHIR OperationOutcome's (the same code, in its issue's details).
  const code = (body as { code?: string } | null)?.code ?? (body as { issue?: { details?: { coding?: { code: string }[] } }[] } | null)?.issue?.[0]?.details?.coding?.[0]?.code;
  if (rule === 'webhook') return status === 401 || status === 403;
  return (status === 401 || status === 403) && !!code && refusalCodes.has(code);
}

function urlFor(path: string): string {
  return fillRoute(path, { ...ids, conversation: ids.conversation, inbox: org.inboxId, clinic: org.clinicId, clinicSlug: org.me.clinics[0].slug });
}

/** The event stream never ends: its status is read off the response headers, then the request is dropped. */
async function streamStatus(who: Identity, url: string): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (who.client.auth.cookie) headers.cookie = who.client.auth.cookie;
  if (who.client.auth.bearer) headers.authorization = `Bearer ${who.client.auth.bearer}`;
  const abort = new AbortController();
  const res = await fetch(base + url, { headers, signal: abort.signal });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  abort.abort();
  return { status: res.status, body };
}


/** Routes that ask Twilio before anything else (no input to refuse first): here Twilio is a closed port, so past authorization they answer 502 provider_error. */
const askTwilioFirst = new Set(['GET /api/v1/sms-inbox/owned-numbers']);
const providerOutOfReach = (route: string, res: { status: number; body: any }) => askTwilioFirst.has(route) && res.status === 502 && res.body?.code === 'provider_error';

function routes() {
  return ctx.app.routeTable.filter((r) => !notApi(r.url)).map((r) => `${r.method} ${r.url}`);
}

describe('authorization matrix (issue 8)', () => {
  it('every route has an entry, and every entry a route', () => {
    const all = routes();
    expect(all.filter((r) => !(r in table)), 'routes nobody has decided on').toEqual([]);
    expect(Object.keys(table).filter((r) => !all.includes(r)), 'entries for routes that do not exist').toEqual([]);
  });

  it('every route that is not a provider webhook is in the OpenAPI document', () => {
    const doc = ctx.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)));
    expect(routes().filter((r) => !r.includes(' /webhooks/') && !documented.has(r))).toEqual([]);
  });

  it('answers every identity on every route as the table says', { timeout: 300_000 }, async () => {
    // Signing out ends the caller's session: those routes go last, signing out everywhere after
    // everyone has signed in again.
    const rank = (r: string) => (r.endsWith('logout-everywhere') ? 2 : r.includes('logout') ? 1 : 0);
    const order = routes().sort((a, b) => rank(a) - rank(b));
    const wrong: string[] = [];
    let calls = 0;
    for (const route of order) {
      const [method, path] = route.split(' ');
      const rule = table[route];
      if (rank(route) === 2) for (const who of identities) if (who.email) who.client = await signIn(ctx.app, who.email);
      for (const who of identities) {
        const res =
          route === 'GET /api/v1/events'
            ? await streamStatus(who, urlFor(path))
            : await who.client.request(method as 'GET', urlFor(path), method === 'GET' || method === 'DELETE' ? undefined : {});
        calls++;
        const expectAllowed = allowed(rule, who);
        const wasRefused = refused(rule, res.status, res.body);
        if (expectAllowed === wasRefused) wrong.push(`${route} as ${who.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 100)} (expected ${expectAllowed ? 'allowed' : 'refused'})`);
        // The matrix runs without a delivery worker, so readiness truthfully answers 503 not_ready.
        const honestlyNotReady = route === 'GET /readyz' && res.status === 503 && res.body?.code === 'not_ready';
        if ((res.status >= 500 && !honestlyNotReady && !providerOutOfReach(route, res)) || res.status === 0) wrong.push(`${route} as ${who.name}: ${res.status}`);
        if (who.kind === 'other_org' && path.includes(':id') && res.status >= 200 && res.status < 300) wrong.push(`${route} as ${who.name}: ${res.status} — another organization's id answered`);
      }
    }
    expect(wrong).toEqual([]);
    console.log(`authorization matrix: ${order.length} routes × ${identities.length} identities = ${calls} calls`);
    expect(calls).toBe(order.length * identities.length);
  });
});
