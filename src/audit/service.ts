import type { DbOrTx } from '../db/client.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  orgId: string;
  actor:
    | { kind: 'user'; userId: string }
    | { kind: 'api_token'; userId: string; tokenId: string }
    | { kind: 'patient'; contactId?: string }
    | { kind: 'system' };
  origin?: { ip: string; userAgent: string | null };
  /** A dotted verb: `conversation.view`, `message.send`, `conversation.assign`… */
  action: string;
  subject: { type: string; id?: string | null };
  /** Identifiers and changed settings only: never message text or other health information. */
  details?: Record<string, unknown>;
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
    })),
  );
}
