DROP INDEX "contacts_email_trgm_idx";--> statement-breakpoint
DROP INDEX "contacts_phone_trgm_idx";--> statement-breakpoint
CREATE INDEX "contacts_email_search_idx" ON "contacts" USING gin (("email" || '') gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_phone_search_idx" ON "contacts" USING gin (("phone" || '') gin_trgm_ops);