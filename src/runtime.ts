/** Builds the running product's dependencies from configuration, and takes them down again in order. */
import { diskStorage } from './attachments/storage.js';
import { dueBookings, nextBooking } from './bookings/service.js';
import { installCampaignHooks } from './campaigns/hooks.js';
import { buildChannels } from './channels/registry.js';
import type { Config } from './config.js';
import { installConversationHooks } from './conversations/hooks.js';
import { openDatabase, type Database } from './db/client.js';
import { primaryReads, replicaReads } from './db/read-routing.js';
import type { Clock, Deps } from './deps.js';
import { enqueueDelivery } from './delivery/queue.js';
import { startWorker, type DeliveryWorker } from './delivery/worker.js';
import { startEventHub } from './realtime/hub.js';
import { currentGuestLink, revokeGuestLinks } from './guest/links.js';
import { startSmtpListener, type SmtpListener } from './channels/email/listener.js';
import { installKeyRing } from './encryption/columns.js';
import { storedPlaintext, storedUnbound } from './encryption/rotate.js';
import { loadKeyRing } from './encryption/key-file.js';
import type { KeyRing } from './encryption/keys.js';
import { queuePush } from './notifications/push.js';
import { createMetrics } from './ops/metrics.js';
import { createLogger, type Logger } from './ops/log.js';

export interface Runtime {
  deps: Deps;
  worker: DeliveryWorker | null;
  smtp: SmtpListener | null;
  close(): Promise<void>;
  /** Restarts this process's keys: the columns, the services and the attachment files all take `ring`. */
  useKeys(ring: KeyRing): Promise<void>;
}

export async function startRuntime(
  config: Config,
  database: Database,
  opts: { clock: Clock; worker: boolean; smtp?: boolean; log?: (message: string) => void; logger?: Logger },
): Promise<Runtime> {
  const log = opts.log ?? (() => {});
  installCampaignHooks({ dueBookings });
  installConversationHooks({ currentGuestLink, revokeGuestLinks, nextBooking, queueDelivery: enqueueDelivery, queuePush });
  const plaintext = await storedPlaintext(database.db);
  let keys = installKeyRing(await loadKeyRing(config, log), plaintext, await storedUnbound(database.db));
  const events = await startEventHub(database.url, log);
  const channels = buildChannels(config, database.db);
  const replica = config.readDatabaseUrl ? openDatabase(config.readDatabaseUrl) : null;
  const deps: Deps = { db: database.db, reads: replica ? replicaReads(database.db, replica.db) : primaryReads(database.db), clock: opts.clock, config, events, channels, storage: diskStorage(config.attachmentsDir, keys.ring, plaintext), keys: keys.ring, metrics: createMetrics(database) };
  const worker = opts.worker ? await startWorker(deps, database.pool, log, opts.logger ?? createLogger(config.logLevel, 'worker')) : null;
  const smtpPort = config.email.inboundSmtpPort;
  const smtp = opts.smtp !== false && smtpPort !== null ? await startSmtpListener(deps, smtpPort, log) : null;
  if (smtp) log(`inbound SMTP listening on port ${smtp.port}`);
  return {
    deps,
    worker,
    smtp,
    async close() {
      await smtp?.close();
      await worker?.stop();
      channels.close();
      await events.close();
      await replica?.close();
      keys.dispose();
    },
    async useKeys(ring) {
      const now = await storedPlaintext(database.db);
      keys = installKeyRing(ring, now, await storedUnbound(database.db));
      Object.assign(deps, { keys: ring, storage: diskStorage(config.attachmentsDir, ring, now) });
    },
  };
}
