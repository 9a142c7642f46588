import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Nullable, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { importFields, importKinds, type ColumnMapping, type ImportKind } from './rules.js';
import { importContacts } from './service.js';

/** An 80,000-patient export is about 10 MB; this leaves room for wide files without inviting abuse. */
const maxImportBytes = 100 * 1024 * 1024;

const Mapping = Type.Object(Object.fromEntries(importFields.map((f) => [f, Type.Optional(Type.String())])), { additionalProperties: false });

const Report = Type.Object({
  dryRun: Type.Boolean(),
  importId: Nullable(Type.String({ description: 'the import, when it was not a dry run' })),
  kind: Type.Union(importKinds.map((k) => Type.Literal(k))),
  columns: Type.Array(Type.String(), { description: "the file's header row" }),
  mapping: Mapping,
  mappingProblem: Nullable(Type.String({ description: 'why the mapping cannot be imported (dry run only; an import answers 400)' })),
  sample: Type.Array(Type.Array(Type.String()), { description: 'the first rows, as in the file' }),
  totals: Type.Object({
    rows: Type.Integer(),
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    refused: Type.Integer(),
    optedOut: Type.Integer({ description: 'contacts given an opt-out they did not have' }),
  }),
  refused: Type.Array(Type.Object({ line: Type.Integer(), reasons: Type.Array(Type.String()) }), { description: 'the first 1,000 refused rows and why' }),
});

function readMapping(value: string): ColumnMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new AppError('invalid_input', 'mapping: not JSON; send {"name": "<column>", "phone": "<column>", …}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AppError('invalid_input', 'mapping: must be an object of field → column');
  const mapping: ColumnMapping = {};
  for (const [field, header] of Object.entries(parsed)) {
    if (!(importFields as readonly string[]).includes(field)) throw new AppError('invalid_input', `mapping: "${field}" is not a field; fields are ${importFields.join(', ')}`);
    if (header === null || header === '') continue;
    if (typeof header !== 'string') throw new AppError('invalid_input', `mapping: ${field} must name a column`);
    mapping[field as keyof ColumnMapping] = header;
  }
  return mapping;
}

/** The form's fields come before the file (a streamed part): mapping, kind and dryRun are read first. */
async function readUpload(request: FastifyRequest) {
  if (!request.isMultipart()) throw new AppError('invalid_input', 'send the CSV as multipart/form-data in a field named "file" (after the mapping, kind and dryRun fields)');
  const fields: Record<string, string> = {};
  for await (const part of request.parts({ limits: { fileSize: maxImportBytes, files: 1, fields: 5, fieldSize: 10_000 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw new AppError('invalid_input', `the file goes in a field named "file", not "${part.fieldname}"`);
      return { fields, file: part };
    }
    fields[part.fieldname] = String(part.value);
  }
  throw new AppError('invalid_input', 'no file in the upload; send it in a field named "file"');
}

function readKind(value: string | undefined): ImportKind {
  if (value === undefined || value === '') return 'contacts';
  if (!(importKinds as readonly string[]).includes(value)) throw new AppError('invalid_input', `kind: must be ${importKinds.join(' or ')}`);
  return value as ImportKind;
}

function readDryRun(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new AppError('invalid_input', 'dryRun: must be true or false');
}

export function importRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/contacts/import',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['contacts'],
        summary:
          'Import patients (kind=contacts) or opted-out numbers (kind=opt_outs) from a CSV: multipart fields mapping (JSON, field → column; suggested from the headers when left out), kind, dryRun, then file. Rows match existing contacts by external id, phone or email; the same file twice changes nothing; opt-outs are only ever added',
        consumes: ['multipart/form-data'],
        response: responses({ 200: Report }, 413),
      },
    },
    async (request, reply) => {
      const { fields, file } = await readUpload(request);
      const report = await importContacts(deps, actorOf(request), {
        file: file.file,
        kind: readKind(fields.kind),
        mapping: fields.mapping ? readMapping(fields.mapping) : undefined,
        dryRun: readDryRun(fields.dryRun),
      });
      return reply.header('cache-control', 'no-store').send(report);
    },
  );
}
