CREATE TYPE "public"."artifact_kind" AS ENUM('appointment', 'invoice', 'prescription', 'treatment_plan', 'form');--> statement-breakpoint
CREATE TABLE "card_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"token" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"first_opened_at" timestamp (3) with time zone,
	"last_opened_at" timestamp (3) with time zone,
	"open_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patient_artifacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"kind" "artifact_kind" NOT NULL,
	"external_id" text NOT NULL,
	"title" text NOT NULL,
	"occurred_at" timestamp (3) with time zone,
	"amount_cents" integer,
	"currency" text,
	"url" text,
	"details" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "card" jsonb;--> statement-breakpoint
ALTER TABLE "card_links" ADD CONSTRAINT "card_links_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "card_links" ADD CONSTRAINT "card_links_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_artifacts" ADD CONSTRAINT "patient_artifacts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_artifacts" ADD CONSTRAINT "patient_artifacts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "card_links_token_key" ON "card_links" USING btree ("token");--> statement-breakpoint
CREATE UNIQUE INDEX "card_links_message_key" ON "card_links" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "patient_artifacts_external_key" ON "patient_artifacts" USING btree ("org_id","kind","external_id");--> statement-breakpoint
CREATE INDEX "patient_artifacts_contact_idx" ON "patient_artifacts" USING btree ("contact_id","kind","occurred_at");