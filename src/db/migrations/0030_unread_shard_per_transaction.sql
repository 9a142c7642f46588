-- Issue 21: a transaction writes its unread-count changes into one shard row per bucket, the one its
-- transaction id names, instead of the row each conversation's id names. Filing a burst touches many
-- conversations of one clinic over several statements; spread by conversation, two filing
-- transactions each took a few of the same 16 rows in different statements and deadlocked (one
-- waited a second for the detector, then its batch was filed again one text at a time). A shard's
-- own n may now go below zero (a conversation counted in one transaction's row, read in another's);
-- only the sum over a bucket's shards is a count, and that is what every reader takes.
CREATE OR REPLACE FUNCTION "unread_counts_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  own_shard int := txid_current() & 15;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO unread_counts AS u (org_id, clinic_id, sms, shard, n)
    SELECT org_id, clinic_id, channel = 'sms', own_shard, count(*)::int FROM new_rows
    WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_id, clinic_id, sms, shard) DO UPDATE SET n = u.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO unread_counts AS u (org_id, clinic_id, sms, shard, n)
    SELECT org_id, clinic_id, channel = 'sms', own_shard, -count(*)::int FROM old_rows
    WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_id, clinic_id, sms, shard) DO UPDATE SET n = u.n + excluded.n;
  ELSE
    INSERT INTO unread_counts AS u (org_id, clinic_id, sms, shard, n)
    SELECT org_id, clinic_id, sms, own_shard, sum(d)::int FROM (
      SELECT org_id, clinic_id, channel = 'sms' AS sms, -1 AS d FROM old_rows
      WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
      UNION ALL
      SELECT org_id, clinic_id, channel = 'sms', 1 FROM new_rows
      WHERE unread AND status = 'open' AND archived_at IS NULL AND hidden_at IS NULL AND held_at IS NULL
    ) changes
    GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (org_id, clinic_id, sms, shard) DO UPDATE SET n = u.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
