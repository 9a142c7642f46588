/**
 * Issue 21: inbound texts are filed as fast as they can be written, and a sender's STOP / START /
 * text keep their order however many workers file them. Webhooks are Twilio's real form posts
 * (https://www.twilio.com/docs/messaging/guides/webhook-request: MessageSid, AccountSid, From, To,
 * Body, NumMedia), signed as Twilio signs them.
 *
 * The worker polls once every ten minutes here (WORKER_POLL_MS): anything that waited on the poll
 * — the lane's next job not taken until the last one released the lane — would never finish.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { startRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/ops/log.js';
import { buyClinicNumber, FakeTwilio, twilioEnv, twilioTextWebhook } from '../fakes/twilio.js';
import { eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const publicUrl = 'https://frontdesk.test';
let ctx: TestContext;
let twilio: FakeTwilio;
let org: Org;
let clinicNumber: string;

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  const env = {
    ...twilioEnv(twilio, publicUrl),
    WORKER_POLL_MS: '600000',
    // One job at a time: its next job must be taken as it finishes, not at the next poll.
    WORKER_CONCURRENCY: '1',
  };
  ctx = await setupApp(env, { worker: true });
  org = await signupOrg(ctx.app, 'Burst Dental', { plan: 'accelerator' });
  clinicNumber = await buyClinicNumber(org.owner);
});
afterAll(() => twilio.stop());

let sid = 0;
async function patientTexts(from: string, body: string) {
  expect(await twilioTextWebhook(ctx.app, twilio, publicUrl, { messageSid: `SMburst${process.pid}x${sid++}`, from, to: clinicNumber, body })).toBe(200);
}

const allFiled = (ms?: number) =>
  eventually(async () => {
    const { rows } = await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from inbound_events where processed_at is null`);
    expect(rows[0].n).toBe(0);
  }, ms);

/** A second worker process on the same database, four jobs at a time: filing is shared between them. */
async function secondWorker() {
  const database = openDatabase(ctx.database.url, { max: 6 });
  const config = { ...ctx.deps.config, worker: { ...ctx.deps.config.worker, concurrency: 4 } };
  const runtime = await startRuntime(config, database, { clock: ctx.clock, worker: true, logger: createLogger('silent', 'worker') });
  afterAll(async () => {
    await runtime.close();
    await database.close();
  });
}

/**
 * A sender's messages in the order they were filed: each is filed under the lane's lock and stamped
 * by the test clock, which moves on at every reading. Bodies through the API.
 */
async function filedOrder(phone: string): Promise<{ inbound: string[]; replies: string[] }> {
  const { rows } = await ctx.deps.db.execute<{ id: string; conversation_id: string; direction: string }>(sql`
    select m.id, m.conversation_id, m.direction from messages m join conversations c on c.id = m.conversation_id join contacts ct on ct.id = c.contact_id
    where ct.org_id = ${org.orgId} and ct.phone = ${phone} order by m.created_at, m.direction`);
  const bodies = new Map<string, string>();
  for (const conversationId of new Set(rows.map((r) => r.conversation_id))) {
    for (const m of (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages) bodies.set(m.id, m.body);
  }
  return {
    inbound: rows.filter((r) => r.direction === 'inbound').map((r) => bodies.get(r.id)!),
    replies: rows.filter((r) => r.direction === 'outbound').map((r) => bodies.get(r.id)!),
  };
}

describe('filing inbound texts (issue 21)', () => {
  it('files a backlog from one sender without waiting for the poll, in the order it came', async () => {
    const phone = '+14155550700';
    const sent = Array.from({ length: 40 }, (_, i) => `Backlog text ${i}`);
    for (const body of sent) await patientTexts(phone, body);
    // Before: one text a poll (a second each here, the poll setting did not exist), so 40 s for these.
    await allFiled();
    expect((await filedOrder(phone)).inbound).toEqual(sent);
  });

  it('keeps every sender’s STOP / START / text order with many senders at once and two workers', async () => {
    await secondWorker();
    const word = fc.constantFrom('STOP', 'START', 'text');
    const plans = fc.sample(fc.array(word, { minLength: 4, maxLength: 10 }), { numRuns: 30, seed: 21 });
    const senders = plans.map((plan, i) => ({ phone: `+1415555${String(1000 + i).padStart(4, '0')}`, bodies: plan.map((w, j) => (w === 'text' ? `Message ${j} from ${i}` : w)) }));
    // Each sender's texts go one after another (as a phone sends them); the senders all at once.
    await Promise.all(senders.map(async ({ phone, bodies }) => {
      for (const body of bodies) await patientTexts(phone, body);
    }));
    await allFiled(60_000);
    for (const { phone, bodies } of senders) {
      let optedOut = false;
      const replies: string[] = [];
      for (const body of bodies) {
        if (body === 'STOP' && !optedOut) (optedOut = true), replies.push('unsubscribed');
        if (body === 'START' && optedOut) (optedOut = false), replies.push('resubscribed');
      }
      const filed = await filedOrder(phone);
      expect(filed.inbound, phone).toEqual(bodies);
      expect(filed.replies.map((r) => /unsubscribed/.test(r) ? 'unsubscribed' : 'resubscribed'), phone).toEqual(replies);
      const [contact] = (await ctx.deps.db.execute<{ opted_out_sms: boolean }>(sql`select 'sms' = any(opted_out) as opted_out_sms from contacts where org_id = ${org.orgId} and phone = ${phone}`)).rows;
      expect(contact.opted_out_sms, phone).toBe(optedOut);
    }
  }, 120_000);
});
