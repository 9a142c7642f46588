import type { Catalogue } from '../../index.js';

export const common: Catalogue['common'] = {
  languageName: 'Español',
};
