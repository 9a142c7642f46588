ALTER TABLE "encryption_state" ADD COLUMN "unbound_refused_at" timestamp (3) with time zone;--> statement-breakpoint
-- Issue 15: row-bound ciphertexts (enc2). Values bound only to their column (enc1) are refused in
-- the row-bound columns from the start when there are none (a new install); otherwise from when
-- `npm run encryption:rotate` has re-sealed the last one.
UPDATE "encryption_state" SET "unbound_refused_at" = now() WHERE NOT (
  EXISTS (SELECT 1 FROM "messages" WHERE "body" NOT LIKE 'enc2:%' OR "subject" NOT LIKE 'enc2:%' OR "html" NOT LIKE 'enc2:%' OR "full_text" NOT LIKE 'enc2:%' OR "retraction_reason" NOT LIKE 'enc2:%' OR "patient_reaction" NOT LIKE 'enc2:%')
  OR EXISTS (SELECT 1 FROM "conversations" WHERE "subject" NOT LIKE 'enc2:%')
  OR EXISTS (SELECT 1 FROM "contact_notes" WHERE "body" NOT LIKE 'enc2:%')
  OR EXISTS (SELECT 1 FROM "bookings" WHERE "notes" NOT LIKE 'enc2:%')
  OR EXISTS (SELECT 1 FROM "attachments" WHERE "filename" NOT LIKE 'enc2:%')
  OR EXISTS (SELECT 1 FROM "users" WHERE "totp_secret" NOT LIKE 'enc2:%')
  OR EXISTS (SELECT 1 FROM "webhook_endpoints" WHERE "secret" NOT LIKE 'enc2:%' OR "previous_secret" NOT LIKE 'enc2:%')
);
