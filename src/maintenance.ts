/**
 * The hourly housekeeping job (graphile-worker's cron, so one process runs it however many are
 * started): M2's auto-archive, P4's release of held guest conversations at a new month, and the
 * pruning of spent rate-limit windows and of live events too old to resume from.
 */
import { archiveInactive } from './conversations/service.js';
import type { Deps } from './deps.js';
import { releaseAllHeld } from './guest/allowance.js';
import { pruneRateLimits } from './ratelimit/service.js';
import { pruneLiveEvents } from './realtime/replay.js';

export const maintenanceTask = 'maintenance';

export async function runMaintenance(deps: Pick<Deps, 'db' | 'clock'>): Promise<{ archived: number; released: number }> {
  const archived = await archiveInactive(deps);
  const released = await releaseAllHeld(deps);
  await pruneRateLimits(deps.db, deps.clock.now());
  await pruneLiveEvents(deps.db, deps.clock.now());
  return { archived, released };
}
