import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { placeholders } from './rules.js';
import { languages } from '../i18n/index.js';
import { LanguageSchema } from '../orgs/routes.js';
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from './service.js';

const Translations = Type.Object(Object.fromEntries(languages.map((l) => [l, Type.Optional(Type.String({ maxLength: 5000 }))])), {
  additionalProperties: false,
  description: 'the template in other languages, by language code; a recipient whose preferred language is here gets that version, others get body (an empty one is dropped)',
});
const Language = { ...LanguageSchema, description: 'the language body is written in' };
const Template = Type.Object({ id: Type.String(), name: Type.String(), body: Type.String(), language: Language, translations: Translations, createdAt: Timestamp });

export function templateRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/templates',
    {
      config: { access: { privileges: ['send_messages'] } },
      schema: { tags: ['templates'], summary: 'Message templates, and the placeholders they may use', response: responses({ 200: Type.Object({ items: Type.Array(Template), placeholders: Type.Array(Type.String()) }) }) },
    },
    async (request) => ({ items: await listTemplates(deps, actorOf(request)), placeholders: [...placeholders] }),
  );

  app.post(
    '/api/v1/templates',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['templates'],
        summary: 'Create a template; {{patient.firstName}}-style placeholders are filled in per recipient (an unknown one is 400)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), body: Type.String({ minLength: 1, maxLength: 5000 }), language: Type.Optional(Language), translations: Type.Optional(Translations) }),
        response: responses({ 201: Template }, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await createTemplate(deps, actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/templates/:id',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['templates'],
        summary: 'Change a template (placeholders checked again)',
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), body: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })), language: Type.Optional(Language), translations: Type.Optional(Translations) },
          { minProperties: 1 },
        ),
        response: responses({ 200: Template }, 404, 409),
      },
    },
    async (request) => updateTemplate(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/templates/:id',
    { config: { access: { role: 'admin' } }, schema: { tags: ['templates'], summary: 'Delete a template', params: IdParams, response: responses({ 204: Type.Null() }, 404, 409) } },
    async (request, reply) => {
      await deleteTemplate(deps, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
