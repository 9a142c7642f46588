import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { exportContacts, exportConversations } from './service.js';

const download = { type: 'string', format: 'binary' } as never;

export function exportRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/exports/contacts',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['contacts'],
        summary: "Every contact of the organization as CSV, in the columns POST /api/v1/contacts/import reads back (admins; audited)",
        produces: ['text/csv'],
        response: responses({ 200: download }),
      },
    },
    async (request, reply) => {
      const lines = await exportContacts(deps, actorOf(request));
      const day = deps.clock.now().toISOString().slice(0, 10);
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="contacts-${day}.csv"`)
        .header('Cache-Control', 'no-store')
        .send(Readable.from(lines));
    },
  );

  app.get(
    '/api/v1/exports/conversations',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['contacts'],
        summary: "Every conversation of the organization, hidden and retracted messages included: JSON by patient, or one FHIR R4 collection Bundle of Patients and Communications (admins; audited)",
        querystring: Type.Object({ format: Type.Union([Type.Literal('json'), Type.Literal('fhir')], { default: 'json' }) }),
        produces: ['application/json', 'application/fhir+json'],
        response: responses({ 200: download }),
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      const chunks = await exportConversations(deps, actorOf(request), format);
      const day = deps.clock.now().toISOString().slice(0, 10);
      return reply
        .header('Content-Type', format === 'fhir' ? 'application/fhir+json; charset=utf-8' : 'application/json; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="conversations-${day}.${format === 'fhir' ? 'fhir.json' : 'json'}"`)
        .header('Cache-Control', 'no-store')
        .send(Readable.from(chunks));
    },
  );
}
