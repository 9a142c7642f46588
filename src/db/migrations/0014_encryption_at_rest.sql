ALTER TABLE "messages" ALTER COLUMN "search" DROP EXPRESSION;--> statement-breakpoint
-- Encryption at rest: the search column now holds the blind index the application writes (HMAC
-- tokens), not words PostgreSQL reads from the body, which is ciphertext. Rows from before keep
-- their old vectors until `npm run encryption:rotate` encrypts them and rewrites their index.
-- Re-encryption changes a body's ciphertext but not its text: the rotation says so for its own
-- transaction (SET LOCAL frontdesk.reencrypting = 'on'), and only then may the body change.
CREATE OR REPLACE FUNCTION messages_refuse_rewrite() RETURNS trigger AS $$
DECLARE
  reencrypting boolean := coalesce(current_setting('frontdesk.reencrypting', true), '') = 'on';
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'messages are never deleted: retract instead' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.body IS DISTINCT FROM OLD.body AND NOT reencrypting)
     OR NEW.direction IS DISTINCT FROM OLD.direction
     OR NEW.channel IS DISTINCT FROM OLD.channel
     OR NEW.conversation_id IS DISTINCT FROM OLD.conversation_id
     OR NEW.org_id IS DISTINCT FROM OLD.org_id
     OR NEW.sender_user_id IS DISTINCT FROM OLD.sender_user_id
     OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR (OLD.retracted_at IS NOT NULL AND (NEW.retracted_at IS DISTINCT FROM OLD.retracted_at
         OR (NEW.retraction_reason IS DISTINCT FROM OLD.retraction_reason AND NOT reencrypting))) THEN
    RAISE EXCEPTION 'a sent message cannot be edited: retract it with a correction' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
