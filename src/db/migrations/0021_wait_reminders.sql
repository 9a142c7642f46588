CREATE TABLE "clinic_reminder_settings" (
	"clinic_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"wait_minutes" integer,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wait_reminders" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"awaiting_since" timestamp (3) with time zone NOT NULL,
	"sent_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "email_reminders" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "clinic_reminder_settings" ADD CONSTRAINT "clinic_reminder_settings_clinic_id_clinics_id_fk" FOREIGN KEY ("clinic_id") REFERENCES "public"."clinics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clinic_reminder_settings" ADD CONSTRAINT "clinic_reminder_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wait_reminders" ADD CONSTRAINT "wait_reminders_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;