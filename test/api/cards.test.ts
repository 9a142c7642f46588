/** K3/K4: artifacts from the practice system, cards with secure expiring links, openings tracked. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, expectProblem, inbound, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let pms: Client;
let contactId: string;
let conversationId: string;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Card Dental', { plan: 'pro' });
  pms = new Client(ctx.app, { bearer: (await org.owner.post('/api/v1/api-tokens', { name: 'PMS' })).body.token });
  const msg = await inbound(org, 'When is my appointment?', '+14155550501', { name: 'Carl Card' });
  contactId = msg.contactId;
  conversationId = msg.conversationId;
  await org.owner.patch(`/api/v1/contacts/${contactId}`, { externalId: 'PMS-CARL' });
});

const open = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url: new URL(url).pathname, headers });

describe('patient artifacts (K3)', () => {
  it('are pushed by the practice system, idempotent by external id, and listed latest first', async () => {
    const first = await pms.post('/api/v1/artifacts', { contactExternalId: 'PMS-CARL', kind: 'appointment', externalId: 'APPT-9', title: 'Cleaning with Dr. Patel', occurredAt: '2026-03-12T15:00:00.000Z' });
    expect(first.status).toBe(201);
    const again = await pms.post('/api/v1/artifacts', { contactExternalId: 'PMS-CARL', kind: 'appointment', externalId: 'APPT-9', title: 'Cleaning and X-rays with Dr. Patel', occurredAt: '2026-03-12T15:00:00.000Z' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    await pms.post('/api/v1/artifacts', { contactId, kind: 'invoice', externalId: 'INV-1042', title: 'Invoice 1042', amountCents: 12050, currency: 'USD', url: 'https://pay.example.com/1042' });
    const appointments = await org.owner.get(`/api/v1/contacts/${contactId}/artifacts?kind=appointment`);
    expect(appointments.body.items.map((a: any) => a.title)).toEqual(['Cleaning and X-rays with Dr. Patel']);
    expectProblem(await pms.post('/api/v1/artifacts', { contactExternalId: 'NOBODY', kind: 'form', externalId: 'F1', title: 'Intake' }), 404);
    expectProblem(await pms.post('/api/v1/artifacts', { contactId, kind: 'form', externalId: 'F1', title: 'Intake', url: 'http://insecure.example.com' }), 400, 'invalid_input');
  });
});

describe('cards (K4)', () => {
  it('go by SMS as text with a secure link; opening it is recorded and shown in the thread', async () => {
    const [appointment] = (await org.owner.get(`/api/v1/contacts/${contactId}/artifacts?kind=appointment`)).body.items;
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Here are the details:', card: { kind: 'appointment', artifactId: appointment.id } });
    expect(sent.status).toBe(202);
    expect(sent.body.body).toMatch(/^Here are the details:\n\nAppointment: Cleaning and X-rays with Dr\. Patel — http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{32}$/);
    expect(sent.body.card).toMatchObject({ kind: 'appointment', artifactId: appointment.id, link: { openCount: 0, firstOpenedAt: null } });

    const url = /http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{32}/.exec(sent.body.body)![0];
    const page = await open(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Cleaning and X-rays with Dr. Patel');
    await open(url);
    const thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    const card = thread.body.messages.find((m: any) => m.id === sent.body.id).card;
    expect(card.link).toMatchObject({ openCount: 2, firstOpenedAt: expect.any(String), lastOpenedAt: expect.any(String) });
    expect((await org.owner.get(`/api/v1/audit?action=card.open`)).body.items.length).toBe(2);
  });

  it('payment and review requests need what they ask for; an artifact must be this patient’s', async () => {
    const base = `/api/v1/conversations/${conversationId}/messages`;
    expectProblem(await org.owner.post(base, { card: { kind: 'payment_request' } }), 400, 'invalid_input');
    const pay = await org.owner.post(base, { card: { kind: 'payment_request', amountCents: 4500, title: 'Co-pay for today' } });
    expect(pay.body.body).toMatch(/^Payment request: Co-pay for today \(\$45\.00\) — /);
    expectProblem(await org.owner.post(base, { card: { kind: 'review_request' } }), 400, 'invalid_input');
    expect((await org.owner.post(base, { card: { kind: 'review_request', url: 'https://reviews.example.com/card-dental' } })).status).toBe(202);
    const other = await inbound(org, 'Hi', '+14155550502');
    const [invoice] = (await org.owner.get(`/api/v1/contacts/${contactId}/artifacts?kind=invoice`)).body.items;
    expectProblem(await org.owner.post(`/api/v1/conversations/${other.conversationId}/messages`, { card: { kind: 'invoice', artifactId: invoice.id } }), 400, 'invalid_input');
    expectProblem(await org.owner.post(base, { card: { kind: 'prescription', artifactId: invoice.id } }), 400, 'invalid_input');
    const stranger = await signupOrg(ctx.app, 'Stranger Dental');
    const theirs = await inbound(stranger, 'Hello', '+14155550503');
    expectProblem(await stranger.owner.post(`/api/v1/conversations/${theirs.conversationId}/messages`, { card: { kind: 'invoice', artifactId: invoice.id } }), 404);
  });

  it('links expire after 14 days (410), and an unknown one is 404', async () => {
    const [invoice] = (await org.owner.get(`/api/v1/contacts/${contactId}/artifacts?kind=invoice`)).body.items;
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { card: { kind: 'invoice', artifactId: invoice.id } });
    const url = /http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{32}/.exec(sent.body.body)![0];
    expect((await open(url)).statusCode).toBe(200);
    expect((await open(url)).body).toContain('$120.50');
    ctx.clock.advance(14 * 86_400_000);
    const expired = await open(url);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).not.toContain('120.50');
    expect((await ctx.app.inject({ method: 'GET', url: `/l/${'x'.repeat(32)}` })).statusCode).toBe(404);
    org.owner = await signIn(ctx.app, org.me.user.email);
  });
});

describe('cards in the patient\'s language (issue 18)', () => {
  it('a Spanish contact gets the card line and the card page in Spanish; anyone else the page in their browser\'s language', async () => {
    const lucia = await inbound(org, 'Hola', '+14155550511', { name: 'Lucía Tarjeta' });
    await org.owner.patch(`/api/v1/contacts/${lucia.contactId}`, { preferredLanguage: 'es' });
    const appt = await pms.post('/api/v1/artifacts', { contactId: lucia.contactId, kind: 'appointment', externalId: 'APPT-ES', title: 'Limpieza', occurredAt: '2026-03-12T15:00:00.000Z' });
    const sent = await org.owner.post(`/api/v1/conversations/${lucia.conversationId}/messages`, { card: { kind: 'appointment', artifactId: appt.body.id } });
    expect(sent.body.body).toMatch(/^Cita: Limpieza — http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{32}$/);
    const url = /http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{32}/.exec(sent.body.body)![0];
    const page = await open(url, { 'accept-language': 'en-US' });
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain('Cita de Card Dental');
    expect(page.body).toContain('<dt>Cuándo</dt>');

    const [invoice] = (await org.owner.get(`/api/v1/contacts/${contactId}/artifacts?kind=invoice`)).body.items;
    const carls = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { card: { kind: 'invoice', artifactId: invoice.id } });
    expect(carls.body.body).toMatch(/^Invoice: Invoice 1042/);
    const browserEs = await open(/http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{32}/.exec(carls.body.body)![0], { 'accept-language': 'es-MX,es;q=0.9' });
    expect(browserEs.body).toContain('Factura de Card Dental');
    expect(browserEs.body).toContain('Pagar ahora');
  });

  it("titles an untitled payment or review request in the contact's language, in the organization's currency", async () => {
    const ana = await inbound(org, 'Hola', '+14155550512', { name: 'Ana Pago' });
    await org.owner.patch(`/api/v1/contacts/${ana.contactId}`, { preferredLanguage: 'es' });
    expect((await org.owner.patch('/api/v1/organization', { currency: 'EUR' })).status).toBe(200);
    try {
      const base = `/api/v1/conversations/${ana.conversationId}/messages`;
      const pay = await org.owner.post(base, { card: { kind: 'payment_request', amountCents: 4500 } });
      expect(pay.body.body).toMatch(/^Solicitud de pago: Solicitud de pago \(45,00\s€\) — /);
      const review = await org.owner.post(base, { card: { kind: 'review_request', url: 'https://reviews.example.com/card-dental' } });
      expect(review.body.body).toContain('¿Qué tal fue su visita?');
      expect(`${pay.body.body} ${review.body.body}`).not.toMatch(/Payment request|How was your visit/);
    } finally {
      await org.owner.patch('/api/v1/organization', { currency: 'USD' });
    }
  });
});
