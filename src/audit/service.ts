import { and, asc, desc, eq, gte, lt, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { IntegrityError } from '../encryption/cipher.js';
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
  const rows = entries.map((e) => ({
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
  }));
  if (rows.length > manyEntries) return recordMany(db, rows);
  await db.insert(auditLog).values(rows);
}

/** Past this many entries at once (an import's thousands), one statement of arrays instead of a VALUES list of 11 parameters a row. */
const manyEntries = 100;

async function recordMany(db: DbOrTx, rows: (typeof auditLog.$inferInsert)[]): Promise<void> {
  const column = <K extends keyof typeof auditLog.$inferInsert>(k: K, type: string) => sql`${sql.param(rows.map((r) => r[k] ?? null))}::${sql.raw(type)}[]`;
  await db.execute(sql`
    insert into ${auditLog} (org_id, actor_kind, actor_user_id, actor_token_id, action, subject_type, subject_id, ip, user_agent, details, outcome)
    select v.org_id, v.actor_kind::actor_kind, v.actor_user_id, v.actor_token_id, v.action, v.subject_type, v.subject_id, v.ip, v.user_agent, v.details::jsonb, v.outcome
    from unnest(
      ${column('orgId', 'uuid')}, ${column('actorKind', 'text')}, ${column('actorUserId', 'uuid')}, ${column('actorTokenId', 'uuid')}, ${column('action', 'text')},
      ${column('subjectType', 'text')}, ${column('subjectId', 'text')}, ${column('ip', 'text')}, ${column('userAgent', 'text')},
      ${sql.param(rows.map((r) => (r.details ? JSON.stringify(r.details) : null)))}::text[], ${column('outcome', 'text')}
    ) as v(org_id, actor_kind, actor_user_id, actor_token_id, action, subject_type, subject_id, ip, user_agent, details, outcome)`);
}

export interface AuditQuery {
  userId?: string;
  /** A subject, or a conversation whose messages' entries name it in their details. */
  subjectId?: string;
  /** A patient (contact): entries about them, their conversations and those conversations' messages. */
  patientId?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

function auditConditions(actor: Actor, q: AuditQuery) {
  const patientThreads = sql`(select c.id::text from conversations c where c.org_id = ${actor.orgId} and c.contact_id = ${q.patientId ?? null}::uuid)`;
  return and(
    eq(auditLog.orgId, actor.orgId),
    q.userId ? eq(auditLog.actorUserId, q.userId) : undefined,
    q.subjectId ? or(eq(auditLog.subjectId, q.subjectId), sql`${auditLog.details}->>'conversationId' = ${q.subjectId}`) : undefined,
    q.patientId
      ? or(
          eq(auditLog.subjectId, q.patientId),
          sql`${auditLog.details}->>'contactId' = ${q.patientId}`,
          sql`${auditLog.subjectId} in ${patientThreads}`,
          sql`${auditLog.details}->>'conversationId' in ${patientThreads}`,
        )
      : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.outcome ? eq(auditLog.outcome, q.outcome) : undefined,
    q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
    q.to ? lte(auditLog.at, new Date(q.to)) : undefined,
  );
}

/** The organization's audit log, newest first; the cursor is the last entry's id. */
export async function queryAudit(deps: Deps, actor: Actor, q: AuditQuery) {
  const limit = q.limit ?? 50;
  const before = q.cursor === undefined ? null : Number(q.cursor);
  if (before !== null && !Number.isSafeInteger(before)) throw new AppError('invalid_cursor', 'cursor is not one this API returned');
  const rows = await deps.db
    .select()
    .from(auditLog)
    .where(and(auditConditions(actor, q), before !== null ? lt(auditLog.id, before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((r) => ({ ...r, id: String(r.id), at: r.at.toISOString() }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
}

/** At most this many entries in one export; narrow the dates for more. */
export const auditExportLimit = 100_000;

const csvColumns = ['id', 'at', 'actor_kind', 'actor_user_id', 'actor_email', 'actor_token_id', 'action', 'outcome', 'subject_type', 'subject_id', 'ip', 'user_agent', 'details'] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** M13: the entries a query selects, oldest first, as CSV or JSON for an auditor; the export is itself audited. */
export async function exportAudit(deps: Deps, actor: Actor, q: AuditQuery, format: 'csv' | 'json'): Promise<{ body: string; count: number }> {
  const rows = await deps.db
    .select({ entry: auditLog, actorEmail: sql<string | null>`(select u.email from users u where u.id = ${auditLog.actorUserId})` })
    .from(auditLog)
    .where(auditConditions(actor, q))
    .orderBy(asc(auditLog.id))
    .limit(auditExportLimit);
  await recordAudit(deps.db, {
    ...auditActor(actor),
    action: 'audit.export',
    subject: { type: 'audit_log' },
    details: { format, entries: rows.length, filters: { ...q, limit: undefined, cursor: undefined } },
  });
  const entries = rows.map(({ entry, actorEmail }) => ({ ...entry, id: String(entry.id), at: entry.at.toISOString(), actorEmail }));
  if (format === 'json') return { body: JSON.stringify({ entries }), count: entries.length };
  const lines = entries.map((e) =>
    [e.id, e.at, e.actorKind, e.actorUserId, e.actorEmail, e.actorTokenId, e.action, e.outcome, e.subjectType, e.subjectId, e.ip, e.userAgent, e.details].map(csvField).join(','),
  );
  return { body: [csvColumns.join(','), ...lines].join('\r\n') + '\r\n', count: entries.length };
}

/** Who did it, as an audit entry names them: a person, or the integration token acting for them; and from where. */
export function auditActor(actor: Actor) {
  return {
    orgId: actor.orgId,
    actor:
      actor.via.kind === 'api_token'
        ? ({ kind: 'api_token', userId: actor.userId, tokenId: actor.via.tokenId } as const)
        : ({ kind: 'user', userId: actor.userId } as const),
    origin: { ip: actor.ip, userAgent: actor.userAgent },
  };
}

/** Who read something, for the audit log: staff and tokens (auditActor), a patient in the portal or through their link. */
export type Reader = Pick<AuditEntry, 'orgId' | 'actor' | 'origin'>;

/** Issue 15: a stored value failed its integrity check while `reader` read it — refused, and audited under their organization. */
export async function recordIntegrityFailure(db: DbOrTx, reader: Reader, route: string | null, error: Error): Promise<void> {
  const contactId = reader.actor.kind === 'patient' ? reader.actor.contactId : undefined;
  // A value bound to its row names the row it was refused in (a ciphertext moved there, or altered).
  const row = error instanceof IntegrityError ? error.row : undefined;
  await recordAudit(db, {
    ...reader,
    action: 'encryption.integrity_failure',
    outcome: 'denied',
    subject: row ? { type: row.table, id: row.rowId } : { type: 'route', id: null },
    details: { route, problem: error.message, ...(row ? { column: `${row.table}.${row.column}` } : {}), ...(contactId ? { contactId } : {}) },
  });
}

/** Runs a read on behalf of `reader`, so an integrity failure in it is audited as theirs wherever it is caught. */
export async function readingAs<T>(reader: Reader, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof IntegrityError) e.reader ??= reader;
    throw e;
  }
}
