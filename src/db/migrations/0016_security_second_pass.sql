-- Issue 15: nothing that holds message content stays in clear at rest.
-- A card's contents are one sealed JSON text, like the message's body (rows from before are
-- sealed by `npm run encryption:rotate`, which also seals artifacts' titles and details).
ALTER TABLE "messages" ALTER COLUMN "card" SET DATA TYPE text USING "card"::text;--> statement-breakpoint
-- An inbound webhook's text is sealed until filed and dropped once filed: the message holds it,
-- and the row keeps only what idempotency needs (channel and provider id).
ALTER TABLE "inbound_events" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_events" ALTER COLUMN "payload" SET DATA TYPE text USING "payload"::text;--> statement-breakpoint
UPDATE "inbound_events" SET "payload" = NULL WHERE "processed_at" IS NOT NULL;--> statement-breakpoint
CREATE TABLE "encryption_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"plaintext_refused_at" timestamp (3) with time zone,
	CONSTRAINT "encryption_state_one_row" CHECK ("encryption_state"."id" = 1)
);--> statement-breakpoint
-- Values in clear are refused from the start when none is left (a new install); otherwise from
-- when the rotation has sealed the last one.
INSERT INTO "encryption_state" ("id", "plaintext_refused_at")
SELECT 1, CASE WHEN NOT (
  EXISTS (SELECT 1 FROM "messages" WHERE "body" NOT LIKE 'enc1:%' OR "retraction_reason" NOT LIKE 'enc1:%' OR "card" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "contact_notes" WHERE "body" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "bookings" WHERE "notes" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "attachments" WHERE "filename" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "users" WHERE "totp_secret" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "webhook_endpoints" WHERE "secret" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "inbound_events" WHERE "payload" NOT LIKE 'enc1:%')
  OR EXISTS (SELECT 1 FROM "patient_artifacts" WHERE "title" NOT LIKE 'enc1:%' OR "details" NOT LIKE 'enc1:%')
) THEN now() END;
