/**
 * Issue 18, the patients' side: what the clinic's automatic texts, templates and campaigns say to a
 * patient comes in that patient's language — their preferred language when the clinic knows it, a
 * Spanish keyword teaching it otherwise — and falls back to the clinic's own version.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  // The test clock starts at 4:00 in the clinic's New York: closed.
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Clínica Riverside', { plan: 'pro' });
});

async function patient(name: string, fields: Record<string, unknown>) {
  const res = await org.owner.post('/api/v1/contacts', { name, ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const thread = async (conversationId: string) => (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
const contact = async (id: string) => {
  const res = await org.owner.get(`/api/v1/contacts/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const bodies = async (conversationId: string) => (await thread(conversationId)).messages.map((m: any) => [m.direction, m.body]);

describe('carrier keywords in the patient’s language', () => {
  it('a Spanish-speaking contact texting STOP is opted out with the Spanish confirmation', async () => {
    await patient('Lucía Ramos', { phone: '+14155550901', preferredLanguage: 'es' });
    const { conversationId } = await inbound(org, 'STOP', '+14155550901');
    const [, reply] = await bodies(conversationId);
    expect(reply).toEqual(['outbound', 'Clínica Riverside Main: se ha dado de baja y no recibirá más mensajes de texto nuestros. Responda ALTA para volver a suscribirse.']);
    expect((await org.owner.get('/api/v1/opt-outs')).body.items.map((c: any) => c.phone)).toContain('+14155550901');
  });

  it('an unknown patient writing BAJA is opted out in Spanish and remembered as Spanish-speaking; ALTA then opts back in, in Spanish', async () => {
    const { conversationId, contactId } = await inbound(org, 'Baja', '+14155550902');
    expect((await bodies(conversationId))[1][1]).toMatch(/^Clínica Riverside Main: se ha dado de baja/);
    expect((await contact(contactId)).preferredLanguage).toBe('es');
    await inbound(org, 'Alta', '+14155550902');
    expect((await bodies(conversationId)).at(-1)[1]).toMatch(/^Clínica Riverside Main: se ha vuelto a suscribir.*BAJA/);
    expect((await contact(contactId)).optedOut.sms).toBe(false);
  });

  it('an English STOP from a patient of unknown language keeps the English confirmation and guesses nothing', async () => {
    const { conversationId, contactId } = await inbound(org, 'STOP', '+14155550903');
    expect((await bodies(conversationId))[1][1]).toMatch(/^Clínica Riverside Main: you are unsubscribed.*START/);
    expect((await contact(contactId)).preferredLanguage).toBeNull();
  });
});

describe('per-language clinic texts', () => {
  it('the after-hours reply goes out in the patient’s language, the clinic’s own text to everyone else', async () => {
    const other = await signupOrg(ctx.app, 'Night Dental');
    const set = await other.owner.patch(`/api/v1/clinics/${other.clinicId}`, {
      afterHoursReply: 'We are closed and will answer when we open at 8.',
      afterHoursReplyTranslations: { es: 'Estamos cerrados; le responderemos cuando abramos a las 8.' },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await other.owner.post('/api/v1/contacts', { name: 'Marta Soto', phone: '+14155550911', preferredLanguage: 'es' })).status).toBe(201);
    const spanish = await inbound(other, '¿Abren mañana?', '+14155550911');
    const english = await inbound(other, 'Open tomorrow?', '+14155550912');
    const replyOf = async (id: string) => (await other.owner.get(`/api/v1/conversations/${id}`)).body.messages.at(-1).body;
    expect(await replyOf(spanish.conversationId)).toBe('Estamos cerrados; le responderemos cuando abramos a las 8.');
    expect(await replyOf(english.conversationId)).toBe('We are closed and will answer when we open at 8.');
  });

  it('a template keeps its language versions (each placeholder checked) and a send picks the recipient’s', async () => {
    const created = await org.owner.post('/api/v1/templates', {
      name: 'Follow-up',
      body: 'Hi {{patient.firstName}}, how are you feeling?',
      translations: { es: 'Hola, {{patient.firstName}}: ¿cómo se siente?' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ language: 'en', translations: { es: 'Hola, {{patient.firstName}}: ¿cómo se siente?' } });
    expect((await org.owner.get('/api/v1/templates')).body.items.find((t: any) => t.id === created.body.id).translations.es).toMatch(/^Hola/);
    expectProblem(await org.owner.patch(`/api/v1/templates/${created.body.id}`, { translations: { es: 'Hola {{paciente.nombre}}' } }), 400, 'invalid_input');

    await patient('Sofía Vega', { phone: '+14155550921', preferredLanguage: 'es' });
    const spanish = await inbound(org, 'Hola', '+14155550921');
    const english = await inbound(org, 'Hello', '+14155550922', { name: 'Tom Reed' });
    expect((await org.owner.post(`/api/v1/conversations/${spanish.conversationId}/messages`, { templateId: created.body.id })).status).toBe(202);
    expect((await org.owner.post(`/api/v1/conversations/${english.conversationId}/messages`, { templateId: created.body.id })).status).toBe(202);
    expect((await bodies(spanish.conversationId)).at(-1)[1]).toBe('Hola, Sofía: ¿cómo se siente?');
    expect((await bodies(english.conversationId)).at(-1)[1]).toBe('Hi Tom, how are you feeling?');
  });

  it('a campaign writes to each recipient in their language, dates included, the template as written when it has no version for them', async () => {
    const template = await org.owner.post('/api/v1/templates', {
      name: 'Recordatorio',
      body: 'Hi {{patient.firstName}}, see you {{appointment.date}}.',
      translations: { es: 'Hola, {{patient.firstName}}: le esperamos el {{appointment.date}}.' },
    });
    const ana = await patient('Ana Ortiz', { email: 'ana@example.com', preferredLanguage: 'es' });
    const ben = await patient('Ben Hall', { email: 'ben@example.com' });
    const at = new Date(ctx.clock.now().getTime() + 10 * 3_600_000).toISOString();
    for (const contactId of [ana, ben]) expect((await org.owner.post('/api/v1/bookings', { clinicId: org.clinicId, contactId, startsAt: at })).status).toBe(201);
    const campaign = await org.owner.post('/api/v1/campaigns', { name: 'Recordatorios', trigger: 'appointment_reminder', hoursBefore: 24, templateId: template.body.id });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    const run = await org.owner.post(`/api/v1/campaigns/${campaign.body.id}/run`);
    expect(run.body).toMatchObject({ sent: 2, failed: 0 });
    const sentTo = async (contactId: string) => {
      const item = (await org.owner.get(`/api/v1/conversations?contactId=${contactId}`)).body.items[0];
      return (await thread(item.id)).messages.at(-1).body;
    };
    expect(await sentTo(ana)).toBe('Hola, Ana: le esperamos el lunes, 2 de marzo.');
    expect(await sentTo(ben)).toBe('Hi Ben, see you Monday, March 2.');
  });
});

describe('the public page and the guest thread', () => {
  const slug = () => org.me.clinics[0].slug;

  it('the clinic page speaks the browser’s language, says so in <html lang>, and varies its cache by it', async () => {
    const es = await ctx.app.inject({ method: 'GET', url: `/c/${slug()}`, headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' } });
    expect(es.statusCode).toBe(200);
    expect(es.body).toContain('<html lang="es">');
    expect(es.body).toContain('Envíenos un mensaje');
    expect(es.body).toContain('lun–vie 8:00–17:00');
    expect(es.headers.vary).toContain('Accept-Language');
    const en = await ctx.app.inject({ method: 'GET', url: `/c/${slug()}`, headers: { 'accept-language': 'fr-FR' } });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Send us a message');
  });

  it('a visitor writing from a Spanish browser is remembered as Spanish-speaking: their private thread stays Spanish on any browser', async () => {
    const post = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/public/clinics/${slug()}/messages`,
      headers: { 'accept-language': 'es-ES' },
      payload: { name: 'Elena Ruiz', email: 'elena@example.com', body: '¿Tienen cita el jueves?' },
    });
    expect(post.statusCode, post.body).toBe(201);
    const contactItem = (await org.owner.get('/api/v1/contacts?q=elena')).body.items[0];
    expect((await contact(contactItem.id)).preferredLanguage).toBe('es');
    const page = await ctx.app.inject({ method: 'GET', url: new URL(post.json().guestUrl).pathname, headers: { 'accept-language': 'en-US' } });
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain('Su conversación con');
    expect(page.body).toContain('Usted');

    // The thread as JSON (what the page's script redraws from) names the sender and a retraction in Spanish too.
    const conversationId = (await org.owner.get('/api/v1/conversations?q=elena@example.com')).body.items[0].id;
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { channel: 'web', body: 'Sí, a las 10.' });
    expect((await org.owner.post(`/api/v1/messages/${sent.body.id}/retract`, { reason: 'wrong time', correction: 'Sí, a las 11.' })).status).toBe(200);
    const json = await ctx.app.inject({ method: 'GET', url: `/api/v1/public/threads/${new URL(post.json().guestUrl).pathname.split('/').pop()}/messages`, headers: { 'accept-language': 'en-US' } });
    const staffAt = `${org.me.user.name.split(/\s+/)[0]}, de ${org.me.clinics[0].name}`;
    expect(json.json().messages.slice(1)).toMatchObject([
      { body: 'La clínica retiró este mensaje.', from: staffAt },
      { body: 'Sí, a las 11.', from: staffAt },
    ]);
  });

  it('a form error comes back in the visitor’s language', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `/c/${slug()}`, headers: { 'accept-language': 'es', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=&email=&body=' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Revise los campos marcados abajo.');
    expect(res.body).toContain('Escriba su nombre.');
  });
});
