/** `npm run seed:demo`: fills the configured database (embedded by default) with the demo organization. */
import { loadConfig } from '../config.js';
import { openConfiguredDatabase } from '../db/open.js';
import { systemClock } from '../deps.js';
import { noEventHub } from '../realtime/hub.js';
import { seedDemo } from './seed.js';

const config = loadConfig();
const database = await openConfiguredDatabase(config, (m) => console.log(`[frontdesk] ${m}`));
try {
  const result = await seedDemo({ db: database.db, clock: systemClock, config, events: noEventHub });
  console.log(result.created ? 'Demo organization created.' : 'The demo organization is already there.');
  for (const line of result.signIn) console.log(line);
} finally {
  await database.close();
}
