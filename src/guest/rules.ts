/** P1: pure decisions of the guest inbox. */
import { randomBytes } from 'node:crypto';
import { defaultLanguage, translator, type Language } from '../i18n/index.js';

/** 256 random bits, URL-safe: the guest's only key to their thread. */
export const newGuestToken = () => randomBytes(32).toString('base64url');

/** A token's shape; anything else is refused before the database is asked. */
export const guestTokenPattern = /^[A-Za-z0-9_-]{43}$/;

export const guestPath = (token: string) => `/g/${token}`;

/** An identical message from the same sender within this window is a duplicate (409). */
export const duplicateWindowMs = 10 * 60 * 1000;

/** Messages compared for duplicates ignore spacing and case: bots vary them to get through. */
export const sameMessage = (a: string, b: string) => normalise(a) === normalise(b);
const normalise = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** The most of a reply a notification email may quote, when the clinic allows a preview at all. */
export const emailPreviewChars = 60;

export function emailPreview(body: string, allowed: boolean): string | null {
  if (!allowed) return null;
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > emailPreviewChars ? `${flat.slice(0, emailPreviewChars - 1)}…` : flat;
}

/**
 * Whether a clinic reply should send the guest another email: not when the last one is still unread
 * (they have not opened the thread since) and recent — one email brings them to every reply.
 */
export function shouldNotify(link: { notifiedAt: Date | null; lastSeenAt: Date | null }, now: Date): boolean {
  if (!link.notifiedAt) return true;
  const seenSince = link.lastSeenAt !== null && link.lastSeenAt > link.notifiedAt;
  const stale = now.getTime() - link.notifiedAt.getTime() > 24 * 3600 * 1000;
  return seenSince || stale;
}

/** The email telling a guest the clinic replied, in their language. */
export function notificationText(input: { patientName: string; clinicName: string; url: string; preview: string | null }, language: Language = defaultLanguage): string {
  const t = translator(language);
  return [
    t('patient:email.greeting', { name: input.patientName }),
    '',
    input.preview ? t('patient:email.repliedWithPreview', { clinic: input.clinicName, preview: input.preview }) : t('patient:email.replied', { clinic: input.clinicName }),
    '',
    t('patient:email.readHere', { url: input.url }),
    '',
    t('patient:email.keepPrivate'),
  ].join('\n');
}

export const notificationSubject = (clinicName: string, language: Language = defaultLanguage) => translator(language)('patient:email.subject', { clinic: clinicName });
