import { sql } from 'drizzle-orm';
import { check, pgTable, smallint, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row: whether every encrypted column holds ciphertext only. Set by the migration when nothing
 * in clear was left, or by `npm run encryption:rotate` once it has sealed the last such value; from
 * then on a process started refuses a stored value without the ciphertext prefix (an integrity
 * failure) instead of showing it as text.
 */
export const encryptionState = pgTable(
  'encryption_state',
  {
    id: smallint('id').primaryKey().default(1),
    plaintextRefusedAt: timestamp('plaintext_refused_at', { withTimezone: true, precision: 3 }),
    /** Since when every row-bound column holds enc2 values only: an `enc1:` value there (bound to its column, not its row) is refused. */
    unboundRefusedAt: timestamp('unbound_refused_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [check('encryption_state_one_row', sql`${t.id} = 1`)],
);
