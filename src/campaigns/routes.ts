import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { CampaignBody, CampaignChangesBody, CampaignChannel, CampaignTrigger } from './inputs.js';
import { createCampaign, listCampaigns, listRuns, runCampaignNow, updateCampaign } from './service.js';

const tags = ['campaigns'];
const admin = { access: { role: 'admin' as const } };
const Campaign = Type.Object({
  id: Type.String(),
  name: Type.String(),
  trigger: Nullable(CampaignTrigger),
  hoursBefore: Nullable(Type.Integer()),
  templateId: Nullable(Type.String()),
  channel: CampaignChannel,
  clinicId: Nullable(Type.String()),
  quietHours: Type.Object({ start: Type.String(), end: Type.String() }, { description: 'no non-urgent texts between start and end' }),
  urgent: Type.Boolean(),
  active: Type.Boolean(),
  createdAt: Timestamp,
});

const RunReport = Type.Object({
  id: Type.String(),
  campaignId: Type.String(),
  at: Timestamp,
  sent: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
  items: Type.Array(Type.Object({ target: Type.String(), contactId: Nullable(Type.String()), status: Type.String(), reason: Nullable(Type.String()), messageId: Nullable(Type.String()) })),
});

export function campaignRoutes(app: App, deps: Deps): void {
  app.get('/api/v1/campaigns', { config: admin, schema: { tags, summary: 'Automatic campaigns', response: responses({ 200: Type.Object({ items: Type.Array(Campaign) }) }) } }, async (request) => ({
    items: await listCampaigns(deps, actorOf(request)),
  }));

  app.post(
    '/api/v1/campaigns',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a campaign: appointment reminders (hoursBefore each booking) or form invites (once per new booking), from a template',
        body: CampaignBody,
        response: responses({ 201: Campaign }, 404),
      },
    },
    async (request, reply) => reply.code(201).send(await createCampaign(deps, actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/campaigns/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change a campaign (or pause it with active: false)',
        params: IdParams,
        body: CampaignChangesBody,
        response: responses({ 200: Campaign }, 404),
      },
    },
    async (request) => updateCampaign(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/campaigns/:id/run',
    { config: admin, schema: { tags, summary: 'Run a campaign now (it also runs every 5 minutes); answers with the run report', params: IdParams, response: responses({ 200: RunReport }, 404) } },
    async (request) => runCampaignNow(deps, actorOf(request), request.params.id),
  );

  app.get(
    '/api/v1/campaigns/:id/runs',
    { config: admin, schema: { tags, summary: 'The latest runs: sent, skipped and why, failed', params: IdParams, response: responses({ 200: Type.Object({ items: Type.Array(RunReport) }) }, 404) } },
    async (request) => ({ items: await listRuns(deps, actorOf(request), request.params.id) }),
  );
}
