import { and, desc, eq, gte, lt, lte, or, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Id, Nullable, Page, pageOf, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { auditLog } from './schema.js';

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
    async (request) => {
      const actor = actorOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const before = q.cursor ? Number(q.cursor) : null;
      if (q.cursor && !Number.isSafeInteger(before)) throw new AppError('invalid_cursor', 'cursor is not one this API returned');
      const rows = await deps.db
        .select()
        .from(auditLog)
        .where(
          and(
            eq(auditLog.orgId, actor.orgId),
            q.userId ? eq(auditLog.actorUserId, q.userId) : undefined,
            q.subjectId ? or(eq(auditLog.subjectId, q.subjectId), sql`${auditLog.details}->>'conversationId' = ${q.subjectId}`) : undefined,
            q.action ? eq(auditLog.action, q.action) : undefined,
            q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
            q.to ? lte(auditLog.at, new Date(q.to)) : undefined,
            before ? lt(auditLog.id, before) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(limit + 1);
      const items = rows.slice(0, limit).map((r) => ({ ...r, id: String(r.id), at: r.at.toISOString() }));
      return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
    },
  );
}
