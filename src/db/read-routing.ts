/**
 * Read-your-writes over a lagging read replica (DATABASE_READ_URL). Lists, searches and counts read
 * the replica — except for a user whose own last write it has not replayed yet: they read the primary
 * until it has, so what they just did never seems undone. Other people's changes may show a moment
 * late; that is the lag a replica is allowed. Writes are remembered per process (its users' next
 * requests must reach the same process, or they may read the replica before it has caught up).
 */
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

interface Writer {
  userId: string;
  orgId: string;
}

export interface ReadRouting {
  /** Where this user's lists, searches and counts read. */
  forUser(who: Writer): Promise<Db>;
  /** Where a reading shared by everyone of the organization (the live streams' unread counts) reads. */
  forOrg(orgId: string): Promise<Db>;
  /** After the user's write has committed: their reads stay on the primary until the replica has replayed it. */
  wrote(who: Writer): Promise<void>;
}

/** No replica: every read is the primary's. */
export function primaryReads(db: Db): ReadRouting {
  return { forUser: async () => db, forOrg: async () => db, wrote: async () => {} };
}

const lsnOf = async (db: Db, position: ReturnType<typeof sql>): Promise<bigint | null> => {
  const { rows } = await db.execute<{ lsn: string | null }>(sql`select (${position} - '0/0'::pg_lsn)::text as lsn`);
  return rows[0]?.lsn == null ? null : BigInt(rows[0].lsn);
};

export function replicaReads(primary: Db, replica: Db): ReadRouting {
  // The primary's WAL position after each user's and each organization's last write, until replayed.
  const pending = new Map<string, bigint>();
  // The furthest the replica is known to have replayed; asked again only for a write beyond it.
  let known = 0n;
  let asking: Promise<bigint | null> | null = null;
  const replayedLsn = () =>
    (asking ??= lsnOf(replica, sql`pg_last_wal_replay_lsn()`)
      .then((lsn) => {
        if (lsn !== null && lsn > known) known = lsn;
        return lsn;
      })
      // Not a standby (null) or not answering: nothing counts as replayed, so writers read the primary.
      .catch(() => null)
      .finally(() => (asking = null)));
  const route = async (key: string): Promise<Db> => {
    const written = pending.get(key);
    if (written === undefined) return replica;
    if (written > known) {
      const lsn = await replayedLsn();
      if (lsn === null || lsn < written) return primary;
    }
    if (pending.get(key) === written) pending.delete(key);
    return replica;
  };
  const remember = (key: string, lsn: bigint) => {
    const before = pending.get(key);
    if (before === undefined || before < lsn) pending.set(key, lsn);
  };
  return {
    forUser: (who) => route(`user:${who.userId}`),
    forOrg: (orgId) => route(`org:${orgId}`),
    async wrote(who) {
      const lsn = await lsnOf(primary, sql`pg_current_wal_lsn()`);
      if (lsn === null) return;
      remember(`user:${who.userId}`, lsn);
      remember(`org:${who.orgId}`, lsn);
    },
  };
}
