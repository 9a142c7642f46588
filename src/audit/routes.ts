import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Id, Nullable, Page, pageOf, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { auditExportLimit, exportAudit, queryAudit } from './service.js';

const Entry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actorKind: Type.String(),
  actorUserId: Nullable(Type.String()),
  actorTokenId: Nullable(Type.String()),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
});

const Filters = Type.Object({
  userId: Type.Optional(Id),
  subjectId: Type.Optional(Type.String({ maxLength: 100 })),
  patientId: Type.Optional(Type.String({ format: 'uuid', description: 'a contact: entries about them, their conversations and messages' })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
});

export function auditRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/audit/export',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['audit'],
        summary: `Export the audit log (CSV or JSON, oldest first, at most ${auditExportLimit.toLocaleString('en')} entries) by user, patient, action, outcome and dates; the export is audited`,
        querystring: Type.Intersect([Filters, Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }) })]),
        produces: ['text/csv', 'application/json'],
        response: responses({ 200: Type.String({ description: 'the CSV file, or a JSON document { entries: [...] }' }) }),
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      const out = await exportAudit(deps, actorOf(request), filters, format);
      const day = deps.clock.now().toISOString().slice(0, 10);
      return reply
        .header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="audit-${day}.${format}"`)
        .header('Cache-Control', 'no-store')
        .send(out.body);
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first: who did what, when, from where',
        querystring: Type.Intersect([Page, Filters]),
        response: responses({ 200: pageOf(Entry) }),
      },
    },
    async (request) => queryAudit(deps, actorOf(request), request.query),
  );
}
