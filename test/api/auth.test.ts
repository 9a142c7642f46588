import { beforeAll, describe, expect, it } from 'vitest';
import { Client, expectProblem, password, setupApp, signIn, signupOrg, type TestContext } from '../helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp();
});

describe('signup and sessions (T1, T2)', () => {
  it('signup creates the organization, its first clinic, an inbox and a signed-in main admin', async () => {
    const org = await signupOrg(ctx.app, 'Harbor Family Dental');
    expect(org.me).toMatchObject({
      role: 'main_admin',
      privileges: ['send_messages', 'inbox', 'contacts'],
      organization: { name: 'Harbor Family Dental' },
      plan: 'free',
      clinics: [{ name: 'Harbor Family Dental Main', slug: 'harbor-family-dental-main' }],
      csrfToken: expect.any(String),
    });
    const me = await org.owner.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.name).toBe('Olive Owner');
  });

  it('sets an HttpOnly, SameSite session cookie', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: { organizationName: 'Cookie Co', clinicName: 'Cookie Clinic', name: 'Casey', email: 'casey@example.com', password },
    });
    expect(res.statusCode).toBe(201);
    expect(String(res.headers['set-cookie'])).toMatch(/fd_session=[\w-]+;.*HttpOnly/i);
    expect(String(res.headers['set-cookie'])).toMatch(/SameSite=Lax/i);
  });

  it('refuses a second signup with the same email (any case)', async () => {
    const res = await new Client(ctx.app).post('/api/v1/signup', {
      organizationName: 'Again',
      clinicName: 'Again',
      name: 'Casey',
      email: 'CASEY@example.com',
      password,
    });
    expectProblem(res, 409, 'email_taken');
  });

  it('gives a unique slug when two clinics share a name', async () => {
    const a = await signupOrg(ctx.app, 'Twin Dental');
    const b = await signupOrg(ctx.app, 'Twin Dental');
    expect(a.me.clinics[0].slug).toBe('twin-dental-main');
    expect(b.me.clinics[0].slug).toBe('twin-dental-main-2');
  });

  it('rejects a weak password and names the field', async () => {
    const res = await new Client(ctx.app).post('/api/v1/signup', {
      organizationName: 'Weak',
      clinicName: 'Weak',
      name: 'W',
      email: 'weak@example.com',
      password: 'short',
    });
    expectProblem(res, 400, 'invalid_input');
    expect(res.body.detail).toMatch(/password/);
  });

  it('logs in, logs out, and the old cookie stops working', async () => {
    const org = await signupOrg(ctx.app);
    const client = await signIn(ctx.app, org.me.user.email);
    expect((await client.get('/api/v1/me')).status).toBe(200);
    expect((await client.post('/api/v1/auth/logout')).status).toBe(200);
    expectProblem(await client.get('/api/v1/me'), 401, 'not_signed_in');
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const org = await signupOrg(ctx.app);
    const wrong = await new Client(ctx.app).post('/api/v1/auth/login', { email: org.me.user.email, password: 'not-the-password' });
    const unknown = await new Client(ctx.app).post('/api/v1/auth/login', { email: 'nobody@example.com', password: 'not-the-password' });
    expectProblem(wrong, 401, 'invalid_credentials');
    expectProblem(unknown, 401, 'invalid_credentials');
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('ends a session after the idle time', async () => {
    const org = await signupOrg(ctx.app);
    ctx.clock.advance(16 * 60_000);
    expectProblem(await org.owner.get('/api/v1/me'), 401, 'not_signed_in');
  });

  it('needs the CSRF header on cookie-authenticated writes', async () => {
    const org = await signupOrg(ctx.app);
    const noCsrf = new Client(ctx.app, { cookie: org.owner.auth.cookie });
    expectProblem(await noCsrf.post('/api/v1/inboxes', { name: 'Billing' }), 403, 'csrf');
    const wrongCsrf = new Client(ctx.app, { cookie: org.owner.auth.cookie, csrf: 'forged' });
    expectProblem(await wrongCsrf.post('/api/v1/inboxes', { name: 'Billing' }), 403, 'csrf');
    expect((await org.owner.post('/api/v1/inboxes', { name: 'Billing' })).status).toBe(201);
  });
});

describe('API tokens', () => {
  it('are shown once, work as bearer tokens without CSRF, and stop working when revoked', async () => {
    const org = await signupOrg(ctx.app);
    const created = await org.owner.post('/api/v1/api-tokens', { name: 'PMS sync' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^fdk_/);
    const listed = await org.owner.get('/api/v1/api-tokens');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    const integration = new Client(ctx.app, { bearer: created.body.token });
    expect((await integration.get('/api/v1/me')).body.organization.id).toBe(org.orgId);
    expect((await integration.post('/api/v1/inboxes', { name: 'From the PMS' })).status).toBe(201);

    expect((await org.owner.post(`/api/v1/api-tokens/${created.body.id}/revoke`)).status).toBe(200);
    expectProblem(await integration.get('/api/v1/me'), 401, 'not_signed_in');
  });

  it('refuses a malformed or unknown bearer token', async () => {
    expectProblem(await new Client(ctx.app, { bearer: 'fdk_nope' }).get('/api/v1/me'), 401);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('users, roles and privileges (T2, T3)', () => {
  it('admins create users with roles, privileges and clinic access; others may not', async () => {
    const org = await signupOrg(ctx.app);
    const doctor = await org.addUser('doctor', { privileges: ['send_messages'] });
    const me = await doctor.client.get('/api/v1/me');
    expect(me.body).toMatchObject({ role: 'doctor', privileges: ['send_messages'], clinics: [{ id: org.clinicId }] });

    const refused = await doctor.client.post('/api/v1/users', {
      name: 'Sneaky',
      email: 'sneaky@example.com',
      password,
      role: 'admin',
      privileges: [],
      clinicIds: [],
    });
    expectProblem(refused, 403, 'admin_only');
  });

  it('cannot create a second main admin', async () => {
    const org = await signupOrg(ctx.app);
    const res = await org.owner.post('/api/v1/users', { name: 'Two', email: 'two@example.com', password, role: 'main_admin', privileges: [], clinicIds: [] });
    expectProblem(res, 400, 'invalid_input');
    expect(res.body.errors[0].field).toBe('body.role');
  });

  it('refuses clinic ids of another organization', async () => {
    const a = await signupOrg(ctx.app);
    const b = await signupOrg(ctx.app);
    const res = await a.owner.post('/api/v1/users', { name: 'X', email: 'x-cross@example.com', password, role: 'nurse', privileges: [], clinicIds: [b.clinicId] });
    expectProblem(res, 400, 'invalid_input');
  });

  it('a user without send_messages cannot open the hub (403 naming the privilege)', async () => {
    const org = await signupOrg(ctx.app);
    const nurse = await org.addUser('nurse', { privileges: ['contacts'] });
    const res = await nurse.client.get('/api/v1/conversations');
    expectProblem(res, 403, 'missing_privilege');
    expect(res.body.detail).toMatch(/send_messages/);
  });

  it('a user without contacts cannot write to the CRM', async () => {
    const org = await signupOrg(ctx.app);
    const receptionist = await org.addUser('receptionist', { privileges: ['send_messages'] });
    expectProblem(await receptionist.client.post('/api/v1/contacts', { name: 'A', phone: '+14155550111' }), 403, 'missing_privilege');
  });

  it('deactivating a user ends their access; the main admin cannot be demoted', async () => {
    const org = await signupOrg(ctx.app);
    const nurse = await org.addUser('nurse');
    expect((await org.owner.patch(`/api/v1/users/${nurse.id}`, { active: false })).body.active).toBe(false);
    expectProblem(await nurse.client.get('/api/v1/me'), 401);
    expectProblem(await org.owner.patch(`/api/v1/users/${org.me.user.id}`, { role: 'nurse' }), 403, 'forbidden');
  });

  it('admins add clinics; a non-admin sees only the clinics granted to them', async () => {
    const org = await signupOrg(ctx.app);
    const second = await org.owner.post('/api/v1/clinics', { name: 'Second Site', timezone: 'Europe/Berlin' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ slug: 'second-site', timezone: 'Europe/Berlin' });
    expectProblem(await org.owner.post('/api/v1/clinics', { name: 'Bad', timezone: 'Mars/Olympus' }), 400);
    const nurse = await org.addUser('nurse');
    expect((await nurse.client.get('/api/v1/clinics')).body.items.map((c: any) => c.id)).toEqual([org.clinicId]);
    expect((await org.owner.get('/api/v1/clinics')).body.items).toHaveLength(2);
  });
});

describe('errors and documentation', () => {
  it('answers unknown routes with problem details', async () => {
    expectProblem(await new Client(ctx.app).get('/api/v1/nope'), 404, 'not_found');
  });

  it('answers malformed JSON with 400, not a crash', async () => {
    const org = await signupOrg(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/inboxes',
      headers: { cookie: org.owner.auth.cookie!, 'x-csrf-token': org.owner.auth.csrf!, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_input');
  });

  it('asks anonymous callers to sign in before judging their input', async () => {
    expectProblem(await new Client(ctx.app).post('/api/v1/conversations', { nonsense: true }), 401, 'not_signed_in');
  });

  it('serves /health and an OpenAPI document listing every API route', async () => {
    expect((await new Client(ctx.app).get('/health')).body).toEqual({ status: 'ok' });
    const doc = (await new Client(ctx.app).get('/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(Object.keys(doc.paths));
    for (const path of ['/api/v1/conversations', '/api/v1/conversations/{id}/messages', '/api/v1/conversations/bulk', '/api/v1/unread-count', '/api/v1/contacts/{id}/notes', '/api/v1/signup']) {
      expect(documented, path).toContain(path);
    }
    const undocumented = ctx.app.routeTable
      .filter((r) => !r.hidden && !r.url.startsWith('/docs'))
      .filter((r) => !doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()]);
    expect(undocumented).toEqual([]);
  });
});
