import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Nullable, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { responseTimeReport } from './service.js';

const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM' });
const Group = Type.Array(Type.Object({ id: Type.String(), name: Type.String(), conversations: Type.Integer(), medianSeconds: Nullable(Type.Integer()) }));

export function reportRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/reports/response-times',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['reports'],
        summary: 'Median time to the first answer (B2) — overall, by clinic, by first channel and by the team member who answered',
        querystring: Type.Object({ from: Type.Optional(Month), to: Type.Optional(Month) }),
        response: responses({
          200: Type.Object({
            from: Month,
            to: Month,
            overall: Type.Object({ conversations: Type.Integer(), medianSeconds: Nullable(Type.Integer()) }),
            byClinic: Group,
            byChannel: Group,
            byStaff: Group,
          }),
        }),
      },
    },
    async (request) => responseTimeReport(deps, actorOf(request), request.query),
  );
}
