import type { FastifyReply } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { IdParams, responses, Timestamp } from '../http/schemas.js';
import { actorOf, clientOrigin, type App } from '../http/types.js';
import { maxAttachmentBytes } from './rules.js';
import { attachmentFilename, downloadAttachment, downloadBySignedLink, uploadAttachment } from './service.js';

/** The query of a signed link (links.ts): when it stops working, and the HMAC that proves it was handed out. */
export const SignedLinkQuery = Type.Object({
  expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'unix seconds' }),
  signature: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }),
});

export const Attachment = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String({ description: 'detected from the bytes' }),
  size: Type.Integer(),
  sha256: Type.String(),
  createdAt: Timestamp,
});

/** The upload's body, for the API document only: the route reads the multipart stream itself. */
export const AttachmentUpload = Type.Object({
  file: Type.String({ contentMediaType: 'application/octet-stream', description: 'the file: an image, PDF or document, at most 25 MB; its type is detected from the bytes' }),
});

export async function attachmentRoutes(app: App, deps: Deps): Promise<void> {
  await app.register(fastifyMultipart, { limits: { fileSize: maxAttachmentBytes, files: 1, fields: 5, parts: 6 }, throwFileSizeLimit: true });

  app.post(
    '/api/v1/attachments',
    {
      config: { access: { privileges: ['send_messages'] } },
      schema: {
        tags: ['attachments'],
        summary: 'Upload a file (multipart/form-data, field "file", at most 25 MB): images, PDF, documents',
        consumes: ['multipart/form-data'],
        response: responses({ 201: Attachment }, 413),
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('invalid_input', 'send the file as multipart/form-data in a field named "file"');
      const file = await request.file();
      if (!file) throw new AppError('invalid_input', 'no file in the upload; send it in a field named "file"');
      const bytes = await file.toBuffer();
      if (!bytes.length) throw new AppError('invalid_input', 'the file is empty');
      return reply.code(201).send(await uploadAttachment(deps, actorOf(request), { filename: file.filename, bytes }));
    },
  );

  app.get(
    '/api/v1/attachments/:id',
    {
      config: { access: { privileges: ['send_messages'] } },
      schema: { tags: ['attachments'], summary: 'Download a file of your organization', params: IdParams, response: responses({ 200: { type: 'string', format: 'binary' } as never }, 404) },
    },
    async (request, reply) => {
      const { attachment, bytes } = await downloadAttachment(deps, actorOf(request), request.params.id);
      return sendStoredFile(reply, attachment, bytes);
    },
  );

  app.get(
    '/api/v1/files/:id',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['attachments'],
        summary: 'A file through a signed, expiring link (from a record export or a FHIR Communication): no session needed until it expires',
        security: [],
        params: IdParams,
        querystring: SignedLinkQuery,
        response: responses({ 200: { type: 'string', format: 'binary' } as never }, 403, 404, 410),
      },
    },
    async (request, reply) => {
      const { attachment, bytes } = await downloadBySignedLink(deps, request.params.id, request.query, clientOrigin(request));
      return sendStoredFile(reply, attachment, bytes);
    },
  );
}

/** A stored file as a download: images and PDFs shown in place, everything else saved; never sniffed, never cached. */
export function sendStoredFile(reply: FastifyReply, attachment: Parameters<typeof attachmentFilename>[0] & { contentType: string }, bytes: Buffer): FastifyReply {
  const inline = attachment.contentType.startsWith('image/') || attachment.contentType === 'application/pdf';
  return reply
    .type(attachment.contentType)
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(attachmentFilename(attachment))}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(bytes);
}
