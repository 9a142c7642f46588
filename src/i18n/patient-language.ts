/**
 * Issue 18: which language the product speaks to one patient, and which version of a clinic's text
 * (a template, the after-hours reply) that patient gets.
 */
import { acceptedTags, isLanguage, pickLanguage, supportedLanguage, type Language } from './index.js';

/**
 * The contact's preferred language when the clinic knows it; otherwise what their browser asks for
 * (each candidate a tag or a whole Accept-Language header), English when nothing matches.
 */
export function patientLanguage(preferred: string | null | undefined, ...browser: (string | null | undefined)[]): Language {
  return isLanguage(preferred) ? preferred : pickLanguage(...browser);
}

/** The first language we speak that an Accept-Language header asks for; undefined when it names none (an API client, say). */
export function browserAsksFor(header: string | null | undefined): Language | undefined {
  return acceptedTags(header).map(supportedLanguage).find((l) => l !== undefined);
}

/** The Intl locale a language's dates and numbers are written in (English in the US form the product has always used). */
export const localeOf = (language: Language): string => (language === 'en' ? 'en-US' : language);

/** A text written in one language with versions in others (templates, the after-hours reply). */
export interface Versions {
  /** The language `text` is written in. */
  language: string;
  text: string;
  translations: Partial<Record<string, string>>;
}

/**
 * The version for a patient: theirs when the clinic wrote one, else the text as written. No
 * preference known means the clinic's own version — a stranger's language is not guessed here.
 */
export function versionFor(versions: Versions, wanted: string | null | undefined): { language: string; text: string } {
  const translated = wanted && wanted !== versions.language ? versions.translations[wanted]?.trim() : undefined;
  return translated ? { language: wanted!, text: translated } : { language: versions.language, text: versions.text };
}
