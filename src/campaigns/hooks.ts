/**
 * What a campaign run needs from bookings, which sits above campaigns (a booking holds the thread
 * it came from): the bookings due a message. runtime.ts installs the reader once per process.
 */
import type { Db } from '../db/client.js';
import type { campaigns } from './schema.js';

type CampaignRow = typeof campaigns.$inferSelect;

/** A booking as a campaign run uses it. */
export interface DueBooking {
  id: string;
  contactId: string;
  clinicId: string;
  startsAt: Date;
}

export interface CampaignHooks {
  /** The bookings campaign `c` should message at `now`, not yet sent to, soonest first. */
  dueBookings(db: Db, c: CampaignRow, now: Date): Promise<DueBooking[]>;
}

let installed: CampaignHooks | null = null;

export function installCampaignHooks(hooks: CampaignHooks): void {
  installed = hooks;
}

export function campaignHooks(): CampaignHooks {
  if (!installed) throw new Error('the campaign hooks are not installed (runtime.ts installs them)');
  return installed;
}
