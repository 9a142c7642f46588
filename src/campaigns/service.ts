/**
 * M10: automatic campaigns — appointment reminders N hours before each booking, and form invites
 * once per new booking — sent through the same path as staff messages, labelled with the campaign,
 * skipping opted-out and blocked patients, holding texts during quiet hours, never twice.
 */
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { contacts } from '../contacts/schema.js';
import type { ContactRow } from '../contacts/service.js';
import { outboundRefusal, sendableChannels, type SendChannel } from '../conversations/rules.js';
import { appendAutomatic } from '../conversations/service.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { clockTime, minutes } from '../orgs/hours.js';
import { clinics } from '../orgs/schema.js';
import { templateFor, templateInOrg } from '../templates/service.js';
import type { templates } from '../templates/schema.js';

type TemplateRow = typeof templates.$inferSelect;
import { renderTemplate } from '../templates/rules.js';
import { campaignHooks, type DueBooking } from './hooks.js';
import type { CampaignChanges, CampaignInput } from './inputs.js';
import { autoOrder, inQuietHours, quietHoursApply, type CampaignChannel, type CampaignTrigger, type SkipReason } from './rules.js';
import { campaignRuns, campaigns, campaignSends } from './schema.js';

type CampaignRow = typeof campaigns.$inferSelect;


export const campaignJson = (c: CampaignRow) => ({
  id: c.id,
  name: c.name,
  trigger: c.trigger,
  hoursBefore: c.hoursBefore,
  templateId: c.templateId,
  channel: c.channel,
  clinicId: c.clinicId,
  quietHours: { start: clockTime(c.quietStartMinute), end: clockTime(c.quietEndMinute) },
  urgent: c.urgent,
  active: c.active,
  createdAt: c.createdAt.toISOString(),
});


async function checkInput(deps: Deps, actor: Actor, input: CampaignChanges, trigger: CampaignTrigger | null) {
  if (trigger === 'appointment_reminder' && input.hoursBefore === undefined) {
    throw new AppError('invalid_input', 'an appointment reminder needs hoursBefore', { errors: [{ field: 'body.hoursBefore', message: 'is required' }] });
  }
  if (input.templateId) await templateInOrg(deps.db, actor.orgId, input.templateId);
  if (input.clinicId) {
    const [clinic] = await deps.db.select({ id: clinics.id }).from(clinics).where(and(eq(clinics.id, input.clinicId), eq(clinics.orgId, actor.orgId)));
    if (!clinic) throw notFound('clinic');
  }
}

const columnsOf = (input: CampaignChanges) => ({
  ...(input.name !== undefined ? { name: input.name.trim() } : {}),
  ...(input.hoursBefore !== undefined ? { hoursBefore: input.hoursBefore } : {}),
  ...(input.templateId !== undefined ? { templateId: input.templateId } : {}),
  ...(input.channel !== undefined ? { channel: input.channel } : {}),
  ...(input.clinicId !== undefined ? { clinicId: input.clinicId } : {}),
  ...(input.quietHours ? { quietStartMinute: minutes(input.quietHours.start), quietEndMinute: minutes(input.quietHours.end) } : {}),
  ...(input.urgent !== undefined ? { urgent: input.urgent } : {}),
  ...(input.active !== undefined ? { active: input.active } : {}),
});

export async function createCampaign(deps: Deps, actor: Actor, input: CampaignInput) {
  await checkInput(deps, actor, input, input.trigger);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(campaigns)
      .values({ orgId: actor.orgId, trigger: input.trigger, createdAt: deps.clock.now(), name: input.name.trim(), templateId: input.templateId, ...columnsOf(input) })
      .returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'campaign.create', subject: { type: 'campaign', id: row.id } });
    return campaignJson(row);
  });
}

async function campaignInOrg(deps: Deps, orgId: string, id: string): Promise<CampaignRow> {
  const [row] = await deps.db.select().from(campaigns).where(and(eq(campaigns.id, id), eq(campaigns.orgId, orgId)));
  if (!row) throw notFound('campaign');
  return row;
}

export async function updateCampaign(deps: Deps, actor: Actor, id: string, input: CampaignChanges) {
  const current = await campaignInOrg(deps, actor.orgId, id);
  await checkInput(deps, actor, input, null);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.update(campaigns).set(columnsOf(input)).where(eq(campaigns.id, current.id)).returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'campaign.update', subject: { type: 'campaign', id }, details: { fields: Object.keys(input) } });
    return campaignJson(row);
  });
}

export async function listCampaigns(deps: Deps, actor: Actor) {
  const rows = await deps.db.select().from(campaigns).where(and(eq(campaigns.orgId, actor.orgId), isNotNull(campaigns.trigger))).orderBy(campaigns.name);
  return rows.map(campaignJson);
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/** The channel to use, or why there is none. */
function pickChannel(c: CampaignRow, contact: ContactRow): { channel: SendChannel } | { skip: SkipReason } {
  const wanted: readonly SendChannel[] = c.channel === 'auto' ? autoOrder : [c.channel];
  let firstRefusal: SkipReason | null = null;
  for (const channel of wanted) {
    const refusal = outboundRefusal(contact, channel);
    if (!refusal) return { channel };
    if (sendableChannels(contact).includes(channel) || refusal.code === 'contact_blocked') firstRefusal ??= refusal.code;
  }
  return { skip: firstRefusal ?? 'no_channel' };
}

type Outcome = { status: 'sent'; messageId: string } | { status: 'skipped'; reason: SkipReason } | { status: 'failed'; reason: string } | { status: 'already_sent' };

/** What every send of one run shares: the template's text and the organization's clinics. */
interface RunContext {
  template: TemplateRow | null;
  clinics: Map<string, typeof clinics.$inferSelect>;
}

async function sendOne(deps: Deps, c: CampaignRow, run: RunContext & { id: string }, booking: DueBooking, now: Date): Promise<Outcome> {
  const runId = run.id;
  const [contact] = await deps.db.select().from(contacts).where(eq(contacts.id, booking.contactId));
  const clinic = run.clinics.get(booking.clinicId)!;
  const pick = pickChannel(c, contact);
  if ('skip' in pick) return { status: 'skipped', reason: pick.skip };
  if (quietHoursApply(pick.channel) && !c.urgent && inQuietHours(now, clinic.timezone, c.quietStartMinute, c.quietEndMinute)) return { status: 'skipped', reason: 'quiet_hours' };
  // Each recipient's language version of the template (issue 18), the template as written when none.
  const version = templateFor(run.template!, contact.preferredLanguage);
  const body = renderTemplate(version.text, { patient: { name: contact.name }, clinic, staff: { name: clinic.name }, appointment: { startsAt: booking.startsAt }, language: version.language });
  try {
    return await deps.db.transaction(async (tx) => {
      // The 'sent' row first: a concurrent run that got here first makes this one stop at the unique index.
      const [send] = await tx.insert(campaignSends).values({ runId, campaignId: c.id, targetKey: `booking:${booking.id}`, contactId: contact.id, status: 'sent', at: now }).returning();
      const sent = await appendAutomatic(tx, { orgId: c.orgId, clinicId: booking.clinicId, contact, channel: pick.channel, body, campaignId: c.id, at: now });
      await tx.update(campaignSends).set({ messageId: sent.messageId }).where(eq(campaignSends.id, send.id));
      return { status: 'sent' as const, messageId: sent.messageId };
    });
  } catch (e) {
    if (isUniqueViolation(e, 'campaign_sends_once')) return { status: 'already_sent' };
    if (e instanceof AppError) return { status: 'failed', reason: `${e.code}: ${e.detail}` };
    throw e;
  }
}

/**
 * One run of one campaign: every due booking sent, skipped (with why) or failed; returns the report.
 * A scheduled run with nothing due leaves no trace.
 */
export async function runCampaign(deps: Deps, c: CampaignRow, opts: { record: 'always' | 'when_due' }) {
  const now = deps.clock.now();
  const due = c.active && c.trigger && c.templateId ? await campaignHooks().dueBookings(deps.db, c, now) : [];
  if (!due.length && opts.record === 'when_due') return null;
  const [run] = await deps.db.insert(campaignRuns).values({ campaignId: c.id, orgId: c.orgId, at: now }).returning();
  const counts = { sent: 0, skipped: 0, failed: 0 };
  const shared: RunContext = {
    template: due.length ? await templateInOrg(deps.db, c.orgId, c.templateId!) : null,
    clinics: new Map((await deps.db.select().from(clinics).where(eq(clinics.orgId, c.orgId))).map((k) => [k.id, k])),
  };
  for (const booking of due) {
    const outcome = await sendOne(deps, c, { ...shared, id: run.id }, booking, now);
    if (outcome.status === 'already_sent' || outcome.status === 'sent') {
      if (outcome.status === 'sent') counts.sent++;
      continue;
    }
    counts[outcome.status]++;
    await deps.db.insert(campaignSends).values({ runId: run.id, campaignId: c.id, targetKey: `booking:${booking.id}`, contactId: booking.contactId, status: outcome.status, reason: outcome.reason, at: now });
  }
  await deps.db.update(campaignRuns).set(counts).where(eq(campaignRuns.id, run.id));
  return runReport(deps, run.id);
}

export async function runReport(deps: Deps, runId: string) {
  const [run] = await deps.db.select().from(campaignRuns).where(eq(campaignRuns.id, runId));
  const sends = await deps.db.select().from(campaignSends).where(eq(campaignSends.runId, runId)).orderBy(campaignSends.at);
  return {
    id: run.id,
    campaignId: run.campaignId,
    at: run.at.toISOString(),
    sent: run.sent,
    skipped: run.skipped,
    failed: run.failed,
    items: sends.map((s) => ({ target: s.targetKey, contactId: s.contactId, status: s.status, reason: s.reason, messageId: s.messageId })),
  };
}

export async function runCampaignNow(deps: Deps, actor: Actor, id: string) {
  const c = await campaignInOrg(deps, actor.orgId, id);
  const report = (await runCampaign(deps, c, { record: 'always' }))!;
  await recordAudit(deps.db, { ...auditActor(actor), action: 'campaign.run', subject: { type: 'campaign', id }, details: { sent: report.sent, skipped: report.skipped, failed: report.failed } });
  return report;
}

export async function listRuns(deps: Deps, actor: Actor, id: string) {
  await campaignInOrg(deps, actor.orgId, id);
  const runs = await deps.db.select({ id: campaignRuns.id }).from(campaignRuns).where(eq(campaignRuns.campaignId, id)).orderBy(desc(campaignRuns.at)).limit(20);
  return Promise.all(runs.map((r) => runReport(deps, r.id)));
}

/** The scheduled task: every active campaign with a trigger, in every organization. */
export async function runDueCampaigns(deps: Deps): Promise<number> {
  const active = await deps.db.select().from(campaigns).where(and(eq(campaigns.active, true), isNotNull(campaigns.trigger), isNotNull(campaigns.templateId)));
  let sent = 0;
  for (const c of active) sent += (await runCampaign(deps, c, { record: 'when_due' }))?.sent ?? 0;
  return sent;
}

