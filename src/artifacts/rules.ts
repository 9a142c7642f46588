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

export type RequestCommand =
  | { card: { kind: 'payment_request'; amountCents: number; title?: string } | { kind: 'review_request'; url: string }; note?: string }
  | { problem: string };

/**
 * K4's request shortcuts in the composer: "/pay 45.50 Co-pay for today" asks for a payment,
 * "/review https://… Thanks for visiting!" for a review. Null when the text is neither.
 */
export function parseRequestCommand(text: string): RequestCommand | null {
  const pay = /^\/pay(?:\s+\$?(\d+(?:[.,]\d{1,2})?))?(?:\s+([\s\S]+))?$/.exec(text.trim());
  if (pay) {
    if (!pay[1]) return { problem: 'Write the amount after /pay, e.g. /pay 45.50 Co-pay for today' };
    const amountCents = Math.round(Number(pay[1].replace(',', '.')) * 100);
    if (amountCents < 1) return { problem: 'The amount must be more than zero' };
    return { card: { kind: 'payment_request', amountCents, ...(pay[2] ? { title: pay[2].trim() } : {}) } };
  }
  const review = /^\/review(?:\s+(\S+))?(?:\s+([\s\S]+))?$/.exec(text.trim());
  if (review) {
    if (!review[1] || !/^https:\/\/\S+$/.test(review[1])) return { problem: 'Write the https address of your review page after /review' };
    return { card: { kind: 'review_request', url: review[1] }, ...(review[2] ? { note: review[2].trim() } : {}) };
  }
  return null;
}
