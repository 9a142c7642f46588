/**
 * Defect 4: every refusal the staff app shows, as a sentence a receptionist understands with what to
 * do next. One table from the API's problem `code` (src/errors.ts) to the sentence; the API's own
 * detail is kept only where it is already a receptionist's sentence (channelGap's, for channel_unavailable).
 */
import { ApiError } from './api';
import type { ErrorCode } from '../../../src/errors';

export interface RefusalContext {
  /** The patient or contact the action was about. */
  name?: string;
}

/** Codes only providers and mail servers meet: a person never sees them. */
type ServerOnly = 'bad_signature' | 'bad_verify_token' | 'unroutable';

type Sentence = string | ((detail: string, who: string) => string);

const sentences: Record<Exclude<ErrorCode, ServerOnly> | 'network', Sentence> = {
  invalid_input: 'Something in the form is missing or not right. Check the fields and try again.',
  invalid_phone: 'That phone number is not valid. Check the digits (with the area code) and try again.',
  invalid_number: 'That phone number is not valid. Check the digits (with the area code) and try again.',
  invalid_cursor: 'The list moved on. Reload the page to see it from the top.',
  spam_suspected: 'This looks like spam and was not sent. Rewrite it, or ask an admin if it is genuine.',
  not_signed_in: 'Your session ended. Sign in again to continue.',
  invalid_credentials: 'The email or password is wrong. Try again, or ask an admin to reset your password.',
  two_factor_required: 'Enter the 6-digit code from your authenticator app.',
  invalid_code: 'That code is wrong or expired. Enter the newest code from your authenticator app.',
  plan_required: 'Your plan does not include this. An admin can upgrade it in Settings → Plan & billing.',
  csrf: 'The page is out of date. Reload it and try again.',
  forbidden: 'You are not allowed to do this. Ask an admin if you need to.',
  missing_privilege: 'Your account does not have the privilege for this. Ask an admin to add it in Settings → Team.',
  admin_only: 'Only an admin can do this. Ask an admin.',
  main_admin_only: 'Only the main admin can do this. Ask them.',
  clinic_access_denied: 'You do not work at that clinic in Frontdesk. Ask an admin to give you access to it.',
  doctor_conversation_exists: (_d, who) => `${who} already has an open conversation at this clinic. Open it and ask reception to assign it to you.`,
  clinician_not_participant: 'You can write only in conversations you started or that are assigned to you. Ask reception to assign this one to you.',
  reauth_required: 'For safety, enter your password again to continue.',
  two_factor_enrolment_required: 'Your organization requires two-factor sign-in. Set it up in Settings → Security first.',
  emergency_reason_required: 'Give a reason for emergency access; it is recorded in the audit log.',
  sender_blocked: (_d, who) => `${who} is blocked. Unblock them to write again.`,
  invalid_link: 'This link is not valid. Ask for a new one.',
  not_found: 'It is no longer there: someone may have deleted or moved it. Reload the page.',
  conflict: 'Someone changed this at the same moment. Reload the page and try again.',
  email_taken: 'Someone already uses that email address. Use another one, or find that person in the team list.',
  slug_taken: 'That web address is taken. Choose another one.',
  name_taken: 'That name is taken. Choose another one.',
  another_conversation_open: (_d, who) => `${who} already has an open conversation at this clinic. Close it first, or write there.`,
  duplicate_message: 'This message was already sent.',
  already_booked: 'This appointment is already recorded.',
  link_expired: 'This link has expired. Send a new one.',
  payload_too_large: 'The file is too large. Send a smaller one (under 10 MB), or a link to it.',
  unsupported_media_type: 'This kind of file cannot be sent. Send a PDF, a picture or a document instead.',
  contact_blocked: (_d, who) => `${who} is blocked. Unblock them to write again.`,
  opted_out: (_d, who) => `${who} opted out of this channel. Ask them to opt back in (for SMS, they text START), or write on another channel.`,
  landline: (_d, who) => `${who}'s number is a landline and cannot receive texts. Call them, or write by email or portal.`,
  whatsapp_window_closed: (_d, who) => `${who} has not written on WhatsApp in the last 24 hours, so only an approved template can go. Pick one from Templates, or write by SMS.`,
  attachments_not_allowed: 'Files cannot go on this channel. Remove them, or choose email or portal.',
  channel_unavailable: (detail, who) => `This channel cannot reach ${who}: ${detail}. Pick another channel, or add the detail on their profile.`,
  rate_limited: 'Too many tries in a short time. Wait a minute and try again.',
  account_locked: 'The account is locked after too many failed sign-ins. Wait 15 minutes, or ask an admin.',
  attachment_corrupted: 'The file is damaged and cannot be opened. Ask for it again.',
  provider_error: 'The messaging service did not answer. Try again in a minute; if it keeps failing, tell an admin.',
  database_unavailable: 'Frontdesk is having trouble right now. Try again in a minute.',
  not_ready: 'Frontdesk is starting up. Try again in a minute.',
  network: 'Frontdesk could not be reached. Check the internet connection and try again.',
};

/** The problem code of an error thrown by the API client (or 'network' when fetch itself failed). */
export function refusalCode(error: unknown): string {
  if (error instanceof ApiError) return error.code;
  if (error instanceof TypeError) return 'network';
  return 'error';
}

/** The sentence for a refusal; an error that is not the API's (the app's own checks) keeps its words. */
export function refusalSentence(error: unknown, context: RefusalContext = {}): string {
  const who = context.name?.trim() || 'This contact';
  const code = refusalCode(error);
  const sentence = code in sentences ? sentences[code as keyof typeof sentences] : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (!sentence) return error instanceof ApiError ? 'That did not work. Try again; if it keeps failing, tell an admin.' : detail;
  return typeof sentence === 'function' ? sentence(detail, who) : sentence;
}
