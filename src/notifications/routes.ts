import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { notifyLevels } from './rules.js';
import { getOrgSettings, getPreferences, updateOrgSettings, updatePreferences } from './service.js';
import { subscribe, unsubscribe, vapidKeys } from './push.js';
import { getReminderSetting, setReminderSetting } from './reminders.js';
import { IdParams } from '../http/schemas.js';

const Minute = Type.Integer({ minimum: 0, maximum: 1439, description: 'minutes after midnight' });
const Preferences = Type.Object({
  level: Type.Union(notifyLevels.map((l) => Type.Literal(l)), { description: 'all: every new patient message; mine: assigned to me or to no one; none' }),
  sound: Type.Boolean(),
  quietHours: Type.Union([Type.Object({ start: Minute, end: Minute, timeZone: Type.String({ minLength: 1, maxLength: 64 }) }), Type.Null()]),
  emailReminders: Type.Boolean({ description: "an email when a patient waited longer than the clinic's limit" }),
});
const ReminderSetting = Type.Object({ waitMinutes: Type.Union([Type.Integer({ minimum: 5, maximum: 10_080 }), Type.Null()], { description: 'minutes of opening hours a patient may wait before the team is emailed; null is off' }) });
const Base64Url = (max: number) => Type.String({ minLength: 16, maxLength: max, pattern: '^[A-Za-z0-9_-]+=*$' });
/** A PushSubscription as the browser's toJSON() gives it. */
const Subscription = Type.Object({
  endpoint: Type.String({ format: 'uri', maxLength: 2048, pattern: '^https://' }),
  expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  keys: Type.Object({ p256dh: Base64Url(200), auth: Base64Url(64) }),
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

  app.get(
    '/api/v1/push/key',
    { config: { access: { privileges: ['send_messages'] } }, schema: { tags: ['notifications'], summary: "The server's VAPID public key, for PushManager.subscribe", response: responses({ 200: Type.Object({ publicKey: Type.String() }) }) } },
    async () => ({ publicKey: (await vapidKeys(deps.db)).publicKey }),
  );

  app.post(
    '/api/v1/push/subscriptions',
    {
      config: { access: { privileges: ['send_messages'] } },
      schema: { tags: ['notifications'], summary: 'Receive Web Push on this device while Frontdesk is closed (audited)', body: Subscription, response: responses({ 201: Type.Object({ id: Type.String() }) }) },
    },
    async (request, reply) => reply.code(201).send(await subscribe(deps, actorOf(request), request.body)),
  );

  app.delete(
    '/api/v1/push/subscriptions/:id',
    { schema: { tags: ['notifications'], summary: 'Stop Web Push to one of my devices (audited)', params: IdParams, response: responses({ 204: Type.Null() }, 404) } },
    async (request, reply) => {
      await unsubscribe(deps, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/clinics/:id/reminder',
    { config: { access: { role: 'admin' } }, schema: { tags: ['notifications'], summary: "The clinic's limit for a patient's wait before the team is emailed", params: IdParams, response: responses({ 200: ReminderSetting }, 404) } },
    async (request) => getReminderSetting(deps, actorOf(request), request.params.id),
  );

  app.put(
    '/api/v1/clinics/:id/reminder',
    {
      config: { access: { role: 'admin' } },
      schema: { tags: ['notifications'], summary: "Set the clinic's wait limit (minutes of opening hours, 5 to 10,080; null turns reminders off); audited", params: IdParams, body: ReminderSetting, response: responses({ 200: ReminderSetting }, 404) },
    },
    async (request) => setReminderSetting(deps, actorOf(request), request.params.id, request.body),
  );
}
