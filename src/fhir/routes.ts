import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { IdParams, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { capabilityStatement, operationOutcome, searchBundle, searchedPatient } from './rules.js';
import { communicationById, communicationsOfPatient, organizationById, patientById, patientRecord, practitionerById } from './service.js';

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

  // Under /fhir/ every answer is FHIR JSON, errors included: the problem documents the app's error
  // and not-found handlers write become OperationOutcomes.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/fhir/') || typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')) return payload;
    const problem = JSON.parse(payload) as { status: number; code: string; detail: string };
    void fhirJson(reply);
    return JSON.stringify(operationOutcome(problem.status, problem.code, problem.detail));
  });
  void app.register(fhirApi(deps), { prefix: '/fhir/R4' });
}

const Search = Type.Object(
  {
    subject: Type.Optional(Type.String({ maxLength: 80, description: 'Patient/{contactId}' })),
    patient: Type.Optional(Type.String({ maxLength: 80, description: '{contactId} or Patient/{contactId}' })),
    _count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  // A parameter the server does not support is refused, not ignored: a client must not take an unfiltered answer for a filtered one.
  { additionalProperties: false },
);

/** The FHIR R4 API under /fhir/R4: the CapabilityStatement, the search and the reads. */
function fhirApi(deps: Deps) {
  return async (fhir: App) => {
    fhir.get(
      '/metadata',
      { config: { access: { public: true } }, schema: { tags, summary: 'The CapabilityStatement: the resources, interactions and search parameters this server supports', response: { 200: Resource } } },
      async (_request, reply) => fhirJson(reply).send(capabilityStatement(deps.config.publicUrl, deps.clock.now())),
    );

    fhir.get(
      '/Communication',
      {
        config: { access },
        schema: {
          tags,
          summary: "A patient's conversations as FHIR R4 Communication resources (thread headers, and messages and calls partOf them), in a searchset Bundle with paging links",
          querystring: Search,
          response: responses({ 200: Resource }, 404),
        },
      },
      async (request, reply) => {
        const { _count = 50, _offset = 0, ...criteria } = request.query;
        const contactId = searchedPatient(criteria);
        if (!contactId) throw new AppError('invalid_input', 'search by subject=Patient/{id} or patient={id}, one of the two');
        const resources = await communicationsOfPatient(deps, actorOf(request), contactId);
        const search = new URLSearchParams(Object.entries(criteria).filter((e): e is [string, string] => e[1] !== undefined));
        return fhirJson(reply).send(searchBundle(resources, deps.config.publicUrl, search, { count: _count, offset: _offset }));
      },
    );

    const read = (type: string, summary: string, load: (actor: ReturnType<typeof actorOf>, id: string) => Promise<unknown>) =>
      fhir.get(`/${type}/:id`, { config: { access }, schema: { tags, summary, params: IdParams, response: responses({ 200: Resource }, 404) } }, async (request, reply) =>
        fhirJson(reply).send(await load(actorOf(request), request.params.id)),
      );
    read('Communication', 'One Communication: a conversation (thread header) or a message or call', (actor, id) => communicationById(deps, actor, id));
    read('Patient', 'The patient a Communication is about (a contact of the organization)', (actor, id) => patientById(deps, actor, id));
    read('Practitioner', 'The team member who sent a message', (actor, id) => practitionerById(deps, actor, id));
    read('Organization', 'A clinic, as the recipient or sender of a Communication', (actor, id) => organizationById(deps, actor, id));
  };
}
