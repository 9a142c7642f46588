import { and, desc, eq, gte, lt, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { auditLog, type AuditOutcome } from './schema.js';

/** Where a request came from, as the audit log keeps it. */
export interface Origin {
  ip: string;
  userAgent: string | null;
}

export interface AuditEntry {
  orgId: string;
  actor:
    | { kind: 'user'; userId: string }
    | { kind: 'api_token'; userId: string; tokenId: string }
    | { kind: 'patient'; contactId?: string }
    | { kind: 'system' };
  origin?: Origin;
  /** A dotted verb: `conversation.view`, `message.send`, `conversation.assign`… */
  action: string;
  subject: { type: string; id?: string | null };
  /** Identifiers and changed settings only: never message text or other health information. */
  details?: Record<string, unknown>;
  /** Success unless said otherwise: a refused attempt is recorded too. */
  outcome?: AuditOutcome;
}

/** M13: write one entry, inside the caller's transaction when it has one, so the entry and the change land together. */
export async function recordAudit(db: DbOrTx, entry: AuditEntry | AuditEntry[]): Promise<void> {
  const entries = Array.isArray(entry) ? entry : [entry];
  if (!entries.length) return;
  await db.insert(auditLog).values(
    entries.map((e) => ({
      orgId: e.orgId,
      actorKind: e.actor.kind,
      actorUserId: 'userId' in e.actor ? e.actor.userId : null,
      actorTokenId: e.actor.kind === 'api_token' ? e.actor.tokenId : null,
      action: e.action,
      subjectType: e.subject.type,
      subjectId: e.subject.id ?? null,
      ip: e.origin?.ip ?? null,
      userAgent: e.origin?.userAgent ?? null,
      details: e.details ?? null,
      outcome: e.outcome ?? 'success',
    })),
  );
}

export interface AuditQuery {
  userId?: string;
  /** A subject, or a conversation whose messages' entries name it in their details. */
  subjectId?: string;
  action?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** The organization's audit log, newest first; the cursor is the last entry's id. */
export async function queryAudit(deps: Deps, actor: Actor, q: AuditQuery) {
  const limit = q.limit ?? 50;
  const before = q.cursor === undefined ? null : Number(q.cursor);
  if (before !== null && !Number.isSafeInteger(before)) throw new AppError('invalid_cursor', 'cursor is not one this API returned');
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
        before !== null ? lt(auditLog.id, before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((r) => ({ ...r, id: String(r.id), at: r.at.toISOString() }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
}
