import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { plans } from '../orgs/rules.js';
import { features } from './rules.js';
import { getPlan, listCharges, setPlan, type PlanLimits } from './service.js';

const PlanName = Type.Union(plans.map((p) => Type.Literal(p)));
const PlanSummary = {
  plan: PlanName,
  name: Type.String(),
  monthlyPriceCents: Type.Integer(),
  features: Type.Array(Type.Union(features.map((f) => Type.Literal(f)))),
  limits: Type.Object({ guestConversationsPerMonth: Nullable(Type.Integer({ description: 'new web conversations a month; null is unlimited' })) }),
};
const PlanInfo = Type.Object({
  ...PlanSummary,
  usage: Type.Object({
    guestConversationsThisMonth: Type.Integer(),
    heldConversations: Type.Integer({ description: 'guest conversations over the limit, kept and shown once the plan allows' }),
    periodStart: Timestamp,
  }),
  available: Type.Array(Type.Object(PlanSummary), { description: 'every plan, cheapest first' }),
});

/** `limits`: what the modules above billing count against the plan (server.ts passes the guest allowance). */
export function billingRoutes(app: App, deps: Deps, limits: PlanLimits): void {
  app.get('/api/v1/plan', { schema: { tags: ['billing'], summary: "The organization's plan, what it includes, and this month's usage", response: responses({ 200: PlanInfo }) } }, async (request) =>
    getPlan(deps, limits, actorOf(request)),
  );

  app.put(
    '/api/v1/plan',
    {
      config: { access: { role: 'main_admin' } },
      schema: { tags: ['billing'], summary: 'Change the plan (main admin; where a billing system plugs in)', body: Type.Object({ plan: PlanName }), response: responses({ 200: PlanInfo }) },
    },
    async (request) => setPlan(deps, limits, actorOf(request), request.body.plan),
  );

  app.get(
    '/api/v1/billing/charges',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['billing'],
        summary: "The organization's recurring and one-off charges",
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                description: Type.String(),
                amountCents: Type.Integer(),
                interval: Type.Union([Type.Literal('month'), Type.Literal('once')]),
                active: Type.Boolean(),
                startedAt: Timestamp,
                endedAt: Nullable(Timestamp),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => ({ items: await listCharges(deps, actorOf(request)) }),
  );
}
