/** `npm run seed:demo`: fills the configured database (embedded by default) with the demo organization. */
import { loadConfig } from '../config.js';
import { openConfiguredDatabase } from '../db/open.js';
import { systemClock } from '../deps.js';
import { startRuntime } from '../runtime.js';
import { seedDemo } from './seed.js';

const config = loadConfig();
const database = await openConfiguredDatabase(config, (m) => console.log(`[frontdesk] ${m}`));
const runtime = await startRuntime(config, database, { clock: systemClock, worker: false });
try {
  const result = await seedDemo(runtime.deps);
  console.log(result.created ? 'Demo organization created.' : 'The demo organization is already there.');
  for (const line of result.signIn) console.log(line);
} finally {
  await runtime.close();
  await database.close();
}
