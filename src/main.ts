/** `npm start`: config → database (embedded or DATABASE_URL) → migrations → HTTP server. */
import { loadConfig, ConfigError } from './config.js';
import { openConfiguredDatabase } from './db/open.js';
import { seedDemo } from './demo/seed.js';
import { systemClock } from './deps.js';
import { startRuntime } from './runtime.js';
import { buildApp } from './server.js';
import { ensureWebBuild } from './web.js';
import { databaseUnavailable } from './http/errors.js';

const log = (message: string) => console.log(`[frontdesk] ${message}`);

/**
 * graphile-worker does not await its "record that the job failed" call, so when PostgreSQL goes
 * away while a job runs, that call's rejection is unhandled and Node would end the process — the
 * outage the server otherwise rides out with 503s. The job stays locked and is handed back after
 * WORKER_STALE_SECONDS. Any other unhandled rejection still ends the process, as before.
 */
process.on('unhandledRejection', (reason) => {
  if (reason instanceof Error && databaseUnavailable(reason)) {
    console.error(`[frontdesk] the database went away while the queue was recording a job (${(reason as { code?: string }).code ?? reason.name}); it is handed back once the database answers`);
    return;
  }
  throw reason;
});

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv);
  const database = await openConfiguredDatabase(config, log);
  const runtime = await startRuntime(config, database, { clock: systemClock, worker: config.role !== 'web', smtp: config.role !== 'worker', log });
  const deps = runtime.deps;
  if (process.argv.includes('--demo')) {
    const demo = await seedDemo(deps);
    log(demo.created ? 'demo organization created' : 'demo organization already present');
    for (const line of demo.signIn) log(line);
  }
  // Several web processes of one install start together: one build is enough (WEB_BUILD=off on the others).
  if (config.role !== 'worker' && process.env.WEB_BUILD !== 'off') await ensureWebBuild(log);
  const app = config.role === 'worker' ? null : await buildApp(deps, { logger: { level: config.logLevel } });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    try {
      await app?.close();
      await runtime.close();
      await database.close();
    } catch (e) {
      console.error(e);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (app) {
    await app.listen({ port: config.port, host: config.host });
    log(`Frontdesk is running at http://localhost:${config.port} (${config.databaseUrl ? 'PostgreSQL at DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`})`);
  }
  if (config.role === 'worker') log('delivery worker running');
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? `configuration: ${e.message}` : e);
  process.exit(1);
});
