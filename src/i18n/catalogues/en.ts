/**
 * English, the reference catalogue: every other language has exactly these keys (the type
 * `Catalogue` makes a missing or extra key a compile error, and `catalogues.test.ts` checks the
 * placeholders match). Namespaces: `common` (words both sides use), `patient` (everything the
 * product says to patients: portal, guest thread, public page, their emails and automatic texts),
 * `staff` (the staff app and staff emails).
 * Plurals follow i18next's suffixes (`_one`, `_other`; Spanish has the same two).
 */
export const en = {
  common: {
    languageName: 'English',
  },
  patient: {},
  staff: {},
};
