/**
 * Issue 16: a reminder by email when a patient's message has waited longer than the clinic's limit
 * in opening hours — to the assignee, or to everyone with the inbox at the clinic — once per wait,
 * PHI-free (a link), with a per-user opt-out. Real SMTP: the worker's email adapter talks to a
 * local SMTP server (test/fakes/smtp.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWaitReminders } from '../../src/notifications/reminders.js';
import { expectProblem, inbound, setupApp, signIn, signupOrg, type Org, type TestContext, withoutIds } from '../helpers.js';
import { CapturingSmtp } from '../fakes/smtp.js';

let ctx: TestContext;
let relay: CapturingSmtp;
let org: Org;
const users: Record<string, { id: string; email: string }> = {};

beforeAll(async () => {
  relay = await new CapturingSmtp().start();
  ctx = await setupApp({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, EMAIL_DOMAIN: 'riverside.test', EMAIL_FROM: 'inbox@riverside.test' });
  org = await signupOrg(ctx.app, 'Riverside');
  const elsewhere = (await org.owner.post('/api/v1/clinics', { name: 'Uptown' })).body.id;
  for (const [name, role, clinicIds] of [['rita', 'receptionist', [org.clinicId]], ['optedOut', 'nurse', [org.clinicId]], ['uptown', 'nurse', [elsewhere]]] as const) {
    const user = await org.addUser(role, { clinicIds: [...clinicIds] });
    const me = (await user.client.get('/api/v1/me')).body;
    users[name] = { id: user.id, email: me.user.email };
    if (name === 'optedOut') await user.client.put('/api/v1/me/notifications', { level: 'mine', sound: true, quietHours: null, emailReminders: false });
  }
});
afterAll(() => relay.stop());

const recipientsSince = (from: number) => relay.received.slice(from).flatMap((r) => r.rcptTo).sort();

describe('the clinic\'s wait limit', () => {
  it('is an admin\'s to set, within reason, and audited', async () => {
    expectProblem(await org.owner.put(`/api/v1/clinics/${org.clinicId}/reminder`, { waitMinutes: 1 }), 400, 'invalid_input');
    expectProblem(await org.owner.put('/api/v1/clinics/00000000-0000-4000-8000-000000000000/reminder', { waitMinutes: 60 }), 404, 'not_found');
    expect((await org.owner.get(`/api/v1/clinics/${org.clinicId}/reminder`)).body).toEqual({ waitMinutes: null });
    expect((await org.owner.put(`/api/v1/clinics/${org.clinicId}/reminder`, { waitMinutes: 60 })).body).toEqual({ waitMinutes: 60 });
    const audit = await org.owner.get('/api/v1/audit?action=clinic.reminder_update');
    expect(audit.body.items[0]).toMatchObject({ subjectId: org.clinicId, details: { waitMinutes: 60 } });
  });
});

describe('reminder emails', () => {
  it('counts the wait in opening hours, then emails the clinic\'s inbox team once — a link, nothing of the patient; not who opted out, not another clinic', async () => {
    // The test clock starts on Monday 2026-03-02 at 09:00 UTC: 4:00 in New York, the clinic closed.
    const { conversationId } = await inbound(org, 'My lab results came back positive, please call', '+14155550971', { name: 'Maria Gonzalez' });
    const before = relay.received.length;
    ctx.clock.advance(4.5 * 3600_000); // 8:30: half an hour open
    expect(await sendWaitReminders(ctx.deps)).toBe(0);
    ctx.clock.advance(3600_000); // 9:30: ninety minutes open
    expect(await sendWaitReminders(ctx.deps)).toBe(2);
    expect(recipientsSince(before)).toEqual([org.me.user.email, users.rita!.email].sort());
    const mail = relay.received.at(-1)!.mail;
    expect(mail.subject).toBe('A patient has waited over 1 hour · Riverside Main');
    expect(mail.text).toContain(`/?c=${conversationId}`);
    expect(withoutIds(`${mail.subject} ${mail.text} ${mail.html || ''}`)).not.toMatch(/lab|positive|Maria|Gonzalez|555/i);
    // Once per wait.
    ctx.clock.advance(3600_000);
    expect(await sendWaitReminders(ctx.deps)).toBe(0);
  });

  it('an assigned conversation reminds its assignee only; an answer ends the wait', async () => {
    // Hours passed on the test clock: the owner's session went idle.
    org.owner = await signIn(ctx.app, org.me.user.email);
    const { conversationId } = await inbound(org, 'Can I move my appointment?', '+14155550972');
    await org.owner.post(`/api/v1/conversations/${conversationId}/assign`, { userId: users.rita!.id });
    const answered = await inbound(org, 'Hello?', '+14155550973');
    const reply = await org.owner.post(`/api/v1/conversations/${answered.conversationId}/messages`, { body: 'Hi, how can we help?' });
    expect(reply.status).toBe(202);
    const before = relay.received.length;
    ctx.clock.advance(61 * 60_000);
    expect(await sendWaitReminders(ctx.deps)).toBe(1);
    expect(recipientsSince(before)).toEqual([users.rita!.email]);
    expect(relay.received.at(-1)!.mail.text).toContain(`/?c=${conversationId}`);
  });
});
