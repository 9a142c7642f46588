import type { Catalogue } from '../shape.js';

export const common: Catalogue['common'] = {
  languageName: 'Español',
};
