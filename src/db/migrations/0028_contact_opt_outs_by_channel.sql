-- Issue 14: a contact's opt-outs are one list of channel names instead of a boolean column per
-- channel, so a new channel kind needs no column of its own. The old flags are carried over.
-- (The registry now lists provider channels as sms, email, whatsapp; the provider_channel enum keeps
-- the order it was created in, sms, whatsapp, email: the same values, and nothing sorts by them, so
-- the type is not rebuilt.)
ALTER TABLE "contacts" ADD COLUMN "opted_out" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
UPDATE "contacts" SET "opted_out" = array_remove(ARRAY[
  CASE WHEN "opted_out_sms" THEN 'sms' END,
  CASE WHEN "opted_out_email" THEN 'email' END,
  CASE WHEN "opted_out_whatsapp" THEN 'whatsapp' END
], NULL) WHERE "opted_out_sms" OR "opted_out_email" OR "opted_out_whatsapp";--> statement-breakpoint
ALTER TABLE "contacts" DROP COLUMN "opted_out_sms";--> statement-breakpoint
ALTER TABLE "contacts" DROP COLUMN "opted_out_email";--> statement-breakpoint
ALTER TABLE "contacts" DROP COLUMN "opted_out_whatsapp";
