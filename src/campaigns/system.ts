/** The named senders of automatic answers (keyword confirmations, after-hours replies): made on first use. */
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { campaigns } from './schema.js';

export async function systemCampaign(tx: DbOrTx, orgId: string, name: string): Promise<string> {
  const [existing] = await tx.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.orgId, orgId), eq(campaigns.name, name)));
  if (existing) return existing.id;
  const [created] = await tx.insert(campaigns).values({ orgId, name }).returning({ id: campaigns.id });
  return created.id;
}
