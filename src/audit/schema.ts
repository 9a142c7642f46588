import { bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export const actorKindEnum = pgEnum('actor_kind', ['user', 'api_token', 'patient', 'system']);

/**
 * M13: who did what, when, from where. Append-only: a trigger (migration 0001) refuses UPDATE and
 * DELETE, so the product cannot edit history. No foreign keys, so entries outlive what they name.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id').notNull(),
    actorKind: actorKindEnum('actor_kind').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorTokenId: uuid('actor_token_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    /** success, failure (wrong password, bad code) or denied (locked out, not allowed). */
    outcome: text('outcome').$type<AuditOutcome>().notNull().default('success'),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('audit_org_at_idx').on(t.orgId, t.at.desc()), index('audit_subject_idx').on(t.orgId, t.subjectId)],
);
