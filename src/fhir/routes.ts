import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { IdParams, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { searchBundle } from './rules.js';
import { communicationById, communicationsOfPatient, patientRecord } from './service.js';

const tags = ['FHIR R4'];
const access = { privileges: ['send_messages' as const, 'contacts' as const] };
const Resource = Type.Object({ resourceType: Type.String() }, { additionalProperties: true, description: 'a FHIR R4 resource (application/fhir+json)' });

const fhirJson = (reply: FastifyReply) => reply.type('application/fhir+json; charset=utf-8');

export function fhirRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/contacts/:id/record',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['contacts'],
        summary: "A patient's complete communication record for their right of access: every conversation in every clinic and channel, as JSON or a FHIR R4 collection Bundle (admins; audited)",
        params: IdParams,
        querystring: Type.Object({ format: Type.Union([Type.Literal('json'), Type.Literal('fhir')], { default: 'json' }) }),
        response: responses({ 200: Type.Object({}, { additionalProperties: true, description: 'the record: { exportedAt, patient, conversations[] } or a FHIR Bundle' }) }, 404),
      },
    },
    async (request, reply) => {
      const record = await patientRecord(deps, actorOf(request), request.params.id, request.query.format);
      const day = deps.clock.now().toISOString().slice(0, 10);
      reply.header('Content-Disposition', `attachment; filename="patient-record-${day}.${request.query.format === 'fhir' ? 'fhir.json' : 'json'}"`).header('Cache-Control', 'no-store');
      return request.query.format === 'fhir' ? fhirJson(reply).send(record) : record;
    },
  );

  app.get(
    '/fhir/R4/Communication',
    {
      config: { access },
      schema: {
        tags,
        summary: "A patient's conversations as FHIR R4 Communication resources (thread headers, and messages and calls partOf them), in a searchset Bundle",
        querystring: Type.Object({ subject: Type.String({ pattern: '^Patient/[0-9a-fA-F-]{36}$', description: 'Patient/{contactId}' }) }),
        response: responses({ 200: Resource }, 404),
      },
    },
    async (request, reply) => {
      const contactId = request.query.subject.slice('Patient/'.length);
      if (!/^[0-9a-f-]{36}$/i.test(contactId)) throw new AppError('invalid_input', 'subject must be Patient/{contactId}');
      const resources = await communicationsOfPatient(deps, actorOf(request), contactId);
      return fhirJson(reply).send(searchBundle(resources, deps.config.publicUrl, `${deps.config.publicUrl}/fhir/R4/Communication?subject=Patient/${contactId}`));
    },
  );

  app.get(
    '/fhir/R4/Communication/:id',
    {
      config: { access },
      schema: { tags, summary: 'One Communication: a conversation (thread header) or a message or call', params: IdParams, response: responses({ 200: Resource }, 404) },
    },
    async (request, reply) => fhirJson(reply).send(await communicationById(deps, actorOf(request), request.params.id)),
  );
}
