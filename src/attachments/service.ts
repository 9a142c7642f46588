import { createHash } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor, type Origin } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { assertClinicAccess } from '../orgs/service.js';
import { conversations, messages } from '../conversations/schema.js';
import { allowedAttachmentType } from './rules.js';
import { attachments } from './schema.js';
import { IntegrityError } from '../encryption/cipher.js';
import { newRowId, openFor, sealFor } from '../encryption/columns.js';
import { checkLink, linkQuery, signLink, type LinkSignature } from './links.js';

type AttachmentRow = typeof attachments.$inferSelect;

/** The file's name, opened with its row. */
export const attachmentFilename = (a: Pick<AttachmentRow, 'id' | 'orgId' | 'filename'>): string => openFor(a, a.filename);

export const attachmentJson = (a: AttachmentRow) => ({
  id: a.id,
  filename: attachmentFilename(a),
  contentType: a.contentType,
  size: a.size,
  sha256: a.sha256,
  createdAt: a.createdAt.toISOString(),
});

/** M11: stores an upload after reading its type from its bytes; anything not on the list is refused. */
export async function storeAttachment(
  deps: Deps,
  owner: { orgId: string; userId: string | null },
  /** `inbound`: a patient's file from outside, where voice messages and videos are kept too. */
  file: { filename: string; bytes: Buffer; inbound?: boolean },
  db: DbOrTx = deps.db,
) {
  const detected = await fileTypeFromBuffer(file.bytes);
  const contentType = allowedAttachmentType(detected?.mime ?? null, file.bytes, file.inbound);
  if (!contentType) {
    throw new AppError('invalid_input', `${file.filename} is not an image, PDF or document we accept (its bytes say ${detected?.mime ?? 'unknown'})`);
  }
  const stored = await deps.storage.write(file.bytes);
  const id = newRowId();
  const filename = file.filename.replace(/[\\/\0]/g, '_').slice(0, 200) || 'attachment';
  const [row] = await db
    .insert(attachments)
    .values({
      id,
      orgId: owner.orgId,
      uploadedBy: owner.userId,
      filename: sealFor(attachments.filename, { id, orgId: owner.orgId }, filename),
      contentType,
      size: file.bytes.length,
      sha256: stored.sha256,
      storageKey: stored.key,
      createdAt: deps.clock.now(),
    })
    .returning();
  return row;
}

export async function uploadAttachment(deps: Deps, actor: Actor, file: { filename: string; bytes: Buffer }) {
  const row = await storeAttachment(deps, { orgId: actor.orgId, userId: actor.userId }, file);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'attachment.upload', subject: { type: 'attachment', id: row.id }, details: { size: row.size, contentType: row.contentType } });
  return attachmentJson(row);
}

/** Links uploaded files to the message that carries them; each file goes with one message only. */
export async function attachToMessage(tx: DbOrTx, orgId: string, messageId: string, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  const linked = await tx
    .update(attachments)
    .set({ messageId })
    .where(and(inArray(attachments.id, unique), eq(attachments.orgId, orgId), isNull(attachments.messageId)))
    .returning({ id: attachments.id });
  if (linked.length !== unique.length) throw new AppError('invalid_input', 'attachmentIds names a file that does not exist or is already attached to another message');
}

export async function attachmentsOf(db: DbOrTx, messageIds: string[]) {
  if (!messageIds.length) return new Map<string, ReturnType<typeof attachmentJson>[]>();
  const rows = await db.select().from(attachments).where(inArray(attachments.messageId, messageIds));
  const byMessage = new Map<string, ReturnType<typeof attachmentJson>[]>();
  for (const row of rows) byMessage.set(row.messageId!, [...(byMessage.get(row.messageId!) ?? []), attachmentJson(row)]);
  return byMessage;
}

/**
 * Integrity: a stored file's bytes, checked against the SHA-256 taken at upload. A file changed or
 * damaged on disk is never handed out: the download fails with attachment_corrupted and the
 * failure is audited, so someone restores it from backup.
 */
export async function readVerified(deps: Pick<Deps, 'db' | 'storage'>, attachment: { id: string; orgId: string; storageKey: string; sha256: string }): Promise<Buffer> {
  // A file altered on disk fails its encryption's authentication, or (written before encryption) its checksum.
  const bytes = await deps.storage.read(attachment.storageKey).catch((e: unknown) => {
    if (e instanceof IntegrityError) return null;
    throw e;
  });
  if (!bytes || createHash('sha256').update(bytes).digest('hex') !== attachment.sha256) {
    await recordAudit(deps.db, { orgId: attachment.orgId, actor: { kind: 'system' }, action: 'attachment.integrity_failure', subject: { type: 'attachment', id: attachment.id }, outcome: 'failure' });
    throw new AppError('attachment_corrupted', 'this file no longer matches the checksum it was stored with, so it is not served; an administrator can restore it from backup');
  }
  return bytes;
}

/** What a patient may download: a file on a message in one of their threads, found by the caller's condition. */
export async function attachmentForPatient(deps: Deps, id: string, where: { guestLinkId: string } | { contactId: string; channel: 'portal' }) {
  const [row] = await deps.db
    .select({ attachment: attachments, sensitive: messages.sensitive })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(attachments.id, id),
        eq(messages.hidden, false),
        'guestLinkId' in where ? eq(messages.guestLinkId, where.guestLinkId) : and(eq(conversations.contactId, where.contactId), eq(messages.channel, where.channel)),
      ),
    );
  if (!row) throw notFound('attachment');
  return { attachment: row.attachment, sensitive: row.sensitive, bytes: await readVerified(deps, row.attachment) };
}

/** The file, for a user of its organization who may see its thread (or its uploader before it is sent). */
export async function downloadAttachment(deps: Deps, actor: Actor, id: string) {
  const [row] = await deps.db
    .select({ attachment: attachments, clinicId: conversations.clinicId })
    .from(attachments)
    .leftJoin(messages, eq(messages.id, attachments.messageId))
    .leftJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(attachments.id, id), eq(attachments.orgId, actor.orgId)));
  if (!row) throw notFound('attachment');
  if (row.clinicId) assertClinicAccess(actor, row.clinicId);
  else if (row.attachment.uploadedBy !== actor.userId) throw notFound('attachment');
  const bytes = await readVerified(deps, row.attachment);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'attachment.download', subject: { type: 'attachment', id } });
  return { attachment: row.attachment, bytes };
}

/** `expires=…&signature=…` for one file in one scope, good for `hours` from now. */
export function signedQuery(deps: Pick<Deps, 'keys' | 'clock'>, scope: 'file' | 'guest', id: string, hours: number): string {
  return linkQuery(signLink(deps.keys, scope, id, new Date(deps.clock.now().getTime() + hours * 3_600_000)));
}

/** A link to one file that works without a session until it expires (ATTACHMENT_LINK_HOURS). */
export function signedFileUrl(deps: Pick<Deps, 'keys' | 'clock' | 'config'>, id: string): string {
  return `${deps.config.publicUrl}/api/v1/files/${id}?${signedQuery(deps, 'file', id, deps.config.attachmentLinkHours)}`;
}

/** Refuses a link that was altered (403) or is past its time (410). */
export function assertLink(deps: Pick<Deps, 'keys' | 'clock'>, scope: 'file' | 'guest', id: string, link: LinkSignature): void {
  const verdict = checkLink(deps.keys, scope, id, link, deps.clock.now());
  if (verdict === 'invalid') throw new AppError('invalid_link', 'this link is not valid: it was changed, or made under a key this server no longer has');
  if (verdict === 'expired') throw new AppError('link_expired', 'this link has expired: open the file again from where you found it for a fresh link');
}

/** The file behind a signed link: the signature is the permission, so the download is audited against the file's organization. */
export async function downloadBySignedLink(deps: Deps, id: string, link: LinkSignature, origin: Origin) {
  assertLink(deps, 'file', id, link);
  const [attachment] = await deps.db.select().from(attachments).where(eq(attachments.id, id));
  if (!attachment) throw notFound('attachment');
  const bytes = await readVerified(deps, attachment);
  await recordAudit(deps.db, { orgId: attachment.orgId, actor: { kind: 'system' }, origin, action: 'attachment.download', subject: { type: 'attachment', id }, details: { via: 'signed_link' } });
  return { attachment, bytes };
}
