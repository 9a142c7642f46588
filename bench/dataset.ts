/**
 * The benchmark data set, shared by `npm run bench:seed` and the query-plan test (which builds a
 * smaller one of the same shape). Names, emails and message texts come from @faker-js/faker as pools
 * sent to PostgreSQL once; rows are generated server-side in batches (INSERT … SELECT over
 * generate_series), so the data never crosses the wire row by row. Skew: a few clinics take most of
 * the traffic, thread lengths follow an exponential curve (many short threads, some long ones), every
 * channel appears, 10% of conversations are archived. Each organization's owner signs in as
 * owner@org<N>.bench.test / frontdesk-bench.
 */
import { faker } from '@faker-js/faker';
import { sql } from 'drizzle-orm';
import { hashPassword } from '../src/auth/tokens.js';
import type { Db } from '../src/db/client.js';
import { sealText } from '../src/encryption/cipher.js';
import { columnAad } from '../src/encryption/columns.js';
import type { KeyRing } from '../src/encryption/keys.js';
import { searchVector } from '../src/encryption/search.js';

export const benchPassword = 'frontdesk-bench';

/**
 * Real North American area codes. A seeded number is +1, one of these, an exchange from 234 to 303
 * (never 0xx, 1xx or N11) and a unique subscriber part: valid as libphonenumber-js reads it.
 */
export const areaCodes = ['205', '212', '213', '303', '312', '404', '415', '503', '512', '602', '617', '646', '702', '713', '718', '720', '773', '801', '818', '919'];

export interface DataSetSize {
  orgs: number;
  clinics: number;
  contacts: number;
  conversations: number;
  messages: number;
}

export type Progress = (label: string, done: number, total: number, started: number) => void;

/** A JS array as one PostgreSQL array parameter (drizzle would otherwise spread it into a row). */
export const pgArray = (values: string[]) => sql.param(`{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);

/**
 * Message texts as the product stores them: encrypted, with their blind search index. Each phrase is
 * sealed once and its ciphertext reused on many rows (one IV for all of them), which the product
 * never does; for a benchmark's synthetic text it keeps a 3M-message seed to minutes. So they are
 * bound to their column only (enc1), as before row binding: whoever writes them records that such
 * values are stored (acceptColumnBoundTexts), and processes started after read them.
 */
export function storedPhrases(keys: KeyRing, orgId: string, phrases: string[]): { bodies: string[]; vectors: string[] } {
  return { bodies: phrases.map((p) => sealText(keys, p, columnAad('messages', 'body'))), vectors: phrases.map((p) => searchVector(keys, orgId, p)) };
}

/** Records that message texts bound to their column only (storedPhrases) are stored, as an install from before row binding. */
export async function acceptColumnBoundTexts(db: Db): Promise<void> {
  await db.execute(sql`update encryption_state set unbound_refused_at = null`);
}

/** Writes the data set into an empty, migrated database; answers the messages and conversations written. */
export async function seedDataSet(db: Db, keys: KeyRing, size: DataSetSize, opts: { seed?: number; progress?: Progress; log?: (line: string) => void } = {}): Promise<{ messages: number; conversations: number }> {
  const progress: Progress = opts.progress ?? (() => {});
  const log = opts.log ?? (() => {});
  faker.seed(opts.seed ?? 42);
  // Distinct names: a pool entry's place is its frequency rank (see the contacts below).
  const firstNames = [...new Set(Array.from({ length: 3000 }, () => faker.person.firstName()))].slice(0, 1500);
  const lastNames = [...new Set(Array.from({ length: 6000 }, () => faker.person.lastName()))].slice(0, 1500);
  const domains = Array.from({ length: 40 }, () => faker.internet.domainName());
  const phrases = Array.from({ length: 800 }, () =>
    faker.helpers.arrayElement([
      () => `Can I move my appointment to ${faker.date.weekday()} ${faker.helpers.arrayElement(['morning', 'afternoon'])}?`,
      () => `Is ${faker.helpers.arrayElement(['my crown', 'the cleaning', 'whitening', 'the X-ray', 'Invisalign'])} covered by ${faker.company.name()}?`,
      () => `Your ${faker.helpers.arrayElement(['cleaning', 'check-up', 'filling', 'consultation'])} is confirmed for ${faker.date.weekday()} at ${faker.number.int({ min: 8, max: 17 })}:${faker.helpers.arrayElement(['00', '15', '30', '45'])}.`,
      () => faker.lorem.sentence({ min: 6, max: 18 }),
      () => `Please send the invoice for my last visit, ${faker.person.firstName()} asked for it.`,
    ])(),
  );
  const passwordHash = await hashPassword(benchPassword);

  // Organizations, clinics, a small team and an inbox each.
  const orgIds: string[] = [];
  for (let o = 1; o <= size.orgs; o++) {
    const [{ id: orgId }] = (await db.execute<{ id: string }>(sql`insert into organizations (name, plan) values (${`${faker.company.name()} Dental`}, 'accelerator') returning id`)).rows;
    orgIds.push(orgId);
    for (let c = 1; c <= size.clinics; c++) {
      await db.execute(sql`insert into clinics (org_id, name, slug, phone, address) values (${orgId}, ${`${faker.location.city()} Clinic`}, ${`bench-${o}-${c}-${faker.string.alphanumeric(6).toLowerCase()}`}, ${faker.phone.number({ style: 'international' })}, ${faker.location.streetAddress()})`);
    }
    await db.execute(sql`insert into inboxes (org_id, name) values (${orgId}, 'General')`);
    await db.execute(sql`insert into users (org_id, name, email, password_hash, role, privileges)
      select ${orgId}::uuid, ${`${faker.person.fullName()}`}, ${`owner@org${o}.bench.test`}, ${passwordHash}, 'main_admin'::role, '{send_messages,inbox,contacts}'::privilege[]
      union all select ${orgId}::uuid, 'Staff ' || g, 'staff' || g || ${`@org${o}.bench.test`}, ${passwordHash}, 'receptionist'::role, '{send_messages,inbox,contacts}'::privilege[] from generate_series(1, 4) g`);
  }
  log(`organizations: ${size.orgs} × ${size.clinics} clinics`);

  // Contacts: spread over organizations, the first ones larger (skew).
  const batch = 20_000;
  let t = Date.now();
  for (let done = 0; done < size.contacts; done += batch) {
    const n = Math.min(batch, size.contacts - done);
    await db.execute(sql`
      insert into contacts (org_id, type, name, phone, email, created_at)
      select (${pgArray(orgIds)}::uuid[])[1 + floor(power(random(), 2) * ${orgIds.length})::int],
             (case when random() < 0.3 then 'lead' else 'patient' end)::contact_type,
             f || ' ' || l,
             case when random() < 0.9 then '+1' || (${pgArray(areaCodes)}::text[])[1 + floor(random() * ${areaCodes.length})::int]
               || (234 + ((${done} + g) / 10000) % 70)::text || lpad(((${done} + g) % 10000)::text, 4, '0') end,
             case when random() < 0.6 then lower(f || '.' || l || (${done} + g)::text || '@' || (${pgArray(domains)}::text[])[1 + floor(random() * ${domains.length})::int]) end,
             now() - random() * interval '3 years'
      from generate_series(1, ${n}) g,
           -- Drawn per row (the lateral names g, so it is not run once for the batch), the pools'
           -- first entries far commoner than the last: random()² puts the commonest at ~2.6%.
           lateral (select (${pgArray(firstNames)}::text[])[1 + floor(power(random(), 2) * ${firstNames.length} + 0 * g)::int] as f,
                           (${pgArray(lastNames)}::text[])[1 + floor(power(random(), 2) * ${lastNames.length} + 0 * g)::int] as l) names`);
    progress('contacts', done + n, size.contacts, t);
  }

  // Conversations: a contact each (contacts may have several), busy clinics weighted, all channels, 10% archived.
  t = Date.now();
  for (let done = 0; done < size.conversations; done += batch) {
    const n = Math.min(batch, size.conversations - done);
    await db.execute(sql`
      with picked as (
        select c.id as contact_id, c.org_id, row_number() over () as r
        from (select id, org_id from contacts order by random() limit ${n}) c),
      placed as (
        select p.*, (select array_agg(id order by created_at) from clinics where org_id = p.org_id) as clinic_ids,
               (select id from inboxes where org_id = p.org_id limit 1) as inbox_id,
               (array['sms','sms','sms','email','email','whatsapp','portal','web'])[1 + floor(random() * 8)::int]::channel as ch,
               now() - power(random(), 2) * interval '540 days' as activity
        from picked p)
      insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, status, unread, archived_at, last_activity_at, created_at)
      select org_id, clinic_ids[1 + floor(power(random(), 3) * array_length(clinic_ids, 1))::int], inbox_id, contact_id, ch, ch,
             (case when random() < 0.35 then 'closed' else 'open' end)::conversation_status,
             random() < 0.15,
             case when random() < 0.10 then activity + interval '1 day' end,
             activity, activity - interval '2 days'
      from placed
      on conflict do nothing`);
    progress('conversations', done + n, size.conversations, t);
  }
  // Every open, unarchived pair must be unique: the insert above skips the rare clash.
  const [{ n: conversationCount }] = (await db.execute<{ n: number }>(sql`select count(*)::int as n from conversations`)).rows;

  // Messages: exponential thread lengths averaging messages/conversations.
  t = Date.now();
  const average = size.messages / Math.max(1, conversationCount);
  let written = 0;
  const chunk = Math.max(1, Math.floor(batch / Math.max(1, average)));
  // Organization by organization: each one's phrases are indexed under its own search key.
  for (const orgId of orgIds) {
    const stored = storedPhrases(keys, orgId, phrases);
    const { rows: ids } = await db.execute<{ id: string }>(sql`select id from conversations where org_id = ${orgId} and last_message_id is null order by id`);
    const budget = written + Math.round((size.messages * ids.length) / Math.max(1, conversationCount));
    for (let i = 0; i < ids.length && written < budget; i += chunk) {
      const slice = ids.slice(i, i + chunk).map((r) => r.id);
      const { rows } = await db.execute<{ n: number }>(sql`
        with lengths as (
          select c.*, greatest(1, round(-ln(1 - random() * 0.999) * ${average}))::int as len
          from conversations c where c.id = any(${pgArray(slice)}::uuid[])),
        inserted as (
          insert into messages (org_id, conversation_id, direction, channel, body, search, status, sender_user_id, created_at, status_at)
          select l.org_id, l.id, d.direction::direction, l.channel,
                 (${pgArray(stored.bodies)}::text[])[p.i], (${pgArray(stored.vectors)}::text[])[p.i]::tsvector,
                 (case when d.direction = 'inbound' then 'read' else 'delivered' end)::message_status,
                 case when d.direction = 'outbound' then (select u.id from users u where u.org_id = l.org_id order by u.role limit 1) end,
                 l.last_activity_at - (l.len - n) * interval '37 minutes', l.last_activity_at
          from lengths l cross join generate_series(1, l.len) n
          cross join lateral (select case when n % 2 = 1 then 'inbound' else 'outbound' end as direction) d
          cross join lateral (select 1 + floor(random() * ${phrases.length})::int + 0 * n as i) p /* per row: it names n */
          returning 1)
        select count(*)::int as n from inserted`);
      written += rows[0].n;
      if (written < size.messages) progress('messages', written, size.messages, t);
    }
  }
  progress('messages', size.messages, size.messages, t);
  await db.execute(sql`
    update conversations c set last_message_id = m.id
    from (select distinct on (conversation_id) conversation_id, id from messages order by conversation_id, created_at desc) m
    where m.conversation_id = c.id and c.last_message_id is null`);
  await acceptColumnBoundTexts(db);
  await db.execute(sql`analyze`);
  return { messages: written, conversations: conversationCount };
}
