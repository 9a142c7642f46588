/** Words both the staff app and the patients' side use. */
export const common = {
  languageName: 'English',
};
