-- Issue 15: nothing that holds message content stays in clear at rest.
-- A card's contents are one sealed JSON text, like the message's body (rows from before are
-- sealed by `npm run encryption:rotate`, which also seals artifacts' titles and details).
ALTER TABLE "messages" ALTER COLUMN "card" SET DATA TYPE text USING "card"::text;--> statement-breakpoint
-- An inbound webhook's text is sealed until filed and dropped once filed: the message holds it,
-- and the row keeps only what idempotency needs (channel and provider id).
ALTER TABLE "inbound_events" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_events" ALTER COLUMN "payload" SET DATA TYPE text USING "payload"::text;--> statement-breakpoint
UPDATE "inbound_events" SET "payload" = NULL WHERE "processed_at" IS NOT NULL;
