import { index, integer, pgTable, text, timestamp, uuid, jsonb } from 'drizzle-orm/pg-core';
import { organizations, users } from '../orgs/schema.js';
import { rowBoundText } from '../encryption/columns.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** B3: an organization's outgoing webhook: where events go, which ones, and the secret that signs them. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    url: text('url').notNull(),
    /** The HMAC-SHA256 key (`whsec_` + base64, Standard Webhooks), shown once when made or rotated. */
    secret: rowBoundText('webhook_endpoints', 'secret').notNull(),
    /** The secret a rotation replaced: it still signs, beside the new one, until the overlap ends. */
    previousSecret: rowBoundText('webhook_endpoints', 'previous_secret'),
    previousSecretExpiresAt: at('previous_secret_expires_at'),
    events: text('events').array().notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
    disabledAt: at('disabled_at'),
  },
  (t) => [index('webhook_endpoints_org_idx').on(t.orgId)],
);

/** One event for one endpoint, with its outcome; its tries are in webhook_attempts. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    event: text('event').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: at('created_at').notNull(),
    deliveredAt: at('delivered_at'),
  },
  (t) => [index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt)],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    at: at('at').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);
