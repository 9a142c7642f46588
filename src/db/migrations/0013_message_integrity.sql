ALTER TABLE "messages" ADD COLUMN "retracted_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "retracted_by" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "retraction_reason" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "corrects_message_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_retracted_by_users_id_fk" FOREIGN KEY ("retracted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Integrity: what was said stays said. A message's text, sender, direction, channel, thread and time
-- never change, a retraction is never undone, and no message is deleted. Status, stars and
-- bookkeeping columns may change.
CREATE OR REPLACE FUNCTION messages_refuse_rewrite() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'messages are never deleted: retract instead' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.body IS DISTINCT FROM OLD.body
     OR NEW.direction IS DISTINCT FROM OLD.direction
     OR NEW.channel IS DISTINCT FROM OLD.channel
     OR NEW.conversation_id IS DISTINCT FROM OLD.conversation_id
     OR NEW.org_id IS DISTINCT FROM OLD.org_id
     OR NEW.sender_user_id IS DISTINCT FROM OLD.sender_user_id
     OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR (OLD.retracted_at IS NOT NULL AND (NEW.retracted_at IS DISTINCT FROM OLD.retracted_at OR NEW.retraction_reason IS DISTINCT FROM OLD.retraction_reason)) THEN
    RAISE EXCEPTION 'a sent message cannot be edited: retract it with a correction' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER messages_integrity
  BEFORE UPDATE OR DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_refuse_rewrite();
