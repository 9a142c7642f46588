/**
 * Issue 18 (staff side): each user picks the language of the app and of their emails. /me says it
 * (null: follow the browser), PATCH /me changes it, audited; a wait reminder reaches each recipient
 * in their own language. Real SMTP through test/fakes/smtp.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWaitReminders } from '../../src/notifications/reminders.js';
import { CapturingSmtp } from '../fakes/smtp.js';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let relay: CapturingSmtp;
let org: Org;

beforeAll(async () => {
  relay = await new CapturingSmtp().start();
  ctx = await setupApp({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, EMAIL_DOMAIN: 'riverside.test', EMAIL_FROM: 'inbox@riverside.test' });
  org = await signupOrg(ctx.app, 'Riverside');
});
afterAll(() => relay.stop());

describe('a user’s language', () => {
  it('is unset at first, set by the user alone, audited, and only a language the app speaks', async () => {
    expect((await org.owner.get('/api/v1/me')).body.user.language).toBeNull();
    const set = await org.owner.patch('/api/v1/me', { language: 'es' });
    expect(set.status).toBe(200);
    expect(set.body.user.language).toBe('es');
    expect((await org.owner.get('/api/v1/me')).body.user.language).toBe('es');
    const audit = await org.owner.get('/api/v1/audit?action=user.language_update');
    expect(audit.body.items[0]).toMatchObject({ subjectId: org.me.user.id, details: { language: 'es' } });
    expectProblem(await org.owner.patch('/api/v1/me', { language: 'fr' }), 400, 'invalid_input');
    expectProblem(await org.owner.patch('/api/v1/me', { language: 'es', role: 'admin' }), 400, 'invalid_input');
    // A colleague's choice is theirs: the owner's stays.
    const rita = await org.addUser('receptionist', { clinicIds: [org.clinicId] });
    expect((await rita.client.patch('/api/v1/me', { language: 'en' })).body.user.language).toBe('en');
    expect((await org.owner.get('/api/v1/me')).body.user.language).toBe('es');
    expect((await org.owner.patch('/api/v1/me', { language: null })).body.user.language).toBeNull();
  });

  it('decides the language of the wait reminder each recipient gets', async () => {
    const rita = await org.addUser('receptionist', { clinicIds: [org.clinicId] });
    const ritaEmail = (await rita.client.get('/api/v1/me')).body.user.email;
    await rita.client.patch('/api/v1/me', { language: 'es' });
    await org.owner.put(`/api/v1/clinics/${org.clinicId}/reminder`, { waitMinutes: 90 });
    await inbound(org, 'Can I move my appointment?', '+14155550981');
    const before = relay.received.length;
    ctx.clock.advance(10 * 3600_000); // well into Monday's opening hours in New York
    expect(await sendWaitReminders(ctx.deps)).toBeGreaterThanOrEqual(2);
    const mails = relay.received.slice(before);
    const toRita = mails.find((m) => m.rcptTo.includes(ritaEmail))!.mail;
    const toOwner = mails.find((m) => m.rcptTo.includes(org.me.user.email))!.mail;
    expect(toRita.subject).toBe('Un paciente lleva más de 90 minutos esperando · Riverside Main');
    expect(toRita.text).toContain('Configuración › Notificaciones');
    expect(toOwner.subject).toBe('A patient has waited over 90 minutes · Riverside Main');
  });
});
