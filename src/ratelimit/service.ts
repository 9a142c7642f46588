/** Rate limits counted in PostgreSQL, so every web process shares them. */
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { AppError } from '../errors.js';
import { retryAfterSeconds, windowOf, type Limit } from './rules.js';
import { rateLimitHits } from './schema.js';

/** Counts one hit against `key`; throws 429 with Retry-After once the window's allowance is spent. */
export async function spend(db: DbOrTx, key: string, limit: Limit, now: Date, what: string): Promise<void> {
  const window = windowOf(limit, now);
  const [row] = await db
    .insert(rateLimitHits)
    .values({ key, windowStart: window.start, hits: 1 })
    .onConflictDoUpdate({ target: [rateLimitHits.key, rateLimitHits.windowStart], set: { hits: sql`${rateLimitHits.hits} + 1` } })
    .returning({ hits: rateLimitHits.hits });
  if (row.hits > limit.max) {
    const wait = retryAfterSeconds(window.end, now);
    throw new AppError('rate_limited', `${what}: at most ${limit.max} every ${describe(limit.windowSeconds)}; try again in ${wait} s`, { retryAfterSeconds: wait });
  }
}

/** Gives back a hit spent at `now` on an attempt that turned out not to count (a correct sign-in). */
export async function refund(db: DbOrTx, key: string, limit: Limit, now: Date): Promise<void> {
  const window = windowOf(limit, now);
  await db
    .update(rateLimitHits)
    .set({ hits: sql`${rateLimitHits.hits} - 1` })
    .where(and(eq(rateLimitHits.key, key), eq(rateLimitHits.windowStart, window.start), gt(rateLimitHits.hits, 0)));
}

const describe = (seconds: number) => (seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

/** Drops windows that ended over a day ago. */
export async function pruneRateLimits(db: DbOrTx, now: Date): Promise<void> {
  await db.delete(rateLimitHits).where(lt(rateLimitHits.windowStart, new Date(now.getTime() - 86_400_000)));
}
