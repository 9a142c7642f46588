/** K3/K4: pure rules of patient artifacts and the cards that carry them (shared with the web app). */
import { catalogues, languages, type Language } from '../i18n/index.js';
import { localeOf } from '../i18n/patient-language.js';

/** What a practice-management system pushes about a patient. */
export const artifactKinds = ['appointment', 'invoice', 'prescription', 'treatment_plan', 'form'] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

/** What staff can send as a card: an artifact, or a request of its own. */
export const cardKinds = [...artifactKinds, 'payment_request', 'review_request'] as const;
export type CardKind = (typeof cardKinds)[number];

/** K3's slash shortcuts in the composer. */
export const slashCommands: Record<string, ArtifactKind> = { '/appt': 'appointment', '/invoice': 'invoice', '/rx': 'prescription', '/plan': 'treatment_plan', '/form': 'form' };

/** What a card is called, in the patient's language (issue 18). */
export const cardLabel = (kind: CardKind, language: Language = 'en'): string => catalogues[language].patient.card[kind];

export const cardLinkDays = 14;
export const cardTokenPattern = /^[A-Za-z0-9_-]{32}$/;

export const formatAmount = (cents: number, currency = 'USD', language: Language = 'en') => new Intl.NumberFormat(localeOf(language), { style: 'currency', currency }).format(cents / 100);

export interface CardContent {
  kind: CardKind;
  title: string;
  amountCents?: number | null;
  currency?: string | null;
}

/** The line a card adds to a text or email: what it is, and where to open it. */
export function cardLine(card: CardContent, url: string, language: Language = 'en'): string {
  const amount = card.amountCents ? ` (${formatAmount(card.amountCents, card.currency ?? 'USD', language)})` : '';
  return `${cardLabel(card.kind, language)}: ${card.title}${amount} — ${url}`;
}

/** The line a card adds to a portal message, which draws the card itself. */
export const portalCardLine = (card: CardContent, language: Language = 'en') => `${cardLabel(card.kind, language)}: ${card.title}`;

/**
 * The note written with a card in the portal: its text without the card's own line, which the
 * portal draws as the card. The line was written in the patient's language when it was sent, which
 * may not be theirs now, so every language's line is recognised.
 */
export function portalCardNote(body: string | null, card: CardContent): string | null {
  if (!body) return body;
  for (const language of languages) {
    const line = portalCardLine(card, language);
    if (body === line) return null;
    if (body.endsWith(`\n\n${line}`)) return body.slice(0, -line.length).trim() || null;
  }
  return body;
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
