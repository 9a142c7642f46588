/**
 * `npm run bench:seed`: a large, realistic data set for the benchmarks (see dataset.ts for its shape).
 *
 *   npm run bench:seed -- --orgs 20 --clinics-per-org 5 --contacts 200000 --conversations 300000 --messages 3000000
 *
 * The first organization's owner signs in as owner@org1.bench.test / frontdesk-bench. Uses
 * DATABASE_URL, or the embedded PostgreSQL under DATA_DIR.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/open.js';
import { benchPassword, seedDataSet } from './dataset.js';
import { loadKeyRing } from '../src/encryption/key-file.js';

const { values: args } = parseArgs({
  options: {
    orgs: { type: 'string', default: '4' },
    'clinics-per-org': { type: 'string', default: '3' },
    contacts: { type: 'string', default: '20000' },
    conversations: { type: 'string', default: '30000' },
    messages: { type: 'string', default: '300000' },
    seed: { type: 'string', default: '42' },
  },
});

function progress(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
  process.stderr.write(`\r${label.padEnd(14)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}%  ${done.toLocaleString()}/${total.toLocaleString()}  ${Math.round(rate).toLocaleString()}/s   `);
  if (done >= total) process.stderr.write('\n');
}

const config = loadConfig(process.env);
const database = await openConfiguredDatabase(config, (m) => process.stderr.write(`${m}\n`));
const started = Date.now();
try {
  const size = {
    orgs: Number(args.orgs),
    clinics: Number(args['clinics-per-org']),
    contacts: Number(args.contacts),
    conversations: Number(args.conversations),
    messages: Number(args.messages),
  };
  const written = await seedDataSet(database.db, await loadKeyRing(config), size, { seed: Number(args.seed), progress, log: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`done in ${Math.round((Date.now() - started) / 1000)} s: ${written.messages.toLocaleString()} messages in ${written.conversations.toLocaleString()} conversations. Sign in as owner@org1.bench.test / ${benchPassword}\n`);
} finally {
  await database.close();
}
