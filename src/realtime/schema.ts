import { sql } from 'drizzle-orm';
import { bigint, customType, index, jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from '../orgs/schema.js';

const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });
const pgSnapshot = customType<{ data: string }>({ dataType: () => 'pg_snapshot' });

/**
 * I19: the last minutes of change events, so a stream that reconnects with `Last-Event-ID` is sent
 * what it missed, whichever process it reaches. Events carry ids only (no health data). Identity ids
 * are handed out before commit, so a lower id can commit after a higher one: each row keeps its
 * transaction and the snapshot it was written in, and a resume also replays the lower ids that were
 * still running then (`replay.ts`). Pruned by the maintenance job once older than the window.
 */
export const liveEvents = pgTable(
  'live_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    /** The ChangeEvent (events.ts, which imports this file) as published. */
    event: jsonb('event').$type<object>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    snapshot: pgSnapshot('snapshot').notNull().default(sql`pg_current_snapshot()`),
  },
  (t) => [index('live_events_org_idx').on(t.orgId, t.id), index('live_events_created_idx').on(t.createdAt)],
);
