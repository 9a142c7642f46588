/** B2: median first-response time — of conversations whose first answer came in the period — by clinic, channel and team member. */
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { conversations } from '../conversations/schema.js';
import { monthKey, nextMonth, parseMonth } from '../bookings/rules.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { isAdmin } from '../orgs/rules.js';
import { clinics, users } from '../orgs/schema.js';

type Row = {
  key: string;
  name: string;
  conversations: number;
  median_seconds: number | null;
};

export async function responseTimeReport(deps: Deps, actor: Actor, q: { from?: string; to?: string }) {
  const now = deps.clock.now();
  const to = q.to ? parseMonth(q.to) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = q.from ? parseMonth(q.from) : to;
  if (!from || !to || from > to) throw new AppError('invalid_input', 'from and to are months written YYYY-MM, from not after to');
  const end = nextMonth(to);
  const scope = sql`c.org_id = ${actor.orgId} and c.first_response_at >= ${from.toISOString()}::timestamptz and c.first_response_at < ${end.toISOString()}::timestamptz
    and c.hidden_at is null and c.held_at is null
    ${isAdmin(actor.role) ? sql`` : actor.clinicIds.length ? sql`and c.clinic_id in (${sql.join(actor.clinicIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql`and false`}`;
  const median = sql`percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.first_inbound_at))`;
  const grouped = async (key: SQL, name: SQL, join: SQL) => {
    const { rows } = await deps.db.execute<Row>(sql`
      select ${key} as key, ${name} as name, count(*)::int as conversations, round(${median})::int as median_seconds
      from ${conversations} c ${join}
      where ${scope}
      group by 1, 2 order by 3 desc`);
    return rows.map((r) => ({ id: r.key, name: r.name, conversations: r.conversations, medianSeconds: r.median_seconds }));
  };
  const [overall] = await grouped(sql`'all'`, sql`'All'`, sql``);
  return {
    from: monthKey(from),
    to: monthKey(to),
    overall: { conversations: overall?.conversations ?? 0, medianSeconds: overall?.medianSeconds ?? null },
    byClinic: await grouped(sql`c.clinic_id::text`, sql`cl.name`, sql`join ${clinics} cl on cl.id = c.clinic_id`),
    byChannel: await grouped(sql`c.origin_channel::text`, sql`c.origin_channel::text`, sql``),
    byStaff: await grouped(sql`c.first_responder_id::text`, sql`u.name`, sql`join ${users} u on u.id = c.first_responder_id`),
  };
}
