import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Storage } from './attachments/storage.js';
import type { Channels } from './channels/registry.js';
import type { EventHub } from './realtime/hub.js';
import type { KeyRing } from './encryption/keys.js';
import type { Metrics } from './ops/metrics.js';
import type { ReadRouting } from './db/read-routing.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a service needs from the outside world, built once by main.ts (or by a test). */
export interface Deps {
  db: Db;
  /**
   * Where inbox lists, searches and counts read: a replica when DATABASE_READ_URL is set (except for
   * a user whose own write it has not replayed yet), else `db`. Only reads that may lag the primary
   * by a moment belong here; a thread a user opens reads `db`.
   */
  reads: ReadRouting;
  clock: Clock;
  config: Config;
  /** Change events from every process, for the live streams. */
  events: EventHub;
  /** The provider adapters chosen from configuration. */
  channels: Channels;
  storage: Storage;
  /** The data keys (ENCRYPTION_KEY): what encrypts PHI at rest, the search index and attachment links. */
  keys: KeyRing;
  /** This process's Prometheus metrics (GET /metrics). */
  metrics: Metrics;
}

/** What the delivery worker's tasks use. */
export type DeliveryDeps = Pick<Deps, 'db' | 'clock' | 'config' | 'channels' | 'storage'>;
