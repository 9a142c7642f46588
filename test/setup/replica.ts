/**
 * A real PostgreSQL primary and a streaming standby of it (pg_basebackup), on free ports under /tmp,
 * for the read-replica tests. Uses the machine's PostgreSQL server binaries (PG_BIN, else the newest
 * /usr/lib/postgresql/<version>/bin, else `pg_config --bindir`); as root, the servers run as `postgres`.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './postgres.js';

const run = promisify(execFile);
const needed = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'];

function hasBinaries(dir: string): boolean {
  return needed.every((name) => fs.existsSync(path.join(dir, name)));
}

function pgConfigBindir(): string | null {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The folder of the PostgreSQL server binaries, or null when this machine has none. */
export function postgresBinaries(): string | null {
  const versions = fs.existsSync('/usr/lib/postgresql')
    ? fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const candidates = [process.env.PG_BIN, ...versions, pgConfigBindir()].filter((d): d is string => !!d);
  return candidates.find(hasBinaries) ?? null;
}

export interface ReplicaCluster {
  primaryUrl: string;
  standbyUrl: string;
  /** Stops replaying WAL on the standby, as a replica falling behind would; resolves once it has. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the standby has replayed everything the primary had written when this was called. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts the primary, migrates nothing (the caller does), takes a base backup into a standby and
 * starts it. `stop()` takes down whatever was started, so call it even when this throws: the
 * cluster passed to `onStarted` is complete enough to stop as soon as the folder exists.
 */
export async function startReplicaCluster(bin: string, onStarted: (cluster: Pick<ReplicaCluster, 'stop'>) => void): Promise<ReplicaCluster> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'frontdesk-replica-'));
  const primaryDir = path.join(root, 'primary');
  const standbyDir = path.join(root, 'standby');
  const asRoot = process.getuid?.() === 0;
  const exec = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]) : run(path.join(bin, name), args);
  const started: string[] = [];
  const stop = async () => {
    for (const dir of started.reverse()) await exec('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    started.length = 0;
    await fsp.rm(root, { recursive: true, force: true });
  };
  onStarted({ stop });

  if (asRoot) await run('chown', ['postgres:postgres', root]);
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const serverOptions = (port: number) => `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await exec('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-instructions']);
  await exec('pg_ctl', ['-D', primaryDir, '-l', path.join(root, 'primary.log'), '-w', '-o', `${serverOptions(primaryPort)} -c wal_level=replica -c max_wal_senders=4`, 'start']);
  started.push(primaryDir);
  await exec('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast']);
  await exec('pg_ctl', ['-D', standbyDir, '-l', path.join(root, 'standby.log'), '-w', '-o', serverOptions(standbyPort), 'start']);
  started.push(standbyDir);

  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const standbyUrl = `postgres://postgres@127.0.0.1:${standbyPort}/postgres`;
  const [{ recovering }] = await query<{ recovering: boolean }>(standbyUrl, 'select pg_is_in_recovery() as recovering');
  if (!recovering) throw new Error('the standby is not in recovery: it is not a replica');
  return {
    primaryUrl,
    standbyUrl,
    async pauseReplay() {
      await query(standbyUrl, 'select pg_wal_replay_pause()');
      await waitFor('replay to pause', async () => (await query<{ state: string }>(standbyUrl, 'select pg_get_wal_replay_pause_state() as state'))[0].state === 'paused');
    },
    async resumeReplay() {
      await query(standbyUrl, 'select pg_wal_replay_resume()');
    },
    async caughtUp() {
      const [{ lsn }] = await query<{ lsn: string }>(primaryUrl, 'select pg_current_wal_lsn()::text as lsn');
      await waitFor('the standby to catch up', async () => (await query<{ done: boolean }>(standbyUrl, `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`))[0].done);
    },
    stop,
  };
}
