/**
 * `npm run simulate -- --clinic <slug> --from <phone|email> --body "…" [--channel sms|whatsapp|email] [--name "…"]`
 * plays a patient writing to a clinic, offline, through the same way in as a provider's webhook.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../../config.js';
import { openConfiguredDatabase } from '../../db/open.js';
import { systemClock } from '../../deps.js';
import { clinics } from '../../orgs/schema.js';
import { startRuntime } from '../../runtime.js';
import { receiveInbound, simulatedMessageId } from '../inbound.js';
import { isProviderChannel, providerChannels, type ProviderChannel } from '../registry.js';

const { values } = parseArgs({
  options: {
    clinic: { type: 'string' },
    from: { type: 'string' },
    body: { type: 'string' },
    channel: { type: 'string', default: 'sms' },
    name: { type: 'string' },
  },
});
const channel = values.channel as ProviderChannel;
if (!values.clinic || !values.from || !values.body || !isProviderChannel(channel)) {
  console.error(`usage: npm run simulate -- --clinic <slug> --from <phone or email> --body "text" [--channel ${providerChannels.join('|')}] [--name "Full Name"]`);
  process.exit(2);
}

const config = loadConfig();
const database = await openConfiguredDatabase(config, () => {});
const runtime = await startRuntime(config, database, { clock: systemClock, worker: false, smtp: false });
try {
  const [clinic] = await database.db.select().from(clinics).where(eq(clinics.slug, values.clinic));
  if (!clinic) throw new Error(`no clinic with the address "${values.clinic}"`);
  const result = await receiveInbound(runtime.deps, channel, { providerMessageId: simulatedMessageId(), from: values.from, to: 'simulator', body: values.body, name: values.name }, { orgId: clinic.orgId, clinicId: clinic.id });
  console.log(result.kind === 'stored' ? `delivered to ${clinic.name}: conversation ${result.conversationId}` : `not delivered: ${result.kind === 'unroutable' ? result.reason : 'duplicate'}`);
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  await runtime.close();
  await database.close();
}
