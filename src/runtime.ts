/** Builds the running product's dependencies from configuration, and takes them down again in order. */
import { diskStorage } from './attachments/storage.js';
import { buildChannels } from './channels/registry.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Clock, Deps } from './deps.js';
import { startWorker, type DeliveryWorker } from './delivery/worker.js';
import { startEventHub } from './realtime/hub.js';

export interface Runtime {
  deps: Deps;
  worker: DeliveryWorker | null;
  close(): Promise<void>;
}

export async function startRuntime(
  config: Config,
  database: Database,
  opts: { clock: Clock; worker: boolean; log?: (message: string) => void },
): Promise<Runtime> {
  const log = opts.log ?? (() => {});
  const events = await startEventHub(database.url, log);
  const channels = buildChannels(config);
  const deps: Deps = { db: database.db, clock: opts.clock, config, events, channels, storage: diskStorage(config.attachmentsDir) };
  const worker = opts.worker ? await startWorker(deps, database.pool, log) : null;
  return {
    deps,
    worker,
    async close() {
      await worker?.stop();
      channels.close();
      await events.close();
    },
  };
}
