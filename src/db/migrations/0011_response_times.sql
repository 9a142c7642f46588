ALTER TABLE "clinics" ADD COLUMN "opening_hours" jsonb;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "after_hours_reply" text;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "awaiting_since" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "reply_due_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "first_inbound_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "first_response_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "first_responder_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "after_hours_replied_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_first_responder_id_users_id_fk" FOREIGN KEY ("first_responder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_overdue_idx" ON "conversations" USING btree ("org_id","reply_due_at") WHERE "conversations"."reply_due_at" is not null;