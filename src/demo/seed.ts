/**
 * A demo organization with three clinics, one user of each role and realistic conversations, built
 * through the same services the API uses, with a clock that walks through the past two weeks.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { actorFromSession, createSession } from '../auth/service.js';
import { findOrCreateContact } from '../contacts/service.js';
import { contacts } from '../contacts/schema.js';
import { appendOutbound, assignConversation, createConversation, changeState, logCall, recordInbound, sendMessage, startConversation, starMessage } from '../conversations/service.js';
import type { Deps } from '../deps.js';
import { users } from '../orgs/schema.js';
import { campaigns } from '../campaigns/schema.js';
import { createClinic, createInbox, createUser, signup, updateClinic } from '../orgs/service.js';
import { enableSmsInbox } from '../channels/sms/inbox.js';
import { hashPassword } from '../auth/tokens.js';
import { upsertArtifact } from '../artifacts/service.js';
import { createTemplate } from '../templates/service.js';
import { bookFromConversation } from '../bookings/service.js';
import { postFromPublicPage } from '../guest/service.js';
import { portalAccounts } from '../portal/schema.js';

export const demoPassword = 'frontdesk-demo';
const domain = 'demo.frontdesk.test';

const staff = [
  { name: 'Dana Whitfield', email: `admin@${domain}`, role: 'admin', privileges: ['send_messages', 'inbox', 'contacts'] },
  { name: 'Dr. Priya Patel', email: `doctor@${domain}`, role: 'doctor', privileges: ['send_messages', 'contacts'] },
  { name: 'Sam Kim', email: `nurse@${domain}`, role: 'nurse', privileges: ['send_messages'] },
  { name: 'Lee Alvarez', email: `reception@${domain}`, role: 'receptionist', privileges: ['send_messages', 'inbox', 'contacts'] },
] as const;

type Script = {
  name: string;
  phone?: string;
  email?: string;
  type: 'patient' | 'lead';
  clinic: number;
  channel: 'sms' | 'email' | 'whatsapp';
  lines: (string | { staff: string } | { call: string; minutes: number } | { campaign: string })[];
  end?: 'close' | 'archive' | 'read';
  assign?: number;
  star?: boolean;
  /** P3: the conversation led to this booking. */
  booked?: string;
};

const scripts: Script[] = [
  { name: 'Maria Gonzalez', phone: '+14155550134', type: 'patient', clinic: 0, channel: 'sms', lines: [{ campaign: 'Hi Maria, a reminder of your cleaning at Riverside Downtown tomorrow at 9:30. Reply C to confirm.' }, 'C', 'Also, can I bring my son along? He needs a check-up too.'] },
  { name: 'James Carter', phone: '+14155550199', type: 'patient', clinic: 0, channel: 'sms', lines: ['Hi, my crown feels loose since yesterday. Should I come in?', { staff: "Sorry to hear that, James. We can see you today at 3:15 — would that work?" }, 'Yes please, 3:15 is great.'], end: 'read', assign: 3, booked: 'Loose crown' },
  { name: 'Aisha Rahman', email: 'aisha.rahman@example.com', type: 'patient', clinic: 0, channel: 'email', lines: ['Could you send me the invoice for my last visit? My insurer needs it.', { staff: 'Of course, Aisha — the invoice is attached to your portal. Anything else we can help with?' }], end: 'close' },
  { name: 'Tom Becker', phone: '+14155550117', type: 'lead', clinic: 0, channel: 'sms', lines: ['How much is teeth whitening at your clinic?'] },
  { name: 'Chen Wei', phone: '+14155550142', type: 'patient', clinic: 1, channel: 'whatsapp', lines: ['Hello, is the Northgate office open on Saturdays?', { staff: 'Hi Chen, yes — Saturdays 9:00 to 13:00. Would you like to book?' }, 'Great, I will call to book.', { call: 'Booked Sat 10:00 cleaning. Asked about payment plans; sent brochure.', minutes: 6 }], end: 'read', star: true, booked: 'Saturday cleaning' },
  { name: 'Olivia Brown', phone: '+14155550163', type: 'patient', clinic: 1, channel: 'sms', lines: [{ campaign: 'Hi Olivia, your 6-month check-up is due. Book online or reply to this text.' }, 'Can I do next Tuesday afternoon?'], assign: 1 },
  { name: 'Noah Wilson', email: 'noah.wilson@example.com', type: 'lead', clinic: 1, channel: 'email', lines: ['Do you accept Delta Dental PPO? Looking for a new dentist for my family of four.'] },
  { name: 'Fatima Al-Sayed', phone: '+14155550178', type: 'patient', clinic: 2, channel: 'sms', lines: ['My daughter chipped her tooth at school. Can you see her today?', { staff: "Poor thing! Bring her in at 1:30 — we'll keep a slot." }, 'Thank you so much!'], end: 'close' },
  { name: 'Lucas Martin', phone: '+14155550185', type: 'patient', clinic: 2, channel: 'sms', lines: ['Running 10 minutes late for my 11:00, sorry!'], end: 'archive' },
  { name: 'Grace Okafor', phone: '+14155550121', type: 'patient', clinic: 2, channel: 'whatsapp', lines: ['Is it normal to have some sensitivity after the filling?', { staff: 'A little sensitivity for a few days is normal. If it lasts beyond a week, let us know and Dr. Patel will take a look.' }], assign: 1 },
  { name: 'Ethan Novak', phone: '+14155550156', type: 'lead', clinic: 0, channel: 'sms', lines: ['Do you do Invisalign consultations? What does it cost?'] },
  { name: 'Sofia Rossi', email: 'sofia.rossi@example.com', type: 'patient', clinic: 1, channel: 'email', lines: ['Please cancel my appointment on Friday, I am travelling.', { staff: 'Done, Sofia — your Friday appointment is cancelled. Safe travels!' }], end: 'close' },
];

function moment(daysAgo: number, minutes = 0): Date {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  d.setUTCHours(14, 0, 0, 0);
  return new Date(d.getTime() + minutes * 60_000);
}

export async function seedDemo(deps: Deps): Promise<{ created: boolean; signIn: string[] }> {
  const signIn = [
    `Sign in at http://localhost:${deps.config.port} with owner@${domain} / ${demoPassword}`,
    `Other roles: ${staff.map((s) => s.email).join(', ')} (same password)`,
    `Public page: http://localhost:${deps.config.port}/c/riverside-downtown · patient portal: http://localhost:${deps.config.port}/portal?clinic=riverside-downtown with ${portalPatient.email} / ${demoPassword}`,
  ];
  const [existing] = await deps.db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${`owner@${domain}`}`);
  if (existing) return { created: false, signIn };

  let now = moment(14);
  const clockDeps: Deps = { ...deps, clock: { now: () => now } };
  const origin = { ip: '127.0.0.1', userAgent: 'frontdesk demo seed' };

  const { session } = await signup(
    clockDeps,
    { organizationName: 'Riverside Dental Group', clinicName: 'Riverside Downtown', name: 'Morgan Reyes', email: `owner@${domain}`, password: demoPassword },
    origin,
  );
  const owner = (await actorFromSession(clockDeps, session.token, origin))!;
  await deps.db.execute(sql`update organizations set plan = 'accelerator' where id = ${owner.orgId}`);
  const clinicIds = [await firstClinicId(deps, owner.orgId)];
  clinicIds.push((await createClinic(clockDeps, owner, { name: 'Riverside Northgate', phone: '+14155550100', address: '200 Northgate Ave' })).id);
  clinicIds.push((await createClinic(clockDeps, owner, { name: 'Riverside Lakeside', phone: '+14155550101', address: '15 Lakeshore Dr' })).id);
  await createInbox(clockDeps, owner, { name: 'Billing' });
  // With the simulator, the demo gets a (made-up) two-way SMS number; a real provider would buy one.
  if (deps.channels.numbers.provider === 'simulator') {
    const [number] = await deps.channels.numbers.available({ country: 'US', areaCode: '415' });
    await enableSmsInbox(clockDeps, owner, number.phoneNumber);
  }

  const team: Actor[] = [owner];
  for (const member of staff) {
    const user = await createUser(clockDeps, owner, { ...member, privileges: [...member.privileges], password: demoPassword, clinicIds: member.role === 'admin' ? [] : clinicIds });
    const s = await createSession(clockDeps, deps.db, { id: user.id, orgId: owner.orgId }, origin);
    team.push((await actorFromSession(clockDeps, s.token, origin))!);
  }
  const reminder = await createTemplate(clockDeps, owner, { name: 'Appointment reminder', body: 'Hi {{patient.firstName}}, a reminder of your visit at {{clinic.name}} on {{appointment.date}} at {{appointment.time}}. Reply C to confirm.' });
  await createTemplate(clockDeps, owner, { name: 'Running late', body: 'Hi {{patient.firstName}}, {{clinic.name}} is running about 15 minutes late today. Sorry! — {{staff.name}}' });
  const [campaign] = await deps.db
    .insert(campaigns)
    .values({ orgId: owner.orgId, name: 'Appointment Reminders', trigger: 'appointment_reminder', hoursBefore: 24, templateId: reminder.id, createdAt: now })
    .returning();
  const reception = team[4];

  for (const [i, script] of scripts.entries()) {
    now = moment(scripts.length - i, 0);
    const contact = await findOrCreateContact(deps.db, owner.orgId, script.phone ? { phone: script.phone } : { email: script.email! }, script.name);
    await deps.db.update(contacts).set({ type: script.type }).where(eq(contacts.id, contact.id));
    let conversationId: string | null = null;
    let lastMessageId: string | null = null;
    for (const [n, line] of script.lines.entries()) {
      now = moment(scripts.length - i, n * 17 + 3);
      if (typeof line === 'string') {
        const inbound = await deps.db.transaction((tx) =>
          recordInbound(tx, { orgId: owner.orgId, clinicId: clinicIds[script.clinic], contactId: contact.id, channel: script.channel, body: line, at: now }),
        );
        conversationId = inbound.conversationId;
        lastMessageId = inbound.messageId;
      } else if ('staff' in line && conversationId) {
        lastMessageId = (await sendMessage(clockDeps, reception, conversationId, { body: line.staff, channel: script.channel })).id;
      } else if ('campaign' in line) {
        conversationId = await campaignMessage(deps, owner.orgId, clinicIds[script.clinic], contact.id, script.channel, line.campaign, campaign.id, now);
      } else if ('call' in line && conversationId) {
        await logCall(clockDeps, reception, conversationId, { startedAt: new Date(now.getTime() - line.minutes * 60_000).toISOString(), durationSeconds: line.minutes * 60, direction: 'inbound', notes: line.call });
      }
    }
    if (!conversationId) continue;
    if (script.assign !== undefined) await assignConversation(clockDeps, owner, conversationId, team[script.assign + 1].userId);
    if (script.star && lastMessageId) await starMessage(clockDeps, owner, lastMessageId, true);
    if (script.end === 'read') await changeState(clockDeps, reception, conversationId, 'read');
    if (script.end === 'close') await changeState(clockDeps, reception, conversationId, 'close');
    if (script.end === 'archive') await changeState(clockDeps, owner, conversationId, 'archive');
    if (script.booked) await bookFromConversation(clockDeps, reception, conversationId, { startsAt: moment(-3, 60 * (i % 5)).toISOString(), notes: script.booked });
  }
  now = moment(0, -120);
  await patientsSide(clockDeps, owner, reception, clinicIds[0]);
  await artifactsFor(clockDeps, owner);
  return { created: true, signIn };
}

async function firstClinicId(deps: Deps, orgId: string): Promise<string> {
  const rows = await deps.db.execute<{ id: string }>(sql`select id from clinics where org_id = ${orgId} order by created_at limit 1`);
  return rows.rows[0].id;
}

/** A campaign's message opens the thread as a reminder would: through appendOutbound, labelled with the campaign. */
async function campaignMessage(deps: Deps, orgId: string, clinicId: string, contactId: string, channel: 'sms' | 'email' | 'whatsapp', body: string, campaignId: string, at: Date): Promise<string> {
  return deps.db.transaction(async (tx) => {
    const conversation = await createConversation(tx, { orgId, clinicId, contactId, channel, at });
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId));
    await appendOutbound(tx, conversation, contact, { channel, body, sender: { kind: 'campaign', campaignId }, at });
    return conversation.id;
  });
}

const portalPatient = { name: 'Hannah Lee', email: 'hannah.lee@example.com' };

/** The patients' side: a guest message from the public page, a portal patient with a sensitive result. */
async function patientsSide(base: Deps, owner: Actor, reception: Actor, clinicId: string): Promise<void> {
  let t = base.clock.now();
  const deps: Deps = { ...base, clock: { now: () => (t = new Date(t.getTime() + 60_000)) } };
  // One source of opening hours: the structured week the reply logic uses is what the public page shows.
  const weekday = [{ open: '08:00', close: '18:00' }];
  const openingHours = { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: [{ open: '09:00', close: '13:00' }] };
  await updateClinic(deps, owner, clinicId, { address: '1 River Plaza, Suite 200', openingHours, phone: '+14155550102' });
  const [clinic] = (await deps.db.execute<{ slug: string }>(sql`select slug from clinics where id = ${clinicId}`)).rows;
  await postFromPublicPage(deps, clinic.slug, { name: 'Ava Thompson', email: 'ava.thompson@example.com', body: 'Hi! I just moved to the area. Are you taking new patients, and do you take Cigna?' }, { ip: '127.0.0.1', userAgent: 'demo' });

  const contact = await findOrCreateContact(deps.db, owner.orgId, { email: portalPatient.email }, portalPatient.name);
  await deps.db.update(contacts).set({ type: 'patient', portalAccount: true, chatOptIn: true }).where(eq(contacts.id, contact.id));
  await deps.db.insert(portalAccounts).values({ contactId: contact.id, orgId: owner.orgId, passwordHash: await hashPassword(demoPassword), createdAt: deps.clock.now() });
  const started = await startConversation(deps, reception, { contactId: contact.id, channel: 'portal', clinicId, body: 'Hi Hannah, your X-ray results from Tuesday are ready.' });
  await sendMessage(deps, reception, started.conversation.id, { channel: 'portal', body: 'No cavities; a small area on the lower left molar to watch at your next visit.', sensitive: true });
}

/** K3: what the practice system would have pushed: an appointment for Maria, an invoice for Aisha. */
async function artifactsFor(deps: Deps, owner: Actor): Promise<void> {
  const byName = async (name: string) => (await deps.db.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.orgId, owner.orgId), eq(contacts.name, name))))[0]?.id;
  const maria = await byName('Maria Gonzalez');
  const aisha = await byName('Aisha Rahman');
  if (maria) await upsertArtifact(deps, owner, { contactId: maria, kind: 'appointment', externalId: 'DEMO-APPT-1', title: 'Cleaning with Dr. Patel', occurredAt: moment(-2, 30).toISOString() });
  if (aisha) await upsertArtifact(deps, owner, { contactId: aisha, kind: 'invoice', externalId: 'DEMO-INV-1042', title: 'Invoice 1042', amountCents: 12050, currency: 'USD', url: 'https://pay.example.com/invoices/1042' });
}
