/**
 * A message's text columns are sealed for their row (issue 15): each is bound to the message's
 * organization and id, so a value copied into another message fails to open as an integrity failure.
 */
import { newRowId, openFor, openOptional, sealFor, sealOptional, type RowKey, type Sealed } from '../encryption/columns.js';
import { messages, type MessageCard } from './schema.js';

/**
 * A new message's id (drawn here, so its text can be bound to its row), its body sealed for that
 * row, and its blind search index, written from the same text under its organization's key (encryption/search.ts).
 */
export const messageText = (orgId: string, body: string) => {
  const row = { id: newRowId(), orgId };
  return { id: row.id, body: sealFor(messages.body, row, body), search: { orgId, text: body } };
};

type MessageTextColumns = Pick<typeof messages.$inferSelect, 'body' | 'fullText' | 'subject' | 'html' | 'retractionReason' | 'patientReaction'>;

/** Every text of a message row, opened with the row: what the API and the channels show. */
export const openMessageTexts = (m: RowKey & MessageTextColumns) => ({
  body: openFor(m, m.body),
  fullText: openOptional(m, m.fullText),
  subject: openOptional(m, m.subject),
  html: openOptional(m, m.html),
  retractionReason: openOptional(m, m.retractionReason),
  patientReaction: openOptional(m, m.patientReaction),
});

/** A message's card (K4), sealed for its row as JSON text like the message's other texts. */
export const sealMessageCard = (row: RowKey, card: MessageCard | null | undefined): Sealed | null => sealOptional(messages.card, row, card && JSON.stringify(card));

/** The card of a message row, opened with the row. */
export const openMessageCard = (m: RowKey & { card: Sealed | null }): MessageCard | null => (m.card === null ? null : (JSON.parse(openFor(m, m.card)) as MessageCard));
