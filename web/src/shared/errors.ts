/**
 * Defect 4: every refusal the staff app shows, as a sentence a receptionist understands with what to
 * do next, in the user's language. One table from the API's problem `code` (src/errors.ts) to the
 * sentence — the staff catalogue's `errors.codes`, typed to cover every code; the API's own
 * detail is kept only where it is already a receptionist's sentence (channelGap's, for channel_unavailable).
 */
import { ApiError } from './api';
import { catalogues } from '../../../src/i18n';
import { i18next } from './i18n';

export interface RefusalContext {
  /** The patient or contact the action was about. */
  name?: string;
}

const codes = catalogues.en.staff.errors.codes;

/** The problem code of an error thrown by the API client (or 'network' when fetch itself failed). */
export function refusalCode(error: unknown): string {
  if (error instanceof ApiError) return error.code;
  if (error instanceof TypeError) return 'network';
  return 'error';
}

/** The sentence for a refusal; an error that is not the API's (the app's own checks) keeps its words. */
export function refusalSentence(error: unknown, context: RefusalContext = {}): string {
  const who = context.name?.trim() || i18next.t('staff:errors.thisContact');
  const code = refusalCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (!(code in codes)) return error instanceof ApiError ? i18next.t('staff:errors.unknown') : detail;
  return i18next.t(`staff:errors.codes.${code as keyof typeof codes}`, { who, detail });
}
