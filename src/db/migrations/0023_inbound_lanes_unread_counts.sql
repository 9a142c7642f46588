CREATE TABLE "unread_counts" (
	"org_id" uuid NOT NULL,
	"clinic_id" uuid NOT NULL,
	"sms" boolean NOT NULL,
	"shard" integer NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "unread_counts_org_id_clinic_id_sms_shard_pk" PRIMARY KEY("org_id","clinic_id","sms","shard")
);
--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "inbound_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "lane" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "conversation_user_state_muted_idx" ON "conversation_user_state" USING btree ("user_id") WHERE "conversation_user_state"."muted";--> statement-breakpoint
CREATE INDEX "inbound_events_pending_lane_idx" ON "inbound_events" USING btree ("lane","seq") WHERE "inbound_events"."processed_at" is null;
--> statement-breakpoint
-- Hand-written: unread_counts follows conversations in the writing transaction. One statement-level
-- trigger per operation reads the statement's changed rows (transition tables), nets them per bucket
-- and applies the differences in key order, so concurrent writers take the rows in the same order.
CREATE FUNCTION "unread_counts_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO unread_counts AS u (org_id, clinic_id, sms, shard, n)
    SELECT org_id, clinic_id, channel = 'sms', hashtext(id::text) & 15, count(*)::int FROM new_rows
    WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, clinic_id, sms, shard) DO UPDATE SET n = u.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO unread_counts AS u (org_id, clinic_id, sms, shard, n)
    SELECT org_id, clinic_id, channel = 'sms', hashtext(id::text) & 15, -count(*)::int FROM old_rows
    WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, clinic_id, sms, shard) DO UPDATE SET n = u.n + excluded.n;
  ELSE
    INSERT INTO unread_counts AS u (org_id, clinic_id, sms, shard, n)
    SELECT org_id, clinic_id, sms, shard, sum(d)::int FROM (
      SELECT org_id, clinic_id, channel = 'sms' AS sms, hashtext(id::text) & 15 AS shard, -1 AS d FROM old_rows
      WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
      UNION ALL
      SELECT org_id, clinic_id, channel = 'sms', hashtext(id::text) & 15, 1 FROM new_rows
      WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
    ) changes
    GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, clinic_id, sms, shard) DO UPDATE SET n = u.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "unread_counts_insert" AFTER INSERT ON "conversations" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "unread_counts_follow"();
--> statement-breakpoint
CREATE TRIGGER "unread_counts_update" AFTER UPDATE ON "conversations" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "unread_counts_follow"();
--> statement-breakpoint
CREATE TRIGGER "unread_counts_delete" AFTER DELETE ON "conversations" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "unread_counts_follow"();
--> statement-breakpoint
INSERT INTO unread_counts (org_id, clinic_id, sms, shard, n)
SELECT org_id, clinic_id, channel = 'sms', hashtext(id::text) & 15, count(*)::int FROM conversations
WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
GROUP BY 1, 2, 3, 4;
