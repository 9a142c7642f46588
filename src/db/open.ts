import type { Config } from '../config.js';
import { migrateDatabase, openDatabase, type Database } from './client.js';
import { startEmbeddedPostgres } from './embedded.js';

/** The configured database — DATABASE_URL's server, or the embedded one under DATA_DIR — migrated and ready. */
export async function openConfiguredDatabase(config: Config, log: (message: string) => void): Promise<Database> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  const database = openDatabase(config.databaseUrl ?? embedded!.url);
  try {
    await migrateDatabase(database);
  } catch (e) {
    await database.close();
    await embedded?.stop();
    throw e;
  }
  return {
    ...database,
    close: async () => {
      await database.close();
      await embedded?.stop();
    },
  };
}
