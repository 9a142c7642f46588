import type { FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Nullable, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { importFields, importKinds, type ColumnMapping, type ImportKind } from './rules.js';
import { bundleProblem, fhirMapping, patientRow } from './fhir.js';
import { importContacts, importRows, type SourceRow } from './service.js';

/** An 80,000-patient export is about 10 MB; this leaves room for wide files without inviting abuse. */
const maxImportBytes = 100 * 1024 * 1024;
/** A Bundle is parsed whole: about 40,000 typical Patient resources. */
const maxBundleBytes = 50 * 1024 * 1024;

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

/** The import's body, for the API document only: the route reads the multipart stream itself, fields before the file. */
export const ImportUpload = Type.Object({
  mapping: Type.Optional(Type.String({ description: 'JSON: field → the CSV column it is read from; suggested from the headers when left out' })),
  kind: Type.Optional(Type.Union(importKinds.map((k) => Type.Literal(k)), { description: 'contacts (the default) or opt_outs' })),
  dryRun: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'true: check and report, change nothing' })),
  file: Type.String({ contentMediaType: 'text/csv', description: 'the CSV, last' }),
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

const Bundle = Type.Object(
  {
    resourceType: Type.String({ description: '"Bundle"' }),
    entry: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true, description: '{ resource: Patient }' }))),
  },
  { additionalProperties: true, description: 'a FHIR R4 Bundle (any type) whose entries are Patient resources' },
);

/** The Bundle's Patients as import rows: a header of the columns they are read into, then one row per entry. */
function* bundleRows(entries: unknown[]): Generator<SourceRow> {
  yield { line: 0, record: Object.keys(fhirMapping) };
  for (const [i, entry] of entries.entries()) yield { line: i + 1, ...patientRow(entry) };
}

export function importRoutes(app: App, deps: Deps): void {
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser('application/fhir+json', { parseAs: 'string', bodyLimit: maxBundleBytes }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(new AppError('invalid_input', 'the body is not JSON'), undefined);
      }
    });
    scope.post(
      '/api/v1/contacts/import/fhir',
      {
        bodyLimit: maxBundleBytes,
        config: { access: { role: 'admin' } },
        schema: {
          tags: ['contacts'],
          summary:
            "Import patients from a FHIR R4 Bundle of Patient resources (application/fhir+json or application/json), as the CSV import does: the name, a mobile phone, an email, the birth date and the medical record number (or first identifier) of each; ?dryRun=true checks without writing. A refused entry is reported by its position in the Bundle (line)",
          querystring: Type.Object({ dryRun: Type.Boolean({ default: false }) }),
          body: Bundle,
          response: responses({ 200: Report }, 413),
        },
      },
      async (request, reply) => {
        const problem = bundleProblem(request.body);
        if (problem) throw new AppError('invalid_input', problem);
        const entries = (request.body as { entry?: unknown[] }).entry ?? [];
        const report = await importRows(deps, actorOf(request), { kind: 'contacts', mapping: fhirMapping, dryRun: request.query.dryRun, source: 'fhir' }, bundleRows(entries));
        return reply.header('cache-control', 'no-store').send(report!);
      },
    );
  });


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
