import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { notifyLevels } from './rules.js';
import { getOrgSettings, getPreferences, updateOrgSettings, updatePreferences } from './service.js';

const Minute = Type.Integer({ minimum: 0, maximum: 1439, description: 'minutes after midnight' });
const Preferences = Type.Object({
  level: Type.Union(notifyLevels.map((l) => Type.Literal(l)), { description: 'all: every new patient message; mine: assigned to me or to no one; none' }),
  sound: Type.Boolean(),
  quietHours: Type.Union([Type.Object({ start: Minute, end: Minute, timeZone: Type.String({ minLength: 1, maxLength: 64 }) }), Type.Null()]),
});
const OrgSettings = Type.Object({ showFirstName: Type.Boolean({ description: "notifications may name the patient's first name" }) });

export function notificationRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/me/notifications',
    { schema: { tags: ['notifications'], summary: 'My notification preferences (the defaults until I save mine)', response: responses({ 200: Preferences }) } },
    async (request) => getPreferences(deps, actorOf(request)),
  );

  app.put(
    '/api/v1/me/notifications',
    { schema: { tags: ['notifications'], summary: 'Save my notification preferences (audited)', body: Preferences, response: responses({ 200: Preferences }) } },
    async (request) => updatePreferences(deps, actorOf(request), request.body),
  );

  app.get(
    '/api/v1/notification-settings',
    { config: { access: { role: 'admin' } }, schema: { tags: ['notifications'], summary: "What the organization's notifications may say", response: responses({ 200: OrgSettings }) } },
    async (request) => getOrgSettings(deps, actorOf(request)),
  );

  app.put(
    '/api/v1/notification-settings',
    { config: { access: { role: 'admin' } }, schema: { tags: ['notifications'], summary: "Allow or forbid the patient's first name in notifications (audited)", body: OrgSettings, response: responses({ 200: OrgSettings }) } },
    async (request) => updateOrgSettings(deps, actorOf(request), request.body),
  );
}
