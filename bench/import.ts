/**
 * `npm run bench:import`: how long a practice's patient list takes to come in (issue 22). Makes an
 * 80,000-row CSV (a practice system's export: BOM, CRLF, quoted names, 1% bad rows), and posts it
 * over HTTP to the real server, in-process on a throwaway database of the PostgreSQL server at
 * BENCH_ADMIN_URL: a dry run, the import, and the same file again (which must change nothing).
 * Prints the timings and writes bench/import-results.json.
 *
 *   npm run bench:import -- --rows 80000
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/open.js';
import { systemClock } from '../src/deps.js';
import { startRuntime } from '../src/runtime.js';
import { buildApp } from '../src/server.js';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '80000' } } });
const rows = Number(args.rows);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every hundredth row is bad in one of the ways exports are: no contact details, a bad number, a repeat. */
const areaCodes = [415, 628, 510, 650, 408, 925, 707, 916, 530, 209];
const pad = (i: number) => String(i).padStart(6, '0');

function csvRow(i: number): string {
  const n = pad(i);
  const phone = `(${areaCodes[Math.floor(i / 10_000) % areaCodes.length]}) 2${n.slice(2, 4)}-${n.slice(2)}`;
  if (i % 300 === 7) return `PMS-${n},"Nophone, Pat",,,1980-01-01,no`;
  if (i % 300 === 107) return `PMS-${n},"Badphone, Pat",555-01,,1980-01-01,no`;
  if (i % 300 === 207) return `PMS-${pad(i - 1)},"Repeat, Pat",${phone},,1980-01-01,no`;
  return `PMS-${n},"Patient${n}, Test",${phone},p${n}@example.com,${1950 + (i % 60)}-0${1 + (i % 9)}-1${i % 9},${i % 50 === 0 ? 'yes' : 'no'}`;
}

async function writeCsv(file: string) {
  const handle = await fs.open(file, 'w');
  await handle.write('\uFEFFPatient ID,Full Name,Mobile Phone,Email,Date of Birth,SMS Opt Out\r\n');
  for (let start = 0; start < rows; start += 10_000) {
    const lines = Array.from({ length: Math.min(10_000, rows - start) }, (_, k) => csvRow(start + k));
    await handle.write(lines.join('\r\n') + '\r\n');
  }
  await handle.close();
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `frontdesk_bench_import_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-bench-import-'));
  const file = path.join(dir, 'patients.csv');
  await writeCsv(file);
  const bytes = (await fs.stat(file)).size;
  console.log(`${rows.toLocaleString()} rows, ${(bytes / 2 ** 20).toFixed(1)} MB`);

  const results = await withDatabase(async (url) => {
    const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dir, ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn', PORT: '0' });
    const database = await openConfiguredDatabase(config, () => {});
    const runtime = await startRuntime(config, database, { clock: systemClock, worker: false, smtp: false });
    const app = await buildApp(runtime.deps);
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const signup = await fetch(`${base}/api/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organizationName: 'Bench Practice', clinicName: 'Bench Practice Main', name: 'Bench Admin', email: 'admin@bench.test', password: 'bench-password-long' }),
      });
      const { csrfToken } = (await signup.json()) as { csrfToken: string };
      const cookie = signup.headers.get('set-cookie')!.split(';')[0];

      const run = async (label: string, dryRun: boolean) => {
        const form = new FormData();
        form.append('dryRun', String(dryRun));
        form.append('file', await openAsBlob(file, { type: 'text/csv' }), 'patients.csv');
        const started = performance.now();
        const res = await fetch(`${base}/api/v1/contacts/import`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken }, body: form });
        const seconds = (performance.now() - started) / 1000;
        const report = (await res.json()) as { totals: Record<string, number> };
        if (res.status !== 200) throw new Error(`${label}: ${res.status} ${JSON.stringify(report)}`);
        console.log(`${label.padEnd(14)} ${seconds.toFixed(1).padStart(5)} s  ${Math.round(rows / seconds).toLocaleString().padStart(7)} rows/s  ${JSON.stringify(report.totals)}`);
        return { label, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds), totals: report.totals };
      };
      return [await run('dry run', true), await run('import', false), await run('same file again', false)];
    } finally {
      await app.close();
      await runtime.close();
      await database.close();
    }
  });
  await fs.rm(dir, { recursive: true, force: true });
  const out = { at: new Date().toISOString(), machine: `${os.cpus().length} cores`, rows, megabytes: Number((bytes / 2 ** 20).toFixed(1)), results };
  await fs.writeFile(new URL('./import-results.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
}

await main();
