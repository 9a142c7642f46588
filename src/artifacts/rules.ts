/** K3/K4: pure rules of patient artifacts and the cards that carry them (shared with the web app). */

/** What a practice-management system pushes about a patient. */
export const artifactKinds = ['appointment', 'invoice', 'prescription', 'treatment_plan', 'form'] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

/** What staff can send as a card: an artifact, or a request of its own. */
export const cardKinds = [...artifactKinds, 'payment_request', 'review_request'] as const;
export type CardKind = (typeof cardKinds)[number];

/** K3's slash shortcuts in the composer. */
export const slashCommands: Record<string, ArtifactKind> = { '/appt': 'appointment', '/invoice': 'invoice', '/rx': 'prescription', '/plan': 'treatment_plan', '/form': 'form' };

export const cardLabels: Record<CardKind, string> = {
  appointment: 'Appointment',
  invoice: 'Invoice',
  prescription: 'Prescription',
  treatment_plan: 'Treatment plan',
  form: 'Form',
  payment_request: 'Payment request',
  review_request: 'Review request',
};

export const cardLinkDays = 14;
export const cardTokenPattern = /^[A-Za-z0-9_-]{32}$/;

export const formatAmount = (cents: number, currency = 'USD') => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

export interface CardContent {
  kind: CardKind;
  title: string;
  amountCents?: number | null;
  currency?: string | null;
}

/** The line a card adds to a text or email: what it is, and where to open it. */
export function cardLine(card: CardContent, url: string): string {
  const amount = card.amountCents ? ` (${formatAmount(card.amountCents, card.currency ?? 'USD')})` : '';
  return `${cardLabels[card.kind]}: ${card.title}${amount} — ${url}`;
}

export const linkExpired = (expiresAt: Date, now: Date) => now >= expiresAt;
