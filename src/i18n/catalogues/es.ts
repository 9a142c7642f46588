import type { Catalogue } from '../index.js';

export const es: Catalogue = {
  common: {
    languageName: 'Español',
  },
  patient: {},
  staff: {},
};
