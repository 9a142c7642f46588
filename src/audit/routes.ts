import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Id, Nullable, Page, pageOf, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { queryAudit } from './service.js';

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

export function auditRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/audit',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first: who did what, when, from where',
        querystring: Type.Intersect([
          Page,
          Type.Object({
            userId: Type.Optional(Id),
            subjectId: Type.Optional(Type.String({ maxLength: 100 })),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Timestamp),
            to: Type.Optional(Timestamp),
          }),
        ]),
        response: responses({ 200: pageOf(Entry) }),
      },
    },
    async (request) => queryAudit(deps, actorOf(request), request.query),
  );
}
